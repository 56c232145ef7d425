//! Where the contract's files live, so the normalizer, the generator and the tests agree.

use std::path::{Path, PathBuf};

/// The `spec/` folder: `header.yaml`, `sources/` and the generated `openapi.yaml`.
#[derive(Debug, Clone)]
pub struct SpecDir {
    root: PathBuf,
}

impl SpecDir {
    /// The `spec/` folder of this checkout.
    pub fn checked_out() -> SpecDir {
        SpecDir::at(env!("CARGO_MANIFEST_DIR"))
    }

    /// A `spec/`-shaped folder elsewhere (tests use a broken copy).
    pub fn at(root: impl AsRef<Path>) -> SpecDir {
        SpecDir {
            root: root.as_ref().to_owned(),
        }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `header.yaml`: openapi, info and the mock's server.
    pub fn header(&self) -> PathBuf {
        self.root.join("header.yaml")
    }

    /// `sources/`: one document per vendor API.
    pub fn sources(&self) -> PathBuf {
        self.root.join("sources")
    }

    /// `openapi.yaml`: the normalized document.
    pub fn document(&self) -> PathBuf {
        self.root.join("openapi.yaml")
    }

    /// The workspace root (the parent of `spec/`).
    pub fn workspace(&self) -> PathBuf {
        self.root.parent().map(Path::to_owned).unwrap_or_default()
    }
}

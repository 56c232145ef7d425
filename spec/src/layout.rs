//! Where the contract's files live, so the normalizer, the generator and the tests agree.

use std::path::{Path, PathBuf};

/// The `spec/` folder: `header.yaml`, `vendors/` (one folder per vendor API) and the generated
/// `openapi.yaml`.
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

    /// `vendors/`: one folder per vendor API — `openapi.yaml` (its source document), `demo.json` (its demo
    /// data for the mock) and `seeds/` (the documentation pages the source transcribes).
    pub fn vendors(&self) -> PathBuf {
        self.root.join("vendors")
    }

    /// Where the demo data of every vendor is merged for the mock (generated).
    pub fn demo_data(&self) -> PathBuf {
        self.workspace()
            .join("mock-server")
            .join("fixtures")
            .join("demo.json")
    }

    /// `openapi.yaml`: the normalized document.
    pub fn document(&self) -> PathBuf {
        self.root.join("openapi.yaml")
    }

    /// Copies what the document is made from (`header.yaml` and `vendors/`) into `dest`, and returns that
    /// copy (tests change a copy; a new vendor can be tried in one).
    pub fn copy_sources_to(&self, dest: &Path) -> std::io::Result<SpecDir> {
        std::fs::create_dir_all(dest)?;
        std::fs::copy(self.header(), dest.join("header.yaml"))?;
        copy_tree(&self.vendors(), &dest.join("vendors"))?;
        Ok(SpecDir::at(dest))
    }

    /// The workspace root (the parent of `spec/`).
    pub fn workspace(&self) -> PathBuf {
        self.root.parent().map(Path::to_owned).unwrap_or_default()
    }
}

/// Copies a folder and everything in it.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

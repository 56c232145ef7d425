use std::path::PathBuf;

/// Why a source could not be read, normalized or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpecError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file is not valid YAML.
    #[error("{path}: invalid YAML: {source}")]
    Yaml {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_yaml_ng::Error,
    },
    /// A source breaks a rule of the normalizer; the message names the source and the place.
    #[error("{source_file}: {message}")]
    Source {
        /// The source file's name.
        source_file: String,
        /// What is wrong and where.
        message: String,
    },
}

impl SpecError {
    pub(crate) fn source(file: &str, message: impl Into<String>) -> Self {
        SpecError::Source {
            source_file: file.to_owned(),
            message: message.into(),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = SpecError> = std::result::Result<T, E>;

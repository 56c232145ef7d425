//! Why a file given to the mock cannot be used: a document (`--spec`) or demo data (`--demo-data`). Each
//! variant names the file and the first thing wrong with it, so `main` prints it as it is and exits 2.
//! A document's own mistakes are [`ContractError`]s, which the compiler finds.

use std::path::PathBuf;

/// A document or demo data file the mock cannot use.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A document that is not YAML (of which JSON is a subset).
    #[error("{} is not YAML or JSON: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The parser's reason, with the line.
        message: String,
    },
    /// A document of an OpenAPI version the mock does not read.
    #[error("{}: the mock reads OpenAPI 3.0.x, found `openapi: {found}`", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// Its `openapi` field.
        found: String,
    },
    /// Two documents served as one define the same path.
    #[error("path {path} is in both {first} and {second}")]
    SamePath {
        /// The path.
        path: String,
        /// The document read first.
        first: String,
        /// The other one.
        second: String,
    },
    /// The document (or the documents, as one) does not compile.
    #[error("{files}: {source}")]
    Contract {
        /// The documents, joined with ` + `.
        files: String,
        /// The first mistake, and where it is.
        source: ContractError,
    },
    /// Demo data that is not `{kind: {id: entity}}`.
    #[error("{}: {source}", path.display())]
    DemoData {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: DemoDataError,
    },
}

/// Why text is not demo data.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoDataError {
    /// Not JSON at all.
    #[error("the demo data is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// JSON, but not an object of kinds.
    #[error("the demo data must be an object {{kind: {{id: entity}}}}")]
    NotKinds,
    /// A kind whose value is not an object of entities by id.
    #[error("the demo data's {0} must be an object {{id: entity}}")]
    NotEntities(String),
}

/// A mistake in the document, found at start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ContractError {
    /// Where: an operation (`magicline_add_access_medium (POST /v1/…)`), a tag, a scheme, `components`.
    pub location: String,
    /// What is wrong.
    pub message: String,
    /// What the location names, for tools that point into the document's sources (`cargo regen`).
    pub subject: Subject,
}

/// What a [`ContractError`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The operation with this `operationId`.
    Operation(String),
    /// The tag of this name (its `x-concord-mock`, its resources).
    Tag(String),
    /// The document as a whole (`components`, a security scheme, an inferred resource).
    Document,
}

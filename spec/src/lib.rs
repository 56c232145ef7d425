//! The Concord contract: one normalized OpenAPI 3.0.3 document built from one source file per vendor API.
//!
//! - [`OPENAPI_YAML`] is the checked-in document, embedded (the mock server loads it at start-up).
//! - [`normalize`] and [`render`] build it from `spec/vendors/*/openapi.yaml`; [`check_fresh`] tells when the
//!   checked-in copy is stale; [`render_demo_data`] merges the vendors' `demo.json` for the mock.
//! - [`lint`] enforces the project's rules on the document.
//! - With the `codegen` feature, [`codegen`] runs progenitor to produce the SDK's generated layer.
//!
//! Regenerate everything with `cargo regen`; check without writing with `cargo regen --check`.

mod demo;
mod error;
mod facade;
mod layout;
mod lint;
mod normalize;
mod provenance;
mod render;
pub mod schema_walk;
mod source;
mod table;

#[cfg(feature = "codegen")]
mod calls;
#[cfg(feature = "codegen")]
pub mod codegen;

pub use demo::{merge_demo, render_demo};
pub use error::{Result, SpecError};
pub use facade::generate_facade;
pub use layout::{SpecDir, copy_tree};
pub use lint::{Violation, lint, parse};
pub use normalize::{OPERATION_VERBS, normalize};
pub use provenance::{SourcePlace, operation_place, tag_place};
pub use render::{
    Drift, check_fresh, first_difference, is_date_like, render, render_demo_data, to_yaml,
};
pub use source::{Source, SourceMeta, load_sources};
pub use table::{TABLE_MARKERS, operations_table, readme_with_table};

/// The normalized document, as checked in at `spec/openapi.yaml`.
pub const OPENAPI_YAML: &str = include_str!("../openapi.yaml");

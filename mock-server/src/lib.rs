//! Concord mock server: a stateful mock generated from an OpenAPI document, for frontend teams and
//! integration tests. The embedded contract (`spec/openapi.yaml`) serves the Magicline, Paysafe Embedded
//! Wallets, ES Loyalty and MasStack APIs; their behaviour is declared in the document (`x-concord-mock` on a
//! tag, `x-concord-rules` on an operation) and interpreted by a generic engine — no module here knows a
//! vendor. Embed it in tests:
//!
//! ```no_run
//! # async fn run() -> Result<(), concord_mock::StartError> {
//! let server = concord_mock::MockServer::start_default().await?;
//! println!("mock on {}", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Features: `cli` (the default: the binary, with every backend and the web page), `sqlite`
//! (`--state-file`), `redis` (`--redis-url`), `web` (the page under `/__mock/ui/`). With
//! `default-features = false` it is the in-memory mock with its embedded contract and nothing else.
//!
//! A request flows through the pipeline in this order: route → auth → overrides (`Prefer`,
//! fault rules) → validate → rules (the engine) → respond; every refusal is rendered in one place.

// No function over 80 lines (the threshold is in clippy.toml).
#![warn(clippy::too_many_lines)]

mod admin;
mod answer;
mod app;
mod auth;
mod connections;
pub mod contract;
pub mod demo_data;
mod engine;
mod faults;
#[cfg(feature = "cli")]
pub mod health_probe;
mod journal;
mod journaling;
mod load_error;
mod multipart_body;
pub mod origin;
mod pipeline;
mod prefer;
pub mod problem;
mod reply;
mod request_body;
mod rules;
pub mod self_check;
mod server;
mod shared;
pub mod state;
mod switch;
mod template;
mod tenant;
#[cfg(feature = "web")]
pub mod ui;
#[cfg(feature = "upstream")]
pub mod upstream;
mod validate;
mod vendor;
#[cfg(feature = "upstream")]
pub mod verify_upstream;

pub use app::{App, app};
#[cfg(feature = "cli")]
pub use connections::raise_open_files_limit;
pub use faults::FaultRule;
pub use load_error::{DemoDataError, LoadError};
pub use origin::AllowedHosts;
pub use server::{MockConfig, MockServer, StartError};
pub use shared::AppState;
pub use switch::Switch;
pub use tenant::{DEFAULT_TENANT, TENANT_HEADER};

/// The version of the embedded contract (its `info.version`, e.g. `2026.11.0`).
pub fn contract_version() -> String {
    // Read without compiling, so that `--version` answers even when the document has a mistake.
    #[derive(serde::Deserialize)]
    struct Document {
        info: Info,
    }
    #[derive(serde::Deserialize)]
    struct Info {
        version: String,
    }
    serde_yaml_ng::from_str::<Document>(concord_spec::OPENAPI_YAML)
        .map_or_else(|_| "unknown".to_owned(), |d| d.info.version)
}

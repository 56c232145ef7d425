//! Concord mock server: a spec-driven, stateful mock of the Magicline, Paysafe Embedded Wallets, ES Loyalty
//! and MasStack APIs, for frontend teams and integration tests.
//!
//! Routes, parameters, bodies and responses come from the embedded contract (`spec/openapi.yaml`); each
//! vendor module adds that vendor's business rules and error body. Embed it in tests:
//!
//! ```no_run
//! # async fn run() -> Result<(), concord_mock::StartError> {
//! let server = concord_mock::MockServer::start_default().await?;
//! println!("mock on {}", server.url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod api;
mod app;
mod auth;
mod call;
mod faults;
pub mod fixtures;
mod journal;
mod prefer;
mod reply;
mod server;
pub mod spec_index;
pub mod state;
pub mod ui;
mod validate;
mod vendors;

pub use api::{DEFAULT_TENANT, TENANT_HEADER};
pub use app::{AppState, app};
pub use faults::FaultRule;
pub use server::{MockConfig, MockServer, StartError};
pub use vendors::Vendor;

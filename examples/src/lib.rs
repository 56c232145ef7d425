//! Runnable user journeys over the Concord SDK. Each is a function that tells what happened, line by line;
//! the binaries in `src/bin/` run them against `CONCORD_BASE_URL` (default: the mock on localhost:4010), and
//! `tests/journeys.rs` runs them against an embedded mock.

use concord_sdk::{Client, ConfigError};

pub mod customer_logins;
pub mod loyalty_cards;
pub mod member_access;
pub mod prepaid_cards;

/// What a journey returns: the lines it reports.
pub type Report = Result<Vec<String>, concord_sdk::Error>;

/// A client for the mock's demo data: `CONCORD_BASE_URL` (default `http://localhost:4010`) and the demo
/// credentials, each overridable by its `CONCORD_*` variable. Each client works in a tenant of its own
/// (`X-Mock-Tenant: journey-<random>`): the mock keeps state, and a journey that adds cards would otherwise
/// meet the card limit on its second run.
pub fn demo_client() -> Result<Client, ConfigError> {
    let base =
        std::env::var("CONCORD_BASE_URL").unwrap_or_else(|_| "http://localhost:4010".to_owned());
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    Client::builder()
        .base_url(base)
        .magicline_api_key(var("CONCORD_MAGICLINE_API_KEY", "demo-magicline-key"))
        .paysafe_token(var("CONCORD_PAYSAFE_TOKEN", "demo-paysafe-token"))
        .es_loyalty_token(var("CONCORD_ES_LOYALTY_TOKEN", "demo-loyalty-token"))
        .masstack_token(var("CONCORD_MASSTACK_TOKEN", "demo-masstack-token"))
        .default_header("x-mock-tenant", &fresh_tenant())
        .build()
}

/// A tenant name no earlier run used.
pub fn fresh_tenant() -> String {
    format!("journey-{}", uuid::Uuid::new_v4().simple())
}

/// Runs a journey from a binary: prints its lines, or the error, and sets the exit code.
pub async fn main_for(journey: impl AsyncFnOnce(&Client) -> Report) -> std::process::ExitCode {
    let client = match demo_client() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    match journey(&client).await {
        Ok(lines) => {
            lines.iter().for_each(|l| println!("{l}"));
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

// The Rust blocks of the project's README compile: `cargo test -p concord-examples --doc`.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

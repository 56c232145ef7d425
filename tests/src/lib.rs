//! What the contract tests share: an embedded mock, SDK clients bound to one tenant, the list of
//! (operation, status) pairs the contract documents, and a check of every answer the mock journaled.

use std::collections::BTreeSet;

use concord_mock::contract::Contract;
use concord_mock::{MockServer, TENANT_HEADER};
use concord_sdk::{Client, RetryPolicy};
use serde_json::Value;

/// The demo credentials of the mock's demo data.
pub mod demo {
    /// Magicline key with both scopes.
    pub const MAGICLINE_KEY: &str = "demo-magicline-key";
    /// Magicline key with CUSTOMER_READ only.
    pub const MAGICLINE_READONLY: &str = "demo-magicline-readonly";
    /// Paysafe token.
    pub const PAYSAFE_TOKEN: &str = "demo-paysafe-token";
    /// ES Loyalty token.
    pub const LOYALTY_TOKEN: &str = "demo-loyalty-token";
    /// MasStack token.
    pub const MASSTACK_TOKEN: &str = "demo-masstack-token";
}

/// Every (operationId, status) the contract documents, body-less ones (`x-omitted-responses`) included.
pub fn documented_pairs() -> BTreeSet<(String, u16)> {
    let index = Contract::embedded();
    index
        .operations
        .iter()
        .flat_map(|op| {
            op.responses
                .keys()
                .chain(&op.omitted)
                .map(|s| (op.id.clone(), *s))
        })
        .collect()
}

/// An embedded mock and a tenant of its own.
pub struct Harness {
    /// The running mock.
    pub server: MockServer,
    /// This harness's tenant.
    pub tenant: String,
}

impl Harness {
    /// Starts a mock on a free port with the demo data.
    pub async fn start() -> Harness {
        Harness {
            server: MockServer::start_default().await.expect("the mock starts"),
            tenant: format!("contract-{}", uuid::Uuid::new_v4()),
        }
    }

    /// A builder for an SDK client against the mock, in this tenant, without retries (each test sees
    /// exactly the answer it provoked).
    pub fn builder(&self) -> concord_sdk::ClientBuilder {
        Client::builder()
            .base_url(self.server.url())
            .retry_policy(RetryPolicy::never())
            .default_header(TENANT_HEADER, &self.tenant)
    }

    /// A client with every demo credential.
    pub fn client(&self) -> Client {
        self.builder()
            .magicline_api_key(demo::MAGICLINE_KEY)
            .paysafe_token(demo::PAYSAFE_TOKEN)
            .es_loyalty_token(demo::LOYALTY_TOKEN)
            .masstack_token(demo::MASSTACK_TOKEN)
            .build()
            .expect("a valid configuration")
    }

    /// A GET of the mock's admin API (`path` after `/__mock/`), for this tenant, as JSON.
    pub async fn admin(&self, path: &str) -> Value {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url = format!(
            "{}/__mock/{path}{separator}tenant={}",
            self.server.url(),
            self.tenant
        );
        reqwest::get(url).await.unwrap().json().await.unwrap()
    }

    /// The statuses this tenant's requests got, newest first.
    pub async fn journaled_statuses(&self) -> Vec<u64> {
        let journal = self.admin("requests").await;
        journal["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["status"].as_u64())
            .collect()
    }

    /// Every answer the mock journaled for this tenant that does not match the contract, as
    /// `operation status: field: message`.
    pub async fn contract_violations(&self) -> Vec<String> {
        let journal = self.admin("requests?limit=100000").await;
        let index = Contract::embedded();
        let mut found = Vec::new();
        for entry in journal["requests"].as_array().into_iter().flatten() {
            found.extend(check_entry(&index, entry));
        }
        found
    }
}

/// Checks one journal entry against the contract.
pub fn check_entry(index: &Contract, entry: &Value) -> Vec<String> {
    let Some(operation) = entry["operation"].as_str() else {
        return vec![format!(
            "{} {}: matched no operation",
            entry["method"], entry["path"]
        )];
    };
    let status = entry["status"].as_u64().unwrap_or_default() as u16;
    let op = index
        .operation(operation)
        .expect("journaled operations exist");
    let body = entry.get("responseBody").filter(|b| !b.is_null());
    match op.responses.get(&status) {
        Some(response) => response
            .check(body)
            .into_iter()
            .map(|v| format!("{operation} {status}: /{}: {}", v.field, v.message))
            .collect(),
        None if op.omitted.contains(&status) && body.is_none() => Vec::new(),
        None => vec![format!("{operation} {status}: status not documented")],
    }
}

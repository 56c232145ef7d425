//! Test harness: a mock on a free port, a fresh tenant per test, and every answer checked against the
//! contract (schema of its operation and status) before the test sees it.
#![allow(dead_code, unreachable_pub)]

pub mod process;
pub mod redis_cluster;
pub mod redis_server;

use std::sync::Arc;

use concord_mock::contract::{Contract, RouteMatch};
use concord_mock::{MockConfig, MockServer, TENANT_HEADER};
use reqwest::Method;
use serde_json::Value;

pub const MASSTACK_CUSTOMER: &str = "123e4567-e89b-12d3-a456-556642440000";
pub const CREDENTIALS: &str =
    "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials";
pub const CARD: &str = "f16ba382-eb42-481a-b08f-c57bdc9aae24";
pub const ASSIGN: &str =
    "/customers/1231122232/prepaid/cards/f16ba382-eb42-481a-b08f-c57bdc9aae24/assignments";
pub const BULK: &str = "8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001";

/// The credentials each API accepts in the demo data.
pub fn auth(path: &str) -> Vec<(&'static str, &'static str)> {
    if path.starts_with("/v1/") {
        vec![("x-api-key", "demo-magicline-key")]
    } else if path.starts_with("/customers/") {
        vec![("authorization", "Bearer demo-paysafe-token")]
    } else if path.starts_with("/client/") {
        vec![("authorization", "Bearer demo-loyalty-token")]
    } else {
        vec![
            ("authorization", "Bearer demo-masstack-token"),
            ("x-auth-roles", "API_KEY"),
        ]
    }
}

pub struct Mock {
    pub server: MockServer,
    pub http: reqwest::Client,
    pub tenant: String,
    index: Arc<Contract>,
}

/// An answer, already validated against the contract.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Option<Value>,
    pub operation: Option<String>,
}

impl Answer {
    pub fn json(&self) -> &Value {
        self.body
            .as_ref()
            .unwrap_or_else(|| panic!("no body in {self:?}"))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// `field` of every item of an array answer (a list of credentials: their ids, their usernames).
    pub fn texts(&self, field: &str) -> Vec<&str> {
        self.json()
            .as_array()
            .unwrap_or_else(|| panic!("not an array: {self:?}"))
            .iter()
            .map(|item| item[field].as_str().unwrap())
            .collect()
    }
}

/// A request under construction.
pub struct Req<'a> {
    mock: &'a Mock,
    method: Method,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    with_auth: bool,
    tenant: Option<String>,
    check: bool,
}

impl Mock {
    pub async fn start() -> Mock {
        Mock::start_with(MockConfig::default()).await
    }

    pub async fn start_with(config: MockConfig) -> Mock {
        let server = MockServer::start(config).await.expect("mock starts");
        Mock {
            server,
            http: reqwest::Client::new(),
            tenant: format!("test-{}", uuid::Uuid::new_v4()),
            index: Contract::embedded(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub fn req(&self, method: &str, path: &str) -> Req<'_> {
        Req {
            mock: self,
            method: method.parse().unwrap(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: None,
            with_auth: true,
            tenant: None,
            check: true,
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.req("GET", path)
    }
    pub fn post(&self, path: &str, body: Value) -> Req<'_> {
        self.req("POST", path).json(body)
    }
    pub fn put(&self, path: &str, body: Value) -> Req<'_> {
        self.req("PUT", path).json(body)
    }
    pub fn delete(&self, path: &str) -> Req<'_> {
        self.req("DELETE", path)
    }

    /// The admin API (no tenant header unless given).
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Checks an answer against the contract; panics with the operation, status and JSON path.
    fn validate(&self, method: &Method, path: &str, answer: &Answer) {
        let path_only = path.split('?').next().unwrap();
        let RouteMatch::Found(op, _) = self.index.route(method, path_only) else {
            panic!("{method} {path} matches no operation; use .unchecked() for framework answers");
        };
        if let Some(response) = op.responses.get(&answer.status) {
            let violations = response.check(answer.body.as_ref());
            assert!(
                violations.is_empty(),
                "{} {}: the answer does not match the contract: {violations:#?}\nbody: {:?}",
                op.id,
                answer.status,
                answer.body
            );
        } else {
            assert!(
                op.omitted.contains(&answer.status) && answer.body.is_none(),
                "{} answered {}, which the contract does not document (body {:?})",
                op.id,
                answer.status,
                answer.body
            );
        }
    }
}

impl Req<'_> {
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(serde_json::to_vec(&body).unwrap());
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self
    }
    pub fn raw_body(mut self, body: impl Into<Vec<u8>>, content_type: Option<&str>) -> Self {
        self.body = Some(body.into());
        self.headers.retain(|(n, _)| n != "content-type");
        if let Some(ct) = content_type {
            self.headers.push(("content-type".into(), ct.into()));
        }
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }
    pub fn without_auth(mut self) -> Self {
        self.with_auth = false;
        self
    }
    pub fn tenant(mut self, tenant: &str) -> Self {
        self.tenant = Some(tenant.to_owned());
        self
    }
    /// For answers outside the contract (unknown paths, 405, 413, 415).
    pub fn unchecked(mut self) -> Self {
        self.check = false;
        self
    }

    pub async fn send(self) -> Answer {
        let mut request = self
            .mock
            .http
            .request(self.method.clone(), self.mock.url(&self.path));
        request = request.header(
            TENANT_HEADER,
            self.tenant.as_deref().unwrap_or(&self.mock.tenant),
        );
        if self.with_auth {
            for (name, value) in auth(&self.path) {
                if !self.headers.iter().any(|(n, _)| n == name) {
                    request = request.header(name, value);
                }
            }
        }
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(body) = self.body.clone() {
            request = request.body(body);
        }
        let response = request.send().await.expect("the mock answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            None
        } else {
            Some(
                serde_json::from_slice(&bytes)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {bytes:?}")),
            )
        };
        let operation = None;
        let answer = Answer {
            status,
            headers,
            body,
            operation,
        };
        if self.check {
            self.mock.validate(&self.method, &self.path, &answer);
        }
        answer
    }
}

/// The first string at one of `pointers` (each vendor keeps the field at a different place).
fn first_string(body: &Value, pointers: [&str; 3]) -> String {
    pointers
        .iter()
        .find_map(|p| body.pointer(p)?.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// The error code of any vendor's body (Paysafe, Magicline/ES, MasStack).
pub fn code(body: &Value) -> String {
    first_string(body, ["/error/code", "/errorCode", "/errors/0/error/code"])
}

/// The message of any vendor's body (Paysafe, Magicline/ES, MasStack).
pub fn message(body: &Value) -> String {
    first_string(
        body,
        ["/error/message", "/errorMessage", "/errors/0/error/message"],
    )
}

//! Any request, through the whole pipeline (routing, auth, overrides, validation, the vendors' rules): the
//! mock must answer, never panic, and never with a 5xx (Prefer and the admin API, which can ask for one, are
//! left out). Half the inputs follow a real operation's path with fuzzed parameters, so validation and the
//! rules behind it are reached, not only the 404.
#![no_main]

use std::sync::{Arc, OnceLock};

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::Request;
use concord_mock::{AppState, MockConfig, app};
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

#[derive(Debug, Arbitrary)]
struct Input {
    operation: u8,
    method: u8,
    segments: Vec<String>,
    raw_path: String,
    query: Option<String>,
    headers: Vec<(u8, String)>,
    body: Vec<u8>,
}

const HEADERS: [&str; 8] = [
    "authorization", "x-api-key", "x-auth-roles", "content-type", "x-identifier-type", "x-mock-tenant", "accept",
    "content-length",
];
const CREDENTIALS: [&str; 6] = [
    "Bearer demo-paysafe-token", "Bearer demo-loyalty-token", "Bearer demo-masstack-token", "demo-magicline-key",
    "API_KEY", "application/json",
];

fn state() -> Arc<AppState> {
    static STATE: OnceLock<Arc<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            // The mock as it starts by default (embedded contract, demo data, in memory), small bounds.
            let config = MockConfig { journal_capacity: 64, body_limit: 64 * 1024, ..MockConfig::default() };
            Arc::new(runtime().block_on(AppState::build(&config)).expect("the default mock builds"))
        })
        .clone()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap())
}

fuzz_target!(|input: Input| {
    let contract = state().contract.clone();
    let operations = &contract.operations;
    let op = &operations[usize::from(input.operation) % operations.len()];
    let path = if input.operation % 2 == 0 {
        // The operation's template with each parameter replaced by a fuzzed (escaped) segment.
        let mut fuzzed = input.segments.iter();
        op.path
            .split('/')
            .map(|s| match s.starts_with('{') {
                true => fuzzed.next().map(|f| escape(f)).unwrap_or_else(|| "x".into()),
                false => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    } else {
        input.raw_path.clone()
    };
    if path.starts_with("/__mock") {
        return;
    }
    let method = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"][usize::from(input.method) % 7];
    let uri = match &input.query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in &input.headers {
        let name = HEADERS[usize::from(*name) % HEADERS.len()];
        let value = if value.len() == 1 { CREDENTIALS[value.as_bytes()[0] as usize % CREDENTIALS.len()] } else { value };
        request = request.header(name, value);
    }
    let Ok(request) = request.body(Body::from(input.body)) else { return };
    let response = runtime().block_on(app(state()).oneshot(request)).expect("the app always answers");
    assert!(response.status().as_u16() < 500, "{method} answered {}", response.status());
});

fn escape(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

//! In-process cost of one request through the whole application, without a socket: the simplest GET (list
//! a customer's credentials), N times on one task, for profiling the pipeline without the kernel's share.
//! Run: `cargo run --release -p concord-mock --example pipeline-micro -- 200000`
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let state = concord_mock::AppState::build(&concord_mock::MockConfig::default())
        .await
        .expect("build");
    let app = concord_mock::app(Arc::new(state));
    let path = "/v4/orgs/telco/customers/123e4567-e89b-12d3-a456-556642440000/credentials";
    let request = || {
        Request::get(path)
            .header("host", "127.0.0.1:4010")
            .header("authorization", "Bearer demo-masstack-token")
            .header("x-auth-roles", "API_KEY")
            .header("x-mock-tenant", "bench-simple")
            .header("user-agent", "wrk")
            .body(Body::empty())
            .expect("request")
    };
    for _ in 0..n / 10 {
        let r = app.clone().oneshot(request()).await.expect("answer");
        assert_eq!(r.status(), 200);
    }
    let started = Instant::now();
    for _ in 0..n {
        let r = app.clone().oneshot(request()).await.expect("answer");
        let _ = axum::body::to_bytes(r.into_body(), usize::MAX).await;
    }
    let per = started.elapsed().as_secs_f64() * 1e6 / n as f64;
    println!("simplest GET: {per:.2} µs per request in process");
}

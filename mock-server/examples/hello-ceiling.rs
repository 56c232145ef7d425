//! The ceiling for bench/run.sh: a bare axum server answering a fixed JSON body, on the same stack as the mock.
//! Run with: `cargo run --release -p concord-mock --example hello-ceiling -- 4019`

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(4019);
    let app = Router::new().fallback(get(|| async {
        (
            [("content-type", "application/json")],
            r#"[{"id":"028076fa-c264-42bb-9983-8872a576be28","username":"u"}]"#,
        )
    }));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    println!("hello ceiling listening on http://127.0.0.1:{port}");
    axum::serve(listener, app).await.expect("serve");
}

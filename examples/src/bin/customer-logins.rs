//! Run with: `cargo run -p concord-examples --bin customer-logins` (against `CONCORD_BASE_URL`, default the mock on
//! http://localhost:4010; start it with `cargo run --release -p concord-mock`).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    concord_examples::main_for(concord_examples::customer_logins::run).await
}

//! What the SDK costs per call: one `list_credentials` through the SDK against the same request through bare
//! reqwest (decoded into the same generated type), both against the embedded mock.
//! Run with: `cargo bench -p concord-contract-tests --bench sdk_overhead`

use concord_sdk::types::MasstackCredentialResponse;
use concord_sdk::{Client, RetryPolicy};
use criterion::{Criterion, criterion_group, criterion_main};

const CUSTOMER: &str = "123e4567-e89b-12d3-a456-556642440000";

fn overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = runtime
        .block_on(concord_mock::MockServer::start_default())
        .unwrap();
    let sdk = Client::builder()
        .base_url(server.url())
        .masstack_token("demo-masstack-token")
        .retry_policy(RetryPolicy::never())
        .build()
        .unwrap();
    let bare = reqwest::Client::new();
    let url = format!(
        "{}/v4/orgs/telco/customers/{CUSTOMER}/credentials",
        server.url()
    );
    let customer: uuid::Uuid = CUSTOMER.parse().unwrap();

    let mut group = c.benchmark_group("list_credentials");
    group.bench_function("sdk", |b| {
        b.to_async(&runtime).iter(|| async {
            sdk.masstack()
                .list_credentials("telco", customer)
                .await
                .unwrap()
        })
    });
    group.bench_function("bare_reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            bare.get(&url)
                .header("authorization", "Bearer demo-masstack-token")
                .header("x-auth-roles", "API_KEY")
                .header("accept", "application/json")
                .send()
                .await
                .unwrap()
                .json::<Vec<MasstackCredentialResponse>>()
                .await
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);

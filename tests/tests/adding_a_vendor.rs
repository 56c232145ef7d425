//! A vendor is one folder. Adding `tests/fixtures/vendors/acme-stores/` (a fictional vendor written as a plain
//! OpenAPI document, with its demo data) to a copy of `spec/vendors/` is the only change needed: the
//! normalized document has it (lint-clean), the operations table and the SDK's generated client list it, the
//! mock's demo data has its credentials and entities, and the mock serves it — by inference, since it
//! declares no behaviour — next to the four vendors, whose answers do not change.

use std::path::Path;

use concord_mock::contract::Contract;
use concord_mock::{MockConfig, MockServer};
use concord_spec::SpecDir;
use serde_json::{Value, json};

/// A copy of spec/ with the Acme Stores folder added, as a newcomer would add it.
fn spec_with_acme() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    SpecDir::checked_out().copy_sources_to(tmp.path()).unwrap();
    let acme = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/vendors/acme-stores");
    concord_spec::copy_tree(&acme, &tmp.path().join("vendors/acme-stores")).unwrap();
    tmp
}

async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_vendor_folder_is_all_it_takes() {
    let tmp = spec_with_acme();
    let dir = SpecDir::at(tmp.path());

    // The document: normalized, lint-clean, with the vendor's operations under its id.
    let document = concord_spec::render(&dir).unwrap();
    let violations = concord_spec::lint(&concord_spec::parse(&document).unwrap());
    assert!(violations.is_empty(), "{violations:?}");
    let doc: Value = serde_yaml_ng::from_str(&document).unwrap();
    assert_eq!(
        doc["paths"]["/v1/stores"]["post"]["operationId"],
        "acme_stores_create_store"
    );
    assert!(
        concord_spec::operations_table(&doc).contains("`acme_stores_create_store` | Acme Stores")
    );

    // The SDK's generated client has its calls.
    let sdk = concord_spec::codegen::generate(&document).unwrap();
    assert!(sdk.client.contains("fn acme_stores_create_store"));
    assert!(sdk.client.contains("fn acme_stores_list_stores"));
    // …and the facade a group for it: `client.acme_stores().create_store(body)`.
    assert!(
        sdk.calls
            .contains("pub fn acme_stores(&self) -> AcmeStores<'_>"),
        "{}",
        sdk.calls
    );
    assert!(sdk.calls.contains("pub fn create_store<P0>("));
    // The facade's generated part names it: an `Api` and its error body (message from `message`).
    let facade = concord_spec::generate_facade(&doc);
    assert!(facade.contains("    AcmeStores,\n"), "{facade}");
    assert!(
        facade.contains("AcmeStores(types::AcmeStoresError)"),
        "{facade}"
    );
    assert!(facade.contains("VendorError::AcmeStores(e) => Some(e.message.as_str())"));
    assert!(facade.contains(
        "Api::AcmeStores => &[crate::api::Server { name: \"production\", url: \"https://api.acme-stores.example\", variables: &[] }]"
    ), "{facade}");
    assert!(facade.contains("pub fn acme_stores_production(self) -> Self"));
    assert!(facade.contains("pub fn acme_stores_basic(self"));

    // The mock's demo data has its entities and credentials (scheme names prefixed like the document's).
    let demo_data =
        concord_mock::demo_data::parse(&concord_spec::render_demo_data(&dir).unwrap()).unwrap();
    assert!(demo_data["auth.credential"].contains_key("AcmeStoresBasicAuth:acme:secret"));
    assert!(demo_data["auth.credential"].contains_key("MagiclineApiKeyAuth:demo-magicline-key"));

    let contract = std::sync::Arc::new(Contract::compile(doc).unwrap());

    // Every documented answer of every vendor, the new one included, is produced and valid.
    let report =
        concord_mock::self_check::every_documented_answer(contract.clone(), demo_data.clone())
            .await;
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let four_vendors: usize = Contract::embedded()
        .operations
        .iter()
        .map(|op| op.responses.len() + op.omitted.len())
        .sum();
    assert!(
        report.pairs > four_vendors,
        "the four vendors' pairs and Acme's"
    );
    let server = MockServer::start(MockConfig {
        contract: Some(contract),
        demo_data,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.url());
    let basic = |r: reqwest::RequestBuilder| r.basic_auth("acme", Some("secret"));

    // Basic auth checks the demo credential; the error is in the vendor's own schema.
    let refused = http
        .post(url("/v1/stores"))
        .basic_auth("acme", Some("wrong"))
        .form(&[("name", "Main Street")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused["message"].is_string(), "{refused}");

    // A form body creates a store (its id keeps the documented prefix), the query key lists it.
    let created = basic(http.post(url("/v1/stores")))
        .form(&[("name", "Main Street"), ("opensAt", "9")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let store: Value = created.json().await.unwrap();
    assert!(store["id"].as_str().unwrap().starts_with("st_"), "{store}");
    assert_eq!(store["opensAt"], 9);
    let listed = json_of(http.get(url("/v1/stores?api_key=acme-read-key"))).await;
    assert_eq!(
        listed["total"], 2,
        "the demo store and the new one: {listed}"
    );
    // Oldest first (by `created`): the demo store, then the new one.
    let names: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Corner Shop", "Main Street"]);
    let wrong_key = http
        .get(url("/v1/stores?api_key=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), 401);

    // Validation names the field in the vendor's own error schema.
    let invalid = json_of(basic(http.post(url("/v1/stores"))).form(&[("name", "A")])).await;
    assert_eq!(invalid["field"], "name", "{invalid}");

    // Members belong to the store; delete, then the documented 404.
    let id = store["id"].as_str().unwrap();
    let member = basic(http.post(url(&format!("/v1/stores/{id}/members"))))
        .json(&json!({"email": "ana@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(member.status(), 201);
    assert_eq!(member.json::<Value>().await.unwrap()["id"], 1);
    let store_url = url(&format!("/v1/stores/{id}"));
    let deleted = basic(http.delete(&store_url)).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = basic(http.get(&store_url)).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert!(gone.json::<Value>().await.unwrap()["message"].is_string());

    // The four vendors are unchanged: Magicline answers its demo data, under the /v1 it shares with Acme.
    let magicline = http
        .get(url("/v1/customers/1001/access-code"))
        .header("x-api-key", "demo-magicline-key")
        .send()
        .await
        .unwrap();
    assert_eq!(magicline.status(), 200);
    // An unknown path under the shared /v1 answers in neither vendor's error body.
    let unknown = json_of(http.get(url("/v1/nothing"))).await;
    assert_eq!(
        unknown,
        json!({"error": "No operation matches GET /v1/nothing."})
    );
}

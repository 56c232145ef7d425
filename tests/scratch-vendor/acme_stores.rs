//! Copied by run.sh into the scratch checkout's `sdk/examples/` (it only compiles once the Acme Stores folder
//! has been added): the new vendor is callable through the SDK's facade, against the mock built from the same
//! document. Usage: `cargo run -p concord-sdk --example acme_stores -- <mock base URL>`.

use concord_sdk::types::{AcmeStoresMemberInput, AcmeStoresStoreInput};
use concord_sdk::{Api, Client, Credentials, ErrorKind, VendorError};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::args().nth(1).ok_or("usage: acme_stores <base URL>")?;
    let client = Client::builder()
        .base_url(&base)
        .acme_stores_basic("acme", "secret")
        .build()?;
    let acme = client.acme_stores();

    // Create (a form body), read back, list, add a member under the store.
    let input = AcmeStoresStoreInput {
        name: "Harbour Road".try_into()?,
        opens_at: Some(7),
    };
    let store = acme.create_store(input).await?;
    assert!(store.id.starts_with("st_"), "{}", store.id);
    let read = acme.get_store(&store.id).await?;
    assert_eq!(read.name, "Harbour Road");
    let page = acme.list_stores().await?;
    assert!(page.data.iter().any(|s| s.id == store.id), "{page:?}");
    let member = acme
        .add_member(
            &store.id,
            AcmeStoresMemberInput {
                email: "ana@example.com".into(),
            },
        )
        .await?;
    assert_eq!(member.email, "ana@example.com");

    // Delete, then the read answers the documented 404 in Acme's own error body.
    acme.delete_store(&store.id).await?;
    let err = acme.get_store(&store.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.api(), Api::AcmeStores);
    let Some(VendorError::AcmeStores(body)) = err.vendor_error() else {
        panic!("not Acme's error body: {err:?}");
    };
    assert!(!body.message.is_empty());
    // The id the contract says Acme keeps in its error body (`x-concord-request-id`).
    assert!(
        err.request_id().is_some_and(|id| id.starts_with("req_")),
        "{err}"
    );

    // One read-only key, placed as each operation documents: the query for the list (the API's
    // requirements), the `X-Acme-Key` header for one store (its own).
    let reader = |key: &str| {
        Client::builder()
            .base_url(&base)
            .credentials(Api::AcmeStores, Credentials::ApiKey(key.into()))
            .build()
    };
    let page = reader("acme-read-key")?.acme_stores().list_stores().await?;
    let first = &page.data[0].id;
    let one = reader("acme-read-key")?.acme_stores().get_store(first).await?;
    assert_eq!(&one.id, first);
    let err = reader("not-a-key")?
        .acme_stores()
        .get_store(first)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");

    // Wrong credentials: the documented 401, typed.
    let stranger = Client::builder()
        .base_url(&base)
        .acme_stores_basic("acme", "wrong")
        .build()?;
    let err = stranger.acme_stores().list_stores().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");

    println!(
        "acme_stores: create, read, list, add member, delete, 404 with its request id, a key placed per operation, and 401 through the SDK facade: ok ({})",
        store.id
    );
    Ok(())
}

//! A tenant name that is blank or too long is a clear 400 — in the vendor's body on the APIs — never
//! silently the `default` tenant; the admin API's `?tenant=` follows the same rules.

mod common;

use common::{CREDENTIALS, Mock};

#[tokio::test]
async fn blank_or_overlong_tenant_names_are_refused() {
    let mock = Mock::start().await;
    for bad in ["   ".to_owned(), "t".repeat(129)] {
        let answer = mock.get(CREDENTIALS).tenant(&bad).unchecked().send().await;
        assert_eq!(answer.status, 400, "{bad:?}");
        let message = answer.json()["errors"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains("x-mock-tenant"), "{message}");
        let (status, body) = mock
            .admin(
                "GET",
                &format!("/__mock/state?tenant={}", bad.replace(' ', "%20")),
                None,
            )
            .await;
        assert_eq!(status, 400, "{body}");
    }
    let longest = "t".repeat(128);
    assert_eq!(
        mock.get(CREDENTIALS).tenant(&longest).send().await.status,
        200
    );
    let (status, names) = mock.admin("GET", "/__mock/tenants", None).await;
    assert_eq!(status, 200);
    assert!(
        !names["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "default"),
        "a refused name did not fall back to the default tenant: {names}"
    );
}

//! Integer literals outside their format's range are refused with the vendor's 400 naming the field,
//! however close to the bound — in bodies, path and query — and values at the bounds pass through exactly.
//! Bodies are sent as raw text: these literals do not survive a trip through a float.

mod common;

use common::Mock;
use serde_json::Value;

const MEDIUMS: &str = "/v1/customers/1001/access-mediums";
const I64_MIN_MINUS_ONE: &str = "-9223372036854775809";
const I64_MAX_PLUS_ONE: &str = "9223372036854775808";
const FAR: &str = "100000000000000000000000000000";

async fn post_raw(mock: &Mock, path: &str, body: String) -> common::Answer {
    mock.post(path, Value::Null)
        .raw_body(body, Some("application/json"))
        .send()
        .await
}

#[tokio::test]
async fn int64_body_fields_beyond_the_range_are_refused_naming_the_field() {
    let mock = Mock::start().await;
    for literal in [I64_MIN_MINUS_ONE, I64_MAX_PLUS_ONE, FAR, &format!("-{FAR}")] {
        let body = format!(r#"{{"id": {literal}, "type": "WALLET_PASS", "value": "x"}}"#);
        let answer = post_raw(&mock, MEDIUMS, body).await;
        assert_eq!(answer.status, 400, "{literal}: {:?}", answer.body);
        assert_eq!(answer.json()["reference"], "id", "{literal}");
    }
    // Nested in an array: ES Loyalty's physical cards.
    for literal in [I64_MIN_MINUS_ONE, I64_MAX_PLUS_ONE] {
        let body = format!(r#"{{"physicalCards": [{{"loyaltyId": {literal}}}]}}"#);
        let answer = post_raw(&mock, "/client/users/demo-active/cards", body).await;
        assert_eq!(answer.status, 400, "{literal}: {:?}", answer.body);
        assert_eq!(
            answer.json()["errorMessage"],
            "Invalid loyaltyId",
            "{literal}"
        );
    }
}

#[tokio::test]
async fn int64_bounds_are_accepted_and_echoed_exactly() {
    let mock = Mock::start().await;
    for literal in ["-9223372036854775808", "9223372036854775807"] {
        let body =
            format!(r#"{{"id": {literal}, "type": "WALLET_PASS", "value": "bound{literal}"}}"#);
        assert_eq!(
            post_raw(&mock, MEDIUMS, body).await.status,
            200,
            "{literal}"
        );
    }
    // A loyalty id at the top of the range is not in the pool: it comes back in errorList, digit for digit.
    let body = r#"{"physicalCards": [{"loyaltyId": 9223372036854775807}]}"#.to_owned();
    let answer = post_raw(&mock, "/client/users/demo-active/cards", body).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.json()["errorList"][0].as_i64(), Some(i64::MAX));
}

#[tokio::test]
async fn int32_body_fields_beyond_the_range_are_refused() {
    let mock = Mock::start().await;
    for literal in ["2147483648", "-2147483649", FAR] {
        let body = format!(r#"{{"quantity": {literal}}}"#);
        let answer = post_raw(&mock, "/client/users/demo-active/cards", body).await;
        assert_eq!(answer.status, 400, "{literal}");
        assert_eq!(answer.json()["errorCode"], "INVALID_REQUEST", "{literal}");
    }
}

#[tokio::test]
async fn path_and_query_integers_beyond_the_range_are_refused() {
    let mock = Mock::start().await;
    for literal in [I64_MIN_MINUS_ONE, I64_MAX_PLUS_ONE, FAR] {
        let answer = mock
            .get(&format!("/v1/customers/{literal}/access-code"))
            .send()
            .await;
        assert_eq!(answer.status, 400, "{literal}");
        assert_eq!(answer.json()["reference"], "customerId");
    }
    for literal in ["-9223372036854775808", "9223372036854775807"] {
        let answer = mock
            .get(&format!("/v1/customers/{literal}/access-code"))
            .send()
            .await;
        assert_eq!(answer.status, 404, "{literal} is a valid id of no customer");
    }
    let order = "/customers/1231122232/prepaid/cards/bulk/8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001";
    for literal in ["2147483648", "-2147483649", FAR] {
        let answer = mock.get(&format!("{order}?offset={literal}")).send().await;
        assert_eq!(answer.status, 400, "{literal}");
        assert_eq!(answer.json()["error"]["fieldErrors"][0]["field"], "offset");
    }
    let last = mock.get(&format!("{order}?offset=2147483647")).send().await;
    assert_eq!(last.status, 200);
    assert_eq!(last.json()["cards"], serde_json::json!([]));
}

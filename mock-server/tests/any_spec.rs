//! `--spec FILE`: the mock serves a document it was not built with — a plain OpenAPI 3.0 document with no
//! extensions — with validation, `Prefer`, the documented answers, its own `/openapi.json`, and a start-up
//! error naming the file when the document is broken.
// Needs the `cli` feature (the default); the light build runs the other tests.
#![cfg(feature = "cli")]

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;

use concord_mock::contract::Contract;
use concord_mock::{MockConfig, MockServer};
use serde_json::{Value, json};

const PLAIN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/plain-petstore.yaml"
);

async fn petstore() -> MockServer {
    let contract = Contract::load(std::path::Path::new(PLAIN)).expect("the document compiles");
    MockServer::start(MockConfig {
        demo_data: contract.demo_data(),
        contract: Some(Arc::new(contract)),
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

async fn json_of(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn a_plain_document_is_served_with_its_documented_answers_and_validation() {
    let server = petstore().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.url());

    let listed = http.get(url("/pets")).send().await.unwrap();
    assert_eq!(listed.status(), 200);
    assert_eq!(
        listed.json::<Value>().await.unwrap(),
        json!([{"id": 1, "name": "Rex"}, {"id": 2, "name": "Tom"}])
    );

    // Stateful: the documented examples are the demo data, a new pet takes the next integer id.
    let created = http
        .post(url("/pets"))
        .json(&json!({"name": "Bella", "tag": "cat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(
        created.json::<Value>().await.unwrap(),
        json!({"id": 3, "name": "Bella", "tag": "cat"})
    );
    let read = json_of(http.get(url("/pets/3"))).await;
    assert_eq!(read["name"], "Bella");
    let missing = http.get(url("/pets/9")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let missing: Value = missing.json().await.unwrap();
    assert_eq!(missing, json!({"message": "/pets/9 does not exist."}));

    // The same operation takes multipart/form-data, as documented: text parts are fields, a file part is
    // present without its bytes.
    let multipart = |parts: &str| {
        http.post(url("/pets"))
            .header("content-type", "multipart/form-data; boundary=b0und")
            .body(format!("{parts}--b0und--\r\n"))
    };
    let part = |name: &str, extra: &str, value: &str| {
        format!(
            "--b0und\r\nContent-Disposition: form-data; name=\"{name}\"{extra}\r\n\r\n{value}\r\n"
        )
    };
    let uploaded = multipart(&format!(
        "{}{}",
        part("name", "", "Kitty"),
        part("photo", "; filename=\"kitty.png\"", "\u{1}\u{2}")
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(uploaded.status(), 201);
    assert_eq!(uploaded.json::<Value>().await.unwrap()["name"], "Kitty");
    let missing_name = multipart(&part("tag", "", "cat")).send().await.unwrap();
    assert_eq!(missing_name.status(), 400);
    let text = missing_name.text().await.unwrap();
    assert!(text.contains("name"), "{text}");
    let garbled = http
        .post(url("/pets"))
        .header("content-type", "multipart/form-data; boundary=b0und")
        .body("not multipart at all")
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), 400);

    // Validation in the document's own terms: the missing field and the out-of-range query are named.
    let invalid = http
        .post(url("/pets"))
        .json(&json!({"tag": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 400);
    let text = invalid.text().await.unwrap();
    assert!(text.contains("name"), "{text}");
    let invalid = http.get(url("/pets?limit=1000")).send().await.unwrap();
    assert_eq!(invalid.status(), 400);
    let text = invalid.text().await.unwrap();
    assert!(text.contains("limit"), "{text}");
    // getPet documents no 400: a path parameter of the wrong type names no pet, its documented 404.
    let invalid = http.get(url("/pets/not-a-number")).send().await.unwrap();
    assert_eq!(invalid.status(), 404);
    let text = invalid.text().await.unwrap();
    assert!(text.contains("petId"), "{text}");

    // Any documented answer on request.
    let missing = http
        .get(url("/pets/7"))
        .header("prefer", "code=404")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap(),
        json!({"message": "Pet not found"})
    );

    // Paths it does not document, and its own document at /openapi.json.
    assert_eq!(http.get(url("/owners")).send().await.unwrap().status(), 404);
    let document = json_of(http.get(url("/openapi.json"))).await;
    assert_eq!(document["info"]["title"], "Plain Petstore");
    let yaml = http
        .get(url("/openapi.yaml"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(yaml.contains("Plain Petstore"), "{yaml}");
}

#[test]
fn the_binary_serves_spec_and_names_a_broken_document() {
    let (mut child, url) = common::process::spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "warn", "--spec", PLAIN])
            .stderr(Stdio::null()),
    );
    let listed = std::process::Command::new("curl")
        .args(["-s", "--max-time", "5", &format!("{url}/pets")])
        .output();
    let _ = child.kill();
    let _ = child.wait();
    if let Ok(listed) = listed {
        let listed: Value = serde_json::from_slice(&listed.stdout).unwrap();
        assert_eq!(listed[0]["name"], "Rex");
    }

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\ninfo: {title: x\n").unwrap();
    // Bounded: a document the mock accepted by mistake would otherwise be served forever.
    let output = Command::new("timeout")
        .arg("10")
        .arg(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--port", "0", "--spec"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.yaml"), "{stderr}");
}

const STORES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/plain-stores.yaml"
);

const LEDGER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/plain-ledger.yaml"
);

/// The plain stores API, its demo data taken from its documented examples.
async fn stores() -> (MockServer, Arc<Contract>) {
    serve(STORES).await
}

/// A plain document served, its demo data taken from its documented examples.
async fn serve(path: &str) -> (MockServer, Arc<Contract>) {
    let contract = Arc::new(Contract::load(std::path::Path::new(path)).expect("compiles"));
    let server = MockServer::start(MockConfig {
        contract: Some(contract.clone()),
        demo_data: contract.demo_data(),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    (server, contract)
}

/// Sends a request and checks the answer against the response the document declares for its status.
struct Client {
    http: reqwest::Client,
    base: String,
    contract: Arc<Contract>,
}

impl Client {
    async fn send(&self, operation: &str, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body: Option<Value> = (!text.is_empty()).then(|| serde_json::from_str(&text).unwrap());
        let op = self.contract.operation(operation).unwrap();
        if let Some(documented) = op.responses.get(&status) {
            let violations = documented.check(body.as_ref());
            assert!(
                violations.is_empty(),
                "{operation} {status} breaks its schema: {violations:?} in {text}"
            );
        }
        (status, body.unwrap_or(Value::Null))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

#[tokio::test]
async fn a_plain_document_gets_crud_from_its_paths_with_its_own_auth_bodies_and_errors() {
    let (server, contract) = stores().await;
    let c = Client {
        http: reqwest::Client::new(),
        base: server.url(),
        contract,
    };
    let basic = |r: reqwest::RequestBuilder| r.basic_auth("owner", Some("secret"));

    // The documented example works as written: the list shows its store, in the documented envelope.
    let (status, listed) = c
        .send(
            "listStores",
            c.http.get(c.url("/v1/stores?api_key=any-key")),
        )
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["object"], "list");
    assert_eq!(listed["url"], "/v1/stores");
    assert_eq!(listed["total_count"], 1);
    assert_eq!(listed["has_more"], false);
    assert_eq!(listed["data"][0]["name"], "Corner Shop");

    // No credential: the documented 401 in the document's own error schema.
    let (status, refused) = c.send("listStores", c.http.get(c.url("/v1/stores"))).await;
    assert_eq!(status, 401);
    assert!(refused["error"]["message"].is_string(), "{refused}");
    // A malformed Basic credential is no credential.
    let (status, _) = c
        .send(
            "listStores",
            c.http
                .get(c.url("/v1/stores"))
                .header("authorization", "Basic !!!"),
        )
        .await;
    assert_eq!(status, 401);

    // A form body, nested keys and numbers typed by the schema; a text id with the documented prefix.
    let (status, store) = c
        .send(
            "createStore",
            basic(c.http.post(c.url("/v1/stores"))).form(&[
                ("name", "Main Street"),
                ("opens_at", "9"),
                ("metadata[floor]", "2"),
            ]),
        )
        .await;
    assert_eq!(status, 200, "{store}");
    let id = store["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("st_") && id.len() > 20, "{id}");
    assert_eq!(store["object"], "store");
    assert_eq!(store["opens_at"], 9);
    assert_eq!(store["metadata"], json!({"floor": "2"}));
    assert!(store["created"].is_string());

    // Validation errors name the field in the document's own schema (`param`).
    let (status, invalid) = c
        .send(
            "createStore",
            basic(c.http.post(c.url("/v1/stores"))).form(&[("name", "A")]),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(invalid["error"]["param"], "name", "{invalid}");
    assert!(
        invalid["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name"),
        "{invalid}"
    );
    let wrong_media = basic(c.http.post(c.url("/v1/stores")))
        .json(&json!({"name": "Main Street"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_media.status(), 415);
    let text = wrong_media.text().await.unwrap();
    assert!(text.contains("application/x-www-form-urlencoded"), "{text}");

    // Read back, update, then the list has both.
    let store_url = c.url(&format!("/v1/stores/{id}"));
    let (status, read) = c.send("getStore", basic(c.http.get(&store_url))).await;
    assert_eq!((status, &read), (200, &store));
    let (status, updated) = c
        .send(
            "updateStore",
            basic(c.http.post(&store_url)).form(&[("name", "Renamed")]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["name"], "Renamed");
    assert_eq!(updated["opens_at"], 9);
    let (_, listed) = c
        .send(
            "listStores",
            c.http.get(c.url("/v1/stores?api_key=k&limit=1")),
        )
        .await;
    assert_eq!(listed["total_count"], 2);
    assert_eq!(listed["has_more"], true);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    // Members belong to their store; a header key or a bearer token (any, as no demo credential exists).
    let members = c.url(&format!("/v1/stores/{id}/members"));
    let (status, member) = c
        .send(
            "addMember",
            c.http
                .post(&members)
                .header("x-api-key", "k")
                .json(&json!({"email": "ana@example.com"})),
        )
        .await;
    assert_eq!(status, 201, "{member}");
    assert_eq!(member["id"], 1);
    assert_eq!(member["role"], "staff");
    assert_eq!(member["storeId"], id.as_str());
    let (status, invalid) = c
        .send(
            "addMember",
            c.http
                .post(&members)
                .bearer_auth("t")
                .json(&json!({"email": "not-an-email"})),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(invalid["status"], 400);
    assert_eq!(invalid["errors"][0]["field"], "email", "{invalid}");
    let (_, page) = c
        .send("listMembers", c.http.get(&members).bearer_auth("t"))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["meta"]["total"], 1);
    let (status, _) = c
        .send(
            "listMembers",
            c.http
                .get(&members)
                .header("cookie", "theme=dark; session=abc"),
        )
        .await;
    assert_eq!(status, 200, "an API key in a cookie");
    let (status, _) = c
        .send(
            "listMembers",
            c.http.get(&members).header("cookie", "theme=dark"),
        )
        .await;
    assert_eq!(status, 401);
    let seeded = c.url("/v1/stores/st_1MvSieLkdIwHu7ixn6SIxGdF/members");
    let (_, other) = c
        .send("listMembers", c.http.get(&seeded).bearer_auth("t"))
        .await;
    assert_eq!(other["items"], json!([]));
    let (status, _) = c
        .send(
            "getMember",
            c.http.get(format!("{seeded}/1")).bearer_auth("t"),
        )
        .await;
    assert_eq!(status, 404, "a member is not found under another store");
    let (status, missing_parent) = c
        .send(
            "addMember",
            c.http
                .post(c.url("/v1/stores/st_nope/members"))
                .bearer_auth("t")
                .json(&json!({"email": "a@example.com"})),
        )
        .await;
    assert_eq!(status, 404);
    assert!(
        missing_parent["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("st_nope"),
        "{missing_parent}"
    );

    // Delete, then the documented 404.
    let member_url = format!("{members}/1");
    let (status, _) = c
        .send("removeMember", c.http.delete(&member_url).bearer_auth("t"))
        .await;
    assert_eq!(status, 204);
    let (status, gone) = c
        .send("getMember", c.http.get(&member_url).bearer_auth("t"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(gone["status"], 404);
    let (status, _) = c
        .send("deleteStore", basic(c.http.delete(&store_url)))
        .await;
    assert_eq!(status, 204);
    let (status, gone) = c.send("getStore", basic(c.http.get(&store_url))).await;
    assert_eq!(status, 404);
    assert_eq!(gone["error"]["type"], "invalid_request_error", "{gone}");
    assert!(
        gone["error"]["message"].as_str().unwrap().contains(&id),
        "{gone}"
    );

    // Any documented answer on request, on any document.
    let (status, forced) = c
        .send(
            "getStore",
            basic(c.http.get(c.url("/v1/stores/st_1MvSieLkdIwHu7ixn6SIxGdF")))
                .header("prefer", "code=404"),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(forced["error"]["message"], "No such store");

    // Unknown paths under the API's prefix answer in the error schema its operations use most.
    let unknown = c.http.get(c.url("/v1/nothing")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(
        unknown,
        json!({"status": 404, "errors": [{"detail": "No operation matches GET /v1/nothing."}]})
    );
}

#[tokio::test]
async fn tenants_of_a_plain_document_do_not_see_each_other() {
    let (server, contract) = stores().await;
    let c = Client {
        http: reqwest::Client::new(),
        base: server.url(),
        contract,
    };
    let tenant = |t: &str, r: reqwest::RequestBuilder| {
        r.basic_auth("u", Some("p"))
            .header(concord_mock::TENANT_HEADER, t)
    };
    let (status, store) = c
        .send(
            "createStore",
            tenant("ana", c.http.post(c.url("/v1/stores"))).form(&[("name", "Ana's")]),
        )
        .await;
    assert_eq!(status, 200);
    let url = c.url(&format!("/v1/stores/{}", store["id"].as_str().unwrap()));
    assert_eq!(
        c.send("getStore", tenant("ana", c.http.get(&url))).await.0,
        200
    );
    assert_eq!(
        c.send("getStore", tenant("ben", c.http.get(&url))).await.0,
        404
    );
    let (_, listed) = c
        .send("listStores", tenant("ben", c.http.get(c.url("/v1/stores"))))
        .await;
    assert_eq!(listed["total_count"], 1, "ben sees the demo data only");
}

#[test]
fn explain_prints_the_inferred_rules_and_demo_data() {
    let output = Command::new(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--spec", STORES, "--explain"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let explained: Value = serde_yaml_ng::from_slice(&output.stdout).unwrap();
    let create = &explained["operations"]["POST /v1/stores (createStore)"]["x-concord-rules"];
    assert_eq!(create[0]["create"], "entity", "{create}");
    assert_eq!(
        explained["demo data"]["v1.stores"]["st_1MvSieLkdIwHu7ixn6SIxGdF"]["name"],
        "Corner Shop"
    );
}

#[test]
fn several_documents_are_served_on_one_origin_and_a_shared_path_is_refused() {
    let (mut child, url) = common::process::spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args([
                "--port", "0", "--log", "warn", "--spec", PLAIN, "--spec", STORES,
            ])
            .stderr(Stdio::null()),
    );
    let get = |path: &str| {
        Command::new("curl")
            .args(["-s", "--max-time", "5", &format!("{url}{path}")])
            .output()
            .map(|o| serde_json::from_slice::<Value>(&o.stdout).unwrap_or(Value::Null))
    };
    let pets = get("/pets");
    let stores = get("/v1/stores?api_key=any");
    let document = get("/openapi.json");
    let _ = child.kill();
    let _ = child.wait();
    if let (Ok(pets), Ok(stores), Ok(document)) = (pets, stores, document) {
        assert_eq!(pets[0]["name"], "Rex", "{pets}");
        assert_eq!(stores["data"][0]["name"], "Corner Shop", "{stores}");
        assert_eq!(document["info"]["title"], "Plain Petstore + Plain Stores");
        // No component name is shared, so none is renamed (a shared one is: contract::merge's unit test).
        let schemas = &document["components"]["schemas"];
        assert!(schemas["Pet"].is_object() && schemas["Store"].is_object());
    }

    let output = Command::new("timeout")
        .arg("10")
        .arg(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--port", "0", "--spec", PLAIN, "--spec", PLAIN])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("path /pets is in both"), "{stderr}");
}

#[tokio::test]
async fn the_self_check_asks_for_every_documented_answer_and_finds_an_example_that_breaks_its_schema()
 {
    for path in [PLAIN, STORES, LEDGER] {
        let contract = Arc::new(Contract::load(std::path::Path::new(path)).unwrap());
        let report = concord_mock::self_check::every_documented_answer(
            contract.clone(),
            contract.demo_data(),
        )
        .await;
        assert!(report.pairs > 5, "{path}");
        // Each inferred resource is walked through: create, read, list, update, delete.
        assert!(report.flow_requests >= 3, "{path}: {report:?}");
        assert!(report.findings.is_empty(), "{path}: {:?}", report.findings);
    }
    // A documented example whose id is text where the schema says integer.
    let text = std::fs::read_to_string(PLAIN).unwrap().replace(
        "example: {id: 1, name: Rex}",
        "example: {id: one, name: Rex}",
    );
    let document: Value = serde_yaml_ng::from_str(&text).unwrap();
    let contract = Arc::new(Contract::compile(document).unwrap());
    let report =
        concord_mock::self_check::every_documented_answer(contract.clone(), Default::default())
            .await;
    let findings: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].starts_with("getPet 200: id"), "{findings:?}");
}

#[test]
fn the_binary_self_checks_a_document_and_fails_on_a_finding() {
    let run = |args: &[&str]| {
        Command::new("timeout")
            .arg("60")
            .arg(env!("CARGO_BIN_EXE_concord-mock"))
            .args(args)
            .output()
            .unwrap()
    };
    let embedded = run(&["--self-check"]);
    assert_eq!(embedded.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&embedded.stdout).contains("0 wrong"));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    let text = std::fs::read_to_string(PLAIN).unwrap().replace(
        "example: {id: 1, name: Rex}",
        "example: {id: one, name: Rex}",
    );
    std::fs::write(&broken, text).unwrap();
    let output = run(&["--self-check", "--spec", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The broken example is demo data too, so the list of the walk through pets shows it again.
    assert!(
        stdout.contains("getPet 200")
            && stdout.contains("listPets 200: walking through /pets")
            && stdout.contains("2 wrong"),
        "{stdout}"
    );
}

#[tokio::test]
async fn nullable_fields_take_null_in_requests_and_documented_answers() {
    // The petstore with `tag` nullable in the request body and in Pet, and a documented pet without one.
    let text = std::fs::read_to_string(PLAIN)
        .unwrap()
        .replace("tag: {type: string}", "tag: {type: string, nullable: true}")
        .replace(
            "example: {id: 1, name: Rex}",
            "example: {id: 1, name: Rex, tag: null}",
        );
    assert_eq!(text.matches("nullable: true").count(), 3);
    let document: Value = serde_yaml_ng::from_str(&text).unwrap();
    let contract = Arc::new(Contract::compile(document).unwrap());
    let report =
        concord_mock::self_check::every_documented_answer(contract.clone(), contract.demo_data())
            .await;
    assert!(report.findings.is_empty(), "{:?}", report.findings);

    let server = MockServer::start(MockConfig {
        demo_data: contract.demo_data(),
        contract: Some(contract),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let create = |body: Value| {
        http.post(format!("{}/pets", server.url()))
            .json(&body)
            .send()
    };
    let created = create(json!({"name": "Bella", "tag": null})).await.unwrap();
    assert_eq!(created.status(), 201);
    // Null is allowed, not any type: a number is still refused, and a non-nullable field refuses null.
    assert_eq!(
        create(json!({"name": "Bella", "tag": 5}))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(create(json!({"name": null})).await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_body_too_large_for_a_real_operation_is_its_documented_413_journaled_under_it() {
    let text = std::fs::read_to_string(PLAIN).unwrap().replacen(
        "        '201':\n",
        "        '413':\n          description: Too large\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Error'}\n              example: {message: The pet is too large}\n        '201':\n",
        1,
    );
    let document: Value = serde_yaml_ng::from_str(&text).unwrap();
    let contract = Arc::new(Contract::compile(document).unwrap());
    assert!(
        contract
            .operations
            .iter()
            .any(|op| op.id == "createPet" && op.responses.contains_key(&413))
    );
    let server = MockServer::start(MockConfig {
        demo_data: contract.demo_data(),
        contract: Some(contract),
        body_limit: 1024,
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let answer = http
        .post(format!("{}/pets", server.url()))
        .header("content-type", "application/json")
        .body(format!("{{\"name\": \"{}\"}}", "x".repeat(4096)))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 413);
    let body: Value = answer.json().await.unwrap();
    // The document's error schema ({message}), saying why.
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["message"],
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("1024 bytes"),
        "{body}"
    );
    let journal = json_of(http.get(format!("{}/__mock/requests", server.url()))).await;
    let entry = &journal["requests"][0];
    assert_eq!(entry["status"], 413, "{entry}");
    assert_eq!(entry["operation"], "createPet", "{entry}");
}

#[tokio::test]
async fn inferred_answers_fill_what_their_schemas_require_and_the_state_does_not() {
    let (server, contract) = serve(LEDGER).await;
    let c = Client {
        http: reqwest::Client::new(),
        base: server.url(),
        contract,
    };
    let bearer = |r: reqwest::RequestBuilder| r.bearer_auth("any-token");
    // Every answer below is also checked against its schema by `Client::send`.
    let (status, account) = c
        .send(
            "createAccount",
            bearer(c.http.post(c.url("/v1/accounts"))).json(&json!({"name": "Savings"})),
        )
        .await;
    assert_eq!(status, 201, "{account}");
    // A single-value enum, the schema's default, the property's example, a value of its type.
    assert_eq!(account["object"], "account");
    assert_eq!(account["currency"], "eur");
    assert_eq!(account["status"], "open");
    assert_eq!(account["livemode"], false);
    let id = account["id"].as_str().unwrap().to_owned();
    let (status, list) = c
        .send("listAccounts", bearer(c.http.get(c.url("/v1/accounts"))))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["object"], "list", "{list}");
    assert_eq!(list["url"], "/v1/accounts", "{list}");
    assert_eq!(list["has_more"], false, "{list}");
    assert_eq!(list["data"][0]["id"], id.as_str());
    let entries = format!("/v1/accounts/{id}/entries");
    let (status, entry) = c
        .send(
            "createEntry",
            bearer(c.http.post(c.url(&entries))).json(&json!({"amount": 250})),
        )
        .await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["object"], "ledger_entry");
    let (_, page) = c
        .send("listEntries", bearer(c.http.get(c.url(&entries))))
        .await;
    assert_eq!(page["object"], "list", "{page}");
    let entry_path = format!("{entries}/{}", entry["id"].as_str().unwrap());
    let (status, gone) = c
        .send("deleteEntry", bearer(c.http.delete(c.url(&entry_path))))
        .await;
    assert_eq!(status, 200);
    assert_eq!(gone["deleted"], true, "{gone}");
    let (status, gone) = c
        .send(
            "deleteAccount",
            bearer(c.http.delete(c.url(&format!("/v1/accounts/{id}")))),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (gone["deleted"].clone(), gone["id"].clone()),
        (json!(true), json!(id))
    );
}

/// Redaction follows the document's own security schemes, whatever their names: an API key in the query,
/// in a header of any name, in a cookie, HTTP Basic and Bearer — none reaches the journal, the state
/// export or the logs (demo credentials, which are public, are named separately for replay).
#[tokio::test]
async fn credentials_are_redacted_as_the_documents_security_schemes_place_them() {
    let logs = tempfile::NamedTempFile::new().unwrap();
    let (mut child, url) = common::process::spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "debug", "--spec", STORES])
            .stderr(Stdio::from(logs.reopen().unwrap())),
    );
    let client = reqwest::Client::new();
    let tenant = "redaction";
    let store = "st_1MvSieLkdIwHu7ixn6SIxGdF";
    let sent = [
        client.get(format!("{url}/v1/stores?limit=1&api_key=query-secret-41c7")),
        client
            .get(format!("{url}/v1/stores/{store}/members"))
            .header("X-Api-Key", "header-secret-93ad"),
        client
            .get(format!("{url}/v1/stores/{store}/members"))
            .header("cookie", "theme=dark; session=cookie-secret-5e21"),
        client
            .get(format!("{url}/v1/stores/{store}/members"))
            .bearer_auth("bearer-secret-0b8f"),
        client
            .get(format!("{url}/v1/stores"))
            .basic_auth("owner", Some("basic-secret-77e2")),
    ];
    for request in sent {
        let answer = request
            .header("x-mock-tenant", tenant)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    let mut stored = String::new();
    for path in [
        "/__mock/requests?tenant=redaction",
        "/__mock/state?tenant=redaction",
    ] {
        let answer = client.get(format!("{url}{path}")).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
        stored.push_str(&answer.text().await.unwrap());
    }
    let _ = child.kill();
    let _ = child.wait();
    let logged = std::fs::read_to_string(logs.path()).unwrap();
    assert!(stored.contains("api_key=***"), "{stored}");
    assert!(stored.contains("listMembers"), "{stored}");
    for secret in [
        "query-secret-41c7",
        "header-secret-93ad",
        "cookie-secret-5e21",
        "bearer-secret-0b8f",
        "basic-secret-77e2",
        // `owner:basic-secret-77e2` in base64.
        "b3duZXI6YmFzaWMtc2VjcmV0LTc3ZTI",
    ] {
        for (what, text) in [("the admin API", &stored), ("the logs", &logged)] {
            assert!(!text.contains(secret), "{what} holds {secret}: {text}");
        }
    }
}

//! The web page under `/__mock/ui/`: served from the binary (also from an empty folder), every answer
//! with the strict Content-Security-Policy, the vendored Swagger UI unchanged (checksums recomputed), and
//! the explorer's contract pointing "try it" at this origin only. Browser behaviour: tests/browser/.
// Needs the `cli` feature (the default); the light build runs the other tests.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use concord_mock::MockServer;
use concord_mock::ui::{CONTENT_SECURITY_POLICY, UI_PATH};
use serde_json::Value;
use sha2::{Digest, Sha256};

const UI_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui");

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn files_on_disk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            files_on_disk(&entry.path(), &format!("{name}/"), out);
        } else {
            out.push(name);
        }
    }
}

#[test]
fn the_vendored_swagger_ui_matches_its_recorded_checksums() {
    let dir = Path::new(UI_DIR).join("vendor/swagger-ui");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("VENDOR.json")).unwrap()).unwrap();
    assert_eq!(manifest["package"], "swagger-ui-dist");
    assert_eq!(manifest["license"], "Apache-2.0");
    assert!(manifest["version"].as_str().is_some_and(|v| !v.is_empty()));
    let sums = manifest["sha256"].as_object().unwrap();
    for required in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "LICENSE",
        "NOTICE",
    ] {
        assert!(sums.contains_key(required), "{required} is recorded");
    }
    let mut on_disk = Vec::new();
    files_on_disk(&dir, "", &mut on_disk);
    on_disk.retain(|f| f != "VENDOR.json");
    on_disk.sort();
    let mut recorded: Vec<String> = sums.keys().cloned().collect();
    recorded.sort();
    assert_eq!(
        on_disk, recorded,
        "every vendored file is recorded, and only those"
    );
    for (file, expected) in sums {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            &actual,
            expected.as_str().unwrap(),
            "{file} differs from the vendored release; run mock-server/scripts/upgrade-swagger-ui.sh"
        );
    }
}

#[tokio::test]
async fn every_file_is_embedded_and_served_with_the_security_headers() {
    let server = MockServer::start_default().await.unwrap();
    let http = client();
    let mut on_disk = Vec::new();
    files_on_disk(Path::new(UI_DIR), "", &mut on_disk);
    let mut embedded = concord_mock::ui::files();
    embedded.sort();
    on_disk.sort();
    assert_eq!(
        embedded, on_disk,
        "the binary embeds exactly the ui/ folder"
    );
    for file in &on_disk {
        let response = http
            .get(format!("{}{UI_PATH}{file}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{file}");
        let headers = response.headers().clone();
        assert_eq!(
            headers["content-security-policy"], CONTENT_SECURITY_POLICY,
            "{file}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let etag = headers["etag"].clone();
        let body = response.bytes().await.unwrap();
        assert_eq!(
            body.as_ref(),
            std::fs::read(Path::new(UI_DIR).join(file)).unwrap(),
            "{file}"
        );
        let again = http
            .get(format!("{}{UI_PATH}{file}", server.url()))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(
            again.status(),
            304,
            "{file}: an unchanged file is not sent twice"
        );
    }
    let types = [
        ("", "text/html; charset=utf-8"),
        ("dashboard.js", "text/javascript; charset=utf-8"),
        ("ui.css", "text/css; charset=utf-8"),
    ];
    for (file, content_type) in types {
        let response = http
            .get(format!("{}{UI_PATH}{file}", server.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-type"], content_type, "{file}");
    }
    let missing = http
        .get(format!("{}{UI_PATH}nope.js", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.headers()["content-security-policy"],
        CONTENT_SECURITY_POLICY
    );
    server.shutdown().await;
}

#[tokio::test]
async fn the_root_redirects_to_the_page() {
    let server = MockServer::start_default().await.unwrap();
    let response = client().get(server.url()).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], UI_PATH);
    assert_eq!(
        response.headers()["content-security-policy"],
        CONTENT_SECURITY_POLICY
    );
    server.shutdown().await;
}

#[test]
fn the_policy_allows_no_inline_script_and_nothing_from_elsewhere() {
    let directives: Vec<&str> = CONTENT_SECURITY_POLICY.split(';').map(str::trim).collect();
    assert!(directives.contains(&"default-src 'self'"));
    assert!(directives.contains(&"script-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    assert!(!CONTENT_SECURITY_POLICY.contains("http"));
    // No page carries inline script, inline handlers or inline styles (the policy would block them).
    let mut files = Vec::new();
    files_on_disk(Path::new(UI_DIR), "", &mut files);
    for file in files.iter().filter(|f| f.ends_with(".html")) {
        let html = std::fs::read_to_string(Path::new(UI_DIR).join(file)).unwrap();
        for script in html.split("<script").skip(1) {
            let (attributes, rest) = script.split_once('>').unwrap();
            assert!(
                attributes.contains(" src=") && rest.starts_with("</script>"),
                "{file}: inline script"
            );
        }
        for inline in [" onclick=", " onload=", " style=", "<style"] {
            assert!(!html.contains(inline), "{file}: {inline}");
        }
    }
}

#[tokio::test]
async fn the_explorer_calls_this_origin_only() {
    let server = MockServer::start_default().await.unwrap();
    let get_json = |url: String| async move {
        let response = client().get(url).send().await.unwrap();
        response.json::<Value>().await.unwrap()
    };
    let document = get_json(format!("{}{UI_PATH}openapi.json", server.url())).await;
    assert_eq!(
        document["servers"],
        serde_json::json!([{"url": "/", "description": "This mock server (the page's own origin)"}])
    );
    let text = document.to_string();
    assert!(
        !text.contains("\"servers\":[{\"url\":\"http"),
        "no vendor server is left"
    );
    for (path, item) in document["paths"].as_object().unwrap() {
        assert!(item.get("servers").is_none(), "{path}");
        for operation in item.as_object().unwrap().values() {
            assert!(operation.get("servers").is_none(), "{path}");
        }
    }
    let full = get_json(format!("{}/openapi.json", server.url())).await;
    assert_eq!(
        document["paths"].as_object().unwrap().len(),
        full["paths"].as_object().unwrap().len()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_binary_started_from_an_empty_folder_serves_the_page_and_prints_its_url() {
    let empty = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord-mock"))
        .args(["--port", "0", "--log", "warn"])
        .current_dir(empty.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    assert!(
        second.contains(&format!("{url}{UI_PATH}")),
        "the page's URL is printed: {second}"
    );
    let http = reqwest::Client::new();
    for file in [
        "",
        "explorer.html",
        "vendor/swagger-ui/swagger-ui-bundle.js",
    ] {
        let response = http
            .get(format!("{url}{UI_PATH}{file}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{file}");
    }
    // Following the redirect from the printed URL lands on the dashboard.
    let page = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<title>Concord mock — dashboard</title>"));
    child.kill().unwrap();
    child.wait().unwrap();
}

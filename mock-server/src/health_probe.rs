//! `concord-mock --health-check`: one `GET /__mock/health` to the mock on this machine, for a container's
//! health check (the image is the binary alone: no curl, no shell). Exit 0 when it answers 200 with
//! `"status":"ok"`, 1 otherwise, within three seconds.

use std::process::ExitCode;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The longest the probe waits, connecting included.
const DEADLINE: Duration = Duration::from_secs(3);

/// Asks `127.0.0.1:<port>` and prints the answer's first line.
pub async fn probe(port: u16, admin_token: Option<&str>) -> ExitCode {
    match tokio::time::timeout(DEADLINE, ask(port, admin_token)).await {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(why)) => {
            eprintln!("unhealthy: {why}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("unhealthy: no answer from 127.0.0.1:{port} within {DEADLINE:?}");
            ExitCode::FAILURE
        }
    }
}

async fn ask(port: u16, admin_token: Option<&str>) -> Result<(), String> {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot connect to 127.0.0.1:{port}: {e}"))?;
    let authorization = admin_token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET /__mock/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{authorization}Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("cannot send: {e}"))?;
    let mut answer = Vec::new();
    // The health answer is small; more than this is not a health answer.
    stream
        .take(256 * 1024)
        .read_to_end(&mut answer)
        .await
        .map_err(|e| format!("cannot read: {e}"))?;
    let text = String::from_utf8_lossy(&answer);
    let status_line = text.lines().next().unwrap_or_default();
    if status_line.split(' ').nth(1) == Some("200") && text.contains("\"status\":\"ok\"") {
        println!("healthy: {status_line}");
        Ok(())
    } else {
        Err(format!("the mock answered {status_line:?}"))
    }
}

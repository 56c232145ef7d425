//! A throwaway `redis-server` (Debian's package) on a free loopback port, killed on drop. Tests that need
//! it fail when it is missing under `CONCORD_REQUIRE_REDIS=1` (set by `.ci/run`); elsewhere they skip,
//! saying so, so `cargo test` still passes on a machine without Redis.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub port: u16,
}

impl RedisServer {
    /// Starts one, or `None` (with a message) when redis-server is not installed and not required.
    pub fn start() -> Option<RedisServer> {
        RedisServer::start_on(free_port())
    }

    /// Starts one on `port` (to restart a stopped one where its clients expect it).
    pub fn start_on(port: u16) -> Option<RedisServer> {
        RedisServer::start_with(port, &[])
    }

    /// Starts one on `port` with extra `redis-server` arguments.
    pub fn start_with(port: u16, extra: &[&str]) -> Option<RedisServer> {
        // Its own working folder: files Redis writes (an append-only file once a test turns it on) stay out
        // of the checkout.
        let dir = std::env::temp_dir().join(format!("concord-redis-{port}"));
        std::fs::create_dir_all(&dir).expect("a folder for redis-server");
        let spawned = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--port", &port.to_string()])
            .arg("--dir")
            .arg(&dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) if std::env::var_os("CONCORD_REQUIRE_REDIS").is_none() => {
                eprintln!(
                    "SKIPPED: redis-server could not start ({e}); `apt-get install redis-server` to run this test"
                );
                return None;
            }
            Err(e) => {
                panic!("redis-server is required (CONCORD_REQUIRE_REDIS) but did not start: {e}")
            }
        };
        let server = RedisServer { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.answers_ping() {
            assert!(
                Instant::now() < deadline,
                "redis-server on {port} never answered PING"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn answers_ping(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
        let mut reply = [0u8; 7];
        stream.write_all(b"PING\r\n").is_ok()
            && stream.read_exact(&mut reply).is_ok()
            && &reply == b"+PONG\r\n"
    }

    /// Kills it (SIGKILL: Redis vanishes as in a crash) and waits until the port is closed.
    pub fn kill(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // A restarted server on the same port shares the folder; whichever ends last removes it.
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir().join(format!("concord-redis-{}", self.port)),
        );
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A key prefix no other test uses, so tests can share one server.
pub fn unique_prefix(label: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "test-{label}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

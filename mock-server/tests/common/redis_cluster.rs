//! A throwaway Redis Cluster: `redis-server` nodes in cluster mode on free loopback ports, joined by
//! `redis-cli --cluster create` (both from Debian's `redis-server` package), killed on drop. Skipped like
//! a single server when Redis is not installed and not required.

use std::process::Command;
use std::time::{Duration, Instant};

use super::redis_server::{RedisServer, free_port};

pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// `masters` masters (at least 3), each with `replicas` replicas; returns once every slot is served
    /// and every replica has caught up with its master.
    pub fn start(masters: usize, replicas: usize) -> Option<RedisCluster> {
        let mut nodes = Vec::new();
        for _ in 0..masters * (1 + replicas) {
            // A node's cluster bus is its port + 10000: keep both in range.
            let port = loop {
                let port = free_port();
                if port < 55_000 {
                    break port;
                }
            };
            let node = RedisServer::start_with(
                port,
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    // A dead master is noticed (and its replica promoted) within about a second.
                    "--cluster-node-timeout",
                    "1000",
                ],
            )?;
            nodes.push(node);
        }
        let cluster = RedisCluster { nodes };
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(
                cluster
                    .nodes
                    .iter()
                    .map(|n| format!("127.0.0.1:{}", n.port)),
            )
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .output()
            .expect("redis-cli (Debian's redis-tools) to create the cluster");
        assert!(
            created.status.success(),
            "redis-cli --cluster create: {}",
            String::from_utf8_lossy(&created.stdout)
        );
        cluster.wait_until_ready(Duration::from_secs(30));
        Some(cluster)
    }

    /// The URL a mock is given: every node, in the cluster scheme.
    pub fn url(&self) -> String {
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        format!("redis+cluster://{}", nodes.join(","))
    }

    fn wait_until_ready(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let ready = self.nodes.iter().all(|node| {
                let info = cli(node.port, &["cluster", "info"]);
                let replication = cli(node.port, &["info", "replication"]);
                info.contains("cluster_state:ok")
                    && !replication.contains("master_link_status:down")
                    && !replication.contains("master_sync_in_progress:1")
            });
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "the cluster never became ready");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The port of the master that serves `key` now, as a live node sees it; none while nobody does (a
    /// failed master not yet replaced).
    pub fn master_of(&self, key: &str) -> Option<u16> {
        let port = self.nodes[0].port;
        let slot: u16 = cli(port, &["cluster", "keyslot", key])
            .trim()
            .parse()
            .unwrap();
        for line in cli(port, &["cluster", "nodes"]).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if !fields.get(2).is_some_and(|flags| flags.contains("master"))
                || fields.get(2).is_some_and(|flags| flags.contains("fail"))
            {
                continue;
            }
            let serves = fields.iter().skip(8).any(|range| {
                let (from, to) = range.split_once('-').unwrap_or((range, range));
                match (from.parse::<u16>(), to.parse::<u16>()) {
                    (Ok(from), Ok(to)) => (from..=to).contains(&slot),
                    _ => false,
                }
            });
            if serves {
                let address = fields[1].split('@').next().unwrap();
                return address.rsplit(':').next().unwrap().parse().ok();
            }
        }
        None
    }

    /// Kills the node on `port` (SIGKILL, as in a crash).
    pub fn kill(&mut self, port: u16) {
        let at = self.nodes.iter().position(|n| n.port == port).unwrap();
        self.nodes.remove(at).kill();
    }
}

/// `redis-cli -p <port> <args>`'s output.
pub fn cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

//! One connection to Redis for the whole process — a single server or a Redis Cluster — that reconnects by
//! itself, every call bounded by the configured timeout.
//!
//! A cluster is named by `redis+cluster://host:port,host:port` (`rediss+cluster://` with TLS) or by several
//! comma-separated `redis://` URLs; any one reachable node is enough, the client learns the rest. Every
//! script's keys share one hash tag (a tenant's, the fault rules', the journal's), so each runs on the one
//! master that owns that slot, and a guarded commit stays atomic there.

use std::future::Future;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::{
    Cmd, FromRedisValue, Pipeline, RedisError, RedisFuture, RedisResult, ServerErrorKind, Value,
};

use super::{RedisConfig, StoreError};

/// A connection to a single Redis or to a Redis Cluster; cheap to clone (clones share the connection).
#[derive(Clone)]
pub(crate) enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(conn) => conn.req_packed_command(cmd),
            Connection::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(conn) => conn.get_db(),
            Connection::Cluster(conn) => conn.get_db(),
        }
    }
}

impl Connection {
    /// A pipeline or transaction whose keys are all in the slot of `key`. A cluster's client follows a plain
    /// command's redirect (and learns the new slot map) but not a transaction's, which comes back aborted:
    /// after a failover it would go on asking the old master. On such an answer a plain command on the same
    /// slot makes the client learn the map, and the pipeline is sent once more.
    pub(crate) async fn query_on_slot<T: FromRedisValue>(
        &mut self,
        pipeline: &Pipeline,
        key: &str,
    ) -> RedisResult<T> {
        match pipeline.query_async(self).await {
            Err(e) if matches!(self, Connection::Cluster(_)) && redirected(&e) => {
                let _: RedisResult<Value> = redis::cmd("EXISTS").arg(key).query_async(self).await;
                pipeline.query_async(self).await
            }
            answer => answer,
        }
    }
}

/// Whether an error says the slot is served elsewhere, or not yet.
fn redirected(error: &RedisError) -> bool {
    error.clone().into_server_errors().is_some_and(|errors| {
        errors.iter().any(|(_, e)| {
            matches!(
                e.kind(),
                Some(
                    ServerErrorKind::Moved
                        | ServerErrorKind::Ask
                        | ServerErrorKind::TryAgain
                        | ServerErrorKind::ClusterDown
                        | ServerErrorKind::MasterDown
                )
            )
        })
    })
}

/// The nodes of a cluster URL, each as a `redis://` (or `rediss://`) URL; none for a single server's URL.
pub(crate) fn cluster_nodes(url: &str) -> Option<Vec<String>> {
    let scheme_end = url.find("://")?;
    let (scheme, rest) = (&url[..scheme_end], &url[scheme_end + 3..]);
    if let Some(base) = scheme.strip_suffix("+cluster") {
        // `redis+cluster://[user:pass@]h1:p1,h2:p2[/db][?query]`: the credentials and the tail go to each.
        let (userinfo, hosts) = match rest.rfind('@') {
            Some(at) => (&rest[..=at], &rest[at + 1..]),
            None => ("", rest),
        };
        let tail_at = hosts.find(['/', '?']).unwrap_or(hosts.len());
        let (hosts, tail) = hosts.split_at(tail_at);
        let nodes: Vec<String> = hosts
            .split(',')
            .map(str::trim)
            .filter(|host| !host.is_empty())
            .map(|host| format!("{base}://{userinfo}{host}{tail}"))
            .collect();
        return Some(nodes);
    }
    url.contains(',').then(|| {
        url.split(',')
            .map(str::trim)
            .filter(|node| !node.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

/// One Redis call within `timeout`: a Redis that is down or stalled costs the timeout, never a hang.
pub(crate) async fn bounded<T>(
    what: &str,
    timeout: Duration,
    future: impl Future<Output = RedisResult<T>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(timeout, future).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(StoreError::caused(format!("redis {what}"), e)),
        Err(_) => Err(StoreError::new(format!(
            "redis {what}: no answer within {timeout:?}"
        ))),
    }
}

/// A connection to the configured Redis or Redis Cluster (failing within the timeout if none answers).
pub(crate) async fn connect(config: &RedisConfig) -> Result<Connection, StoreError> {
    let connecting = async {
        match cluster_nodes(&config.url) {
            Some(nodes) => cluster(config, nodes).await,
            None => single(config).await,
        }
    };
    tokio::time::timeout(config.timeout * 2, connecting)
        .await
        .map_err(|_| StoreError::new(format!("redis at {}: no answer", config.url)))?
}

async fn single(config: &RedisConfig) -> Result<Connection, StoreError> {
    let client = redis::Client::open(config.url.as_str())
        .map_err(|e| StoreError::caused(format!("redis URL {}", config.url), e))?;
    let manager = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(config.timeout))
        .set_response_timeout(Some(config.timeout))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500));
    ConnectionManager::new_with_config(client, manager)
        .await
        .map(Connection::Single)
        .map_err(|e| StoreError::caused(format!("redis at {}", config.url), e))
}

async fn cluster(config: &RedisConfig, nodes: Vec<String>) -> Result<Connection, StoreError> {
    if nodes.is_empty() {
        return Err(StoreError::new(format!(
            "redis URL {}: names no cluster node",
            config.url
        )));
    }
    // Retries cover a master's failover (MOVED, a node gone): the client refreshes its slot map and
    // sends again, each request still bounded by the timeout around it.
    let client = ClusterClient::builder(nodes)
        .connection_timeout(config.timeout)
        .response_timeout(config.timeout)
        .retries(3)
        .max_retry_wait(500)
        .build()
        .map_err(|e| StoreError::caused(format!("redis cluster URL {}", config.url), e))?;
    client
        .get_async_connection()
        .await
        .map(Connection::Cluster)
        .map_err(|e| StoreError::caused(format!("redis cluster at {}", config.url), e))
}

/// A warning when Redis keeps writes only in memory (no append-only file): a crash or `kill -9` of Redis
/// then loses writes the mock has acknowledged. None when the AOF is on, or when Redis does not let
/// clients read its configuration (managed services), which says nothing either way.
pub(crate) async fn persistence_warning(conn: &mut Connection, url: &str) -> Option<String> {
    let aof: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("appendonly")
        .query_async(conn)
        .await
        .ok()?;
    if aof.get(1).is_none_or(|v| v != "no") {
        return None;
    }
    let save: Vec<String> = redis::cmd("CONFIG")
        .arg("GET")
        .arg("save")
        .query_async(conn)
        .await
        .unwrap_or_default();
    let snapshots = save.get(1).filter(|v| !v.trim().is_empty());
    Some(format!(
        "redis at {url} has no append-only file (appendonly no{}): if Redis crashes or is killed, writes the \
         mock acknowledged {} are lost. For state that must survive, run Redis with --appendonly yes.",
        snapshots.map_or(String::new(), |s| format!(", RDB snapshots \"{s}\"")),
        if snapshots.is_some() {
            "since the last snapshot"
        } else {
            "all"
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::cluster_nodes;

    #[test]
    fn a_single_servers_url_is_no_cluster() {
        assert_eq!(cluster_nodes("redis://127.0.0.1:6379/0"), None);
        assert_eq!(cluster_nodes("rediss://user:secret@host:6380"), None);
    }

    #[test]
    fn a_cluster_scheme_gives_each_node_the_credentials_and_the_tail() {
        assert_eq!(
            cluster_nodes("redis+cluster://user:p%40ss@a:7000,b:7001/0?protocol=resp3"),
            Some(vec![
                "redis://user:p%40ss@a:7000/0?protocol=resp3".to_owned(),
                "redis://user:p%40ss@b:7001/0?protocol=resp3".to_owned(),
            ])
        );
        assert_eq!(
            cluster_nodes("rediss+cluster://a:7000"),
            Some(vec!["rediss://a:7000".to_owned()])
        );
    }

    #[test]
    fn several_urls_are_a_clusters_nodes() {
        assert_eq!(
            cluster_nodes("redis://a:7000, redis://b:7001"),
            Some(vec![
                "redis://a:7000".to_owned(),
                "redis://b:7001".to_owned()
            ])
        );
    }
}

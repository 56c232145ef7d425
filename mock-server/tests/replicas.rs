//! Scale-out: three mock processes (the real binary) on one Redis, driven at once with requests spread
//! over them round-robin, as a load balancer would. Every business rule must hold across replicas, and
//! what one replica writes or resets, all see. Also: Redis going away answers 503 in the vendor's body
//! within the timeout, and the mock recovers when Redis is back.
// Needs the `cli` feature (the default); the light build runs the other tests.
#![cfg(feature = "cli")]

mod common;

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::process::spawn_listening;
use common::redis_cluster::{RedisCluster, cli};
use common::redis_server::{RedisServer, unique_prefix};
use common::{ASSIGN, CREDENTIALS, MASSTACK_CUSTOMER};
use concord_mock::state::RedisConfig;
use concord_mock::{MockConfig, MockServer};
use serde_json::{Value, json};
use tokio::task::JoinSet;

struct Replica {
    child: Child,
    url: String,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn replica(redis_url: &str, prefix: &str) -> Replica {
    let (child, url) = spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "warn", "--journal", "10"])
            .args(["--redis-url", redis_url, "--redis-prefix", prefix]),
    );
    Replica { child, url }
}

fn three(redis_url: &str) -> Vec<Replica> {
    let prefix = unique_prefix("replicas");
    (0..3).map(|_| replica(redis_url, &prefix)).collect()
}

fn masstack(request: reqwest::RequestBuilder, tenant: &str) -> reqwest::RequestBuilder {
    request
        .bearer_auth("demo-masstack-token")
        .header("x-auth-roles", "API_KEY")
        .header("x-mock-tenant", tenant)
}

async fn credential_ids(http: &reqwest::Client, url: &str, tenant: &str) -> BTreeSet<String> {
    let listed: Value = masstack(http.get(format!("{url}{CREDENTIALS}")), tenant)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_replicas_on_one_redis_keep_every_rule() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    keep_every_rule(&redis.url()).await;
}

/// The invariants of shared state: one winner of 200 racing assignments, 1,000 distinct usernames seen
/// from every replica, the card limit, a reset seen everywhere.
async fn keep_every_rule(redis_url: &str) {
    let replicas = three(redis_url);
    let urls: Vec<String> = replicas.iter().map(|r| r.url.clone()).collect();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();
    let tenant = "scale-out";

    // 200 concurrent assignments of one card, spread over the replicas: exactly one succeeds.
    let answers = spread(200, &urls, |url, _| {
        http.post(format!("{url}{ASSIGN}"))
            .bearer_auth("demo-paysafe-token")
            .header("x-mock-tenant", tenant)
            .json(&json!({"targetCustomerId": "1233333323"}))
    })
    .await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        199,
        "the rest: already assigned"
    );

    // 1,000 credential creates spread over the replicas: 1,000 distinct ids, visible from every replica.
    let answers = spread(1000, &urls, |url, i| {
        masstack(http.post(format!("{url}{CREDENTIALS}")), tenant)
            .json(&json!({"username": format!("replica-user-{i}@example.com")}))
    })
    .await;
    assert!(answers.iter().all(|(status, _)| *status == 201));
    let created: BTreeSet<String> = answers
        .iter()
        .map(|(_, body)| body["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(created.len(), 1000, "distinct ids");
    for url in &urls {
        let seen = credential_ids(&http, url, tenant).await;
        assert_eq!(seen.len(), 1001, "{url}: the 1,000 and the fixture's");
        assert!(created.is_subset(&seen), "{url} sees every create");
    }

    // The card limit holds across replicas: 30 concurrent adds for an account holding 1 of 5 cards.
    let answers = spread(30, &urls, |url, _| {
        http.post(format!("{url}/client/users/demo-active/cards"))
            .bearer_auth("demo-loyalty-token")
            .header("x-mock-tenant", tenant)
            .json(&json!({"quantity": 1}))
    })
    .await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        4,
        "{statuses:?}"
    );
    for url in &urls {
        let exported = get_json(&http, &format!("{url}/__mock/state?tenant={tenant}")).await;
        let cards = &exported["state"]["es.account"]["100200300"]["cards"];
        assert_eq!(cards.as_array().unwrap().len(), 5, "{url}: {cards}");
    }

    // A reset through one replica is seen by all.
    let reset = http
        .post(format!("{}/__mock/reset?tenant={tenant}", urls[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    for url in &urls {
        assert_eq!(credential_ids(&http, url, tenant).await.len(), 1, "{url}");
    }
    let tenants = get_json(&http, &format!("{}/__mock/tenants", urls[2])).await;
    assert!(
        tenants["tenants"]
            .as_array()
            .unwrap()
            .contains(&json!(tenant))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fault_rules_are_shared_a_counted_one_fires_once_across_replicas_and_they_outlive_a_restart()
 {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    shared_fault_rules(&redis.url()).await;
}

async fn shared_fault_rules(redis_url: &str) {
    let prefix = unique_prefix("faults");
    let mut replicas: Vec<Replica> = (0..3).map(|_| replica(redis_url, &prefix)).collect();
    let urls: Vec<String> = replicas.iter().map(|r| r.url.clone()).collect();
    let http = reqwest::Client::new();
    let tenant = "shared-faults";
    // Set through replica A: a 503 for the next request only, wherever it lands.
    let added = http
        .post(format!("{}/__mock/faults", urls[0]))
        .json(&json!({"operation": "masstack_list_credentials", "status": 503, "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let id = added.json::<Value>().await.unwrap()["id"].as_u64().unwrap();
    // Every replica lists it at once (the admin API reads Redis).
    for url in &urls {
        let listed = get_json(&http, &format!("{url}/__mock/faults")).await;
        assert_eq!(listed["faults"][0]["id"], id, "{url}: {listed}");
        assert_eq!(listed["faults"][0]["count"], 1, "{url}: {listed}");
    }
    // 60 requests spread over A, B and C, at once: exactly one answers the fault.
    let answers = spread(60, &urls, |url, _| {
        masstack(http.get(format!("{url}{CREDENTIALS}")), tenant)
    })
    .await;
    let faulted = answers.iter().filter(|(status, _)| *status == 503).count();
    let served = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!((faulted, served), (1, 59), "{answers:?}");
    for url in &urls {
        let listed = get_json(&http, &format!("{url}/__mock/faults")).await;
        assert_eq!(listed["faults"], json!([]), "used up everywhere: {url}");
    }
    // A rule that stays, set through B, reaches A and C within the refresh (100 ms), and outlives a
    // restart of A; removed through C, it is gone everywhere.
    let added = http
        .post(format!("{}/__mock/faults", urls[1]))
        .json(&json!({"operation": "masstack_list_credentials", "status": 429}))
        .send()
        .await
        .unwrap();
    let id = added.json::<Value>().await.unwrap()["id"].as_u64().unwrap();
    replicas[0] = replica(redis_url, &prefix);
    let restarted = replicas[0].url.clone();
    tokio::time::sleep(Duration::from_millis(250)).await;
    for url in [&restarted, &urls[2]] {
        let status = credentials_status(&http, url, tenant).await;
        assert_eq!(status, 429, "{url}");
    }
    let removed = http
        .delete(format!("{}/__mock/faults/{id}", urls[2]))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    tokio::time::sleep(Duration::from_millis(250)).await;
    for url in [&restarted, &urls[1], &urls[2]] {
        let status = credentials_status(&http, url, tenant).await;
        assert_eq!(status, 200, "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_journal_across_replicas_lists_every_request_with_the_replica_that_served_it() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    one_journal(&redis.url()).await;
}

async fn one_journal(redis_url: &str) {
    let replicas = three(redis_url);
    let urls: Vec<String> = replicas.iter().map(|r| r.url.clone()).collect();
    let http = reqwest::Client::new();
    let tenant = "shared-journal";
    // Nine requests, three per replica: the replicas keep 10 entries (`--journal 10`), and so does the
    // shared journal.
    let answers = spread(9, &urls, |url, _| {
        masstack(http.get(format!("{url}{CREDENTIALS}")), tenant)
    })
    .await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    // Appending is batched off the request path: every replica's entries arrive within moments.
    let query = format!("/__mock/requests?tenant={tenant}&limit=100");
    let deadline = Instant::now() + Duration::from_secs(5);
    let listed = loop {
        let listed = get_json(&http, &format!("{}{query}", urls[0])).await;
        if listed["requests"].as_array().unwrap().len() == 9 || Instant::now() > deadline {
            break listed;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let entries = listed["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 9, "{listed}");
    assert_eq!(listed["journal"]["shared"], true, "{}", listed["journal"]);
    assert_eq!(listed["journal"]["dropped"], 0);
    let served_by: BTreeSet<&str> = entries
        .iter()
        .map(|e| e["replica"].as_str().unwrap())
        .collect();
    assert_eq!(
        served_by.len(),
        3,
        "each replica's requests are there: {served_by:?}"
    );
    // Newest first, ids increasing across replicas; the same list through another replica.
    let ids: Vec<u64> = entries.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
    let through_c = get_json(&http, &format!("{}{query}", urls[2])).await;
    assert_eq!(through_c["requests"], listed["requests"]);
    // Polling with `after` returns only what came later, wherever it was served.
    let newest = ids[0];
    read_credentials(&http, &urls[1], tenant).await;
    let later = poll(&http, &format!("{}{query}&after={newest}", urls[0])).await;
    assert_eq!(later["requests"].as_array().unwrap().len(), 1, "{later}");
    // Bounded like each replica's: 30 more requests, and the journal lists the last 10.
    spread(30, &urls, |url, _| {
        masstack(http.get(format!("{url}{CREDENTIALS}")), tenant)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bounded = get_json(&http, &format!("{}{query}", urls[0])).await;
    assert_eq!(bounded["requests"].as_array().unwrap().len(), 10);
    // Cleared through one replica, gone for all.
    let cleared = http
        .delete(format!("{}/__mock/requests", urls[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    let emptied = get_json(&http, &format!("{}{query}", urls[2])).await;
    assert_eq!(emptied["requests"], json!([]), "{emptied}");
    // The numbering goes on after a clear: a page that polls with the last id it saw sees what comes next.
    let seen = bounded["requests"][0]["id"].as_u64().unwrap();
    read_credentials(&http, &urls[2], tenant).await;
    let next = poll(&http, &format!("{}{query}&after={seen}", urls[0])).await;
    assert_eq!(next["requests"].as_array().unwrap().len(), 1, "{next}");
    assert!(next["requests"][0]["id"].as_u64().unwrap() > seen, "{next}");
}

/// The same invariants, shared fault rules and one journal on a local Redis Cluster of three masters: each
/// tenant's keys live in one slot (its hash tag), the fault rules' and the journal's in theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_a_redis_cluster_every_rule_the_fault_rules_and_the_journal_hold_across_replicas() {
    let Some(cluster) = RedisCluster::start(3, 0) else {
        return;
    };
    keep_every_rule(&cluster.url()).await;
    shared_fault_rules(&cluster.url()).await;
    one_journal(&cluster.url()).await;
    // Spread over the masters, not on one: a tenant, the fault rules and the journal hash to different slots.
    let holding = cluster
        .nodes
        .iter()
        .filter(|node| cli(node.port, &["dbsize"]).trim() != "0")
        .count();
    assert!(holding >= 2, "keys on {holding} of the 3 masters");
}

/// A master killed under writes: its replica is promoted, the mock finds the new master by itself, and
/// writes resume. Replication is asynchronous, so a write acknowledged just before the kill may be gone;
/// the figure (printed, and in RELIABILITY.md) is how many.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_masters_failover_on_a_redis_cluster_resumes_writes_and_counts_what_it_lost() {
    let Some(mut cluster) = RedisCluster::start(3, 1) else {
        return;
    };
    let prefix = unique_prefix("failover");
    let mock = replica(&cluster.url(), &prefix);
    // A replica that only reads: no write of its own makes its client learn the new slot map.
    let reader = replica(&cluster.url(), &prefix);
    let tenant = "failover";
    let http = reqwest::Client::new();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = JoinSet::new();
    for w in 0..8 {
        let (http, url, stop) = (http.clone(), mock.url.clone(), stop.clone());
        writers.spawn(async move {
            // (acknowledged ids, each answer's status and when it came)
            let mut acknowledged = Vec::new();
            let mut answers = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let sent = masstack(http.post(format!("{url}{CREDENTIALS}")), tenant)
                    .json(&json!({"username": format!("w{w}-{i}@example.com")}))
                    .send()
                    .await
                    .unwrap();
                let status = sent.status().as_u16();
                answers.push((Instant::now(), status));
                if status == 201 {
                    let body: Value = sent.json().await.unwrap();
                    acknowledged.push(body["id"].as_str().unwrap().to_owned());
                } else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            (acknowledged, answers)
        });
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    read_credentials(&http, &reader.url, tenant).await;
    let key = format!("{prefix}:{{{tenant}}}:seeded");
    let master = cluster.master_of(&key).unwrap();
    let killed_at = Instant::now();
    cluster.kill(master);
    // Writes fail until the replica is promoted and the mock's client has the new slot map, then resume.
    let resumed = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let new_master = cluster.master_of(&key);
        let probe = credentials_status(&http, &mock.url, tenant).await;
        if new_master.is_some_and(|port| port != master) && probe == 200 {
            break killed_at.elapsed();
        }
        assert!(
            killed_at.elapsed() < Duration::from_secs(30),
            "no write-capable master 30 s after the kill"
        );
    };
    // Reads alone find the new master too.
    let reading = Instant::now();
    loop {
        let status = credentials_status(&http, &reader.url, tenant).await;
        if status == 200 {
            break;
        }
        assert!(
            reading.elapsed() < Duration::from_secs(10),
            "the reading replica still answers {status} 10 s after writes resumed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = BTreeSet::new();
    let mut refused_after_kill = 0;
    let mut last_201 = None;
    for (ids, answers) in writers.join_all().await {
        acknowledged.extend(ids);
        for (at, status) in answers {
            if status == 201 {
                last_201 = last_201.max(Some(at));
            } else {
                assert_eq!(status, 503, "a failed write is the vendor's 503");
                refused_after_kill += 1;
            }
        }
    }
    assert!(
        last_201.is_some_and(|at| at > killed_at + resumed),
        "writes resumed after the failover"
    );
    let kept = credential_ids(&http, &mock.url, tenant).await;
    let lost = acknowledged.difference(&kept).count();
    println!(
        "FAILOVER: {} writes acknowledged, {lost} of them lost; a write-capable master again after {} ms; \
         {refused_after_kill} writes answered 503 meanwhile",
        acknowledged.len(),
        resumed.as_millis()
    );
    // Asynchronous replication loses at most the writes of the last moments before the kill.
    assert!(lost <= 50, "{lost} acknowledged writes lost");
}

/// Sends `n` requests at once, the i-th to replica `i % 3` as a round-robin balancer would; returns each
/// status with its JSON body (null when there is none), in request order.
async fn spread(
    n: usize,
    urls: &[String],
    request: impl Fn(&str, usize) -> reqwest::RequestBuilder,
) -> Vec<(u16, Value)> {
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let pending = request(&urls[i % urls.len()], i).send();
        tasks.spawn(async move {
            let response = pending.await.unwrap();
            let status = response.status().as_u16();
            (i, status, response.json().await.unwrap_or(Value::Null))
        });
    }
    let mut answers = tasks.join_all().await;
    answers.sort_by_key(|(i, _, _)| *i);
    answers
        .into_iter()
        .map(|(_, status, body)| (status, body))
        .collect()
}

/// The status of one read of the credential list through the replica at `url`.
async fn credentials_status(
    http: &reqwest::Client,
    url: &str,
    tenant: &str,
) -> reqwest::StatusCode {
    masstack(http.get(format!("{url}{CREDENTIALS}")), tenant)
        .send()
        .await
        .unwrap()
        .status()
}

/// One read of the credential list through the replica at `url`, answered 200.
async fn read_credentials(http: &reqwest::Client, url: &str, tenant: &str) {
    assert_eq!(credentials_status(http, url, tenant).await, 200);
}

/// The journal at `url` once it lists a request (the shared journal is written a few ms behind), or as it is
/// after 5 s.
async fn poll(http: &reqwest::Client, url: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let journal = get_json(http, url).await;
        if !journal["requests"].as_array().unwrap().is_empty() || Instant::now() > deadline {
            return journal;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn while_redis_is_down_requests_answer_503_quickly_and_recover_when_it_returns() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let mut redis_config = RedisConfig::new(redis.url());
    redis_config.prefix = unique_prefix("outage");
    redis_config.timeout = Duration::from_millis(500);
    let server = MockServer::start(MockConfig {
        redis: Some(redis_config),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let list = || masstack(http.get(format!("{}{CREDENTIALS}", server.url())), "outage");
    assert_eq!(list().send().await.unwrap().status(), 200);

    let port = redis.kill();
    for _ in 0..3 {
        let started = Instant::now();
        let response = list().send().await.unwrap();
        let took = started.elapsed();
        assert_eq!(response.status(), 503);
        let cause = response.headers()["x-mock-error"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cause.starts_with("state store: redis"), "{cause}");
        // MasStack's own documented 503 body.
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["error"]["code"], "MCUS.999.503", "{body}");
        assert!(
            took < Duration::from_secs(3),
            "answered after {took:?}, not hung"
        );
    }
    let health = http
        .get(format!("{}/__mock/health", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 503);

    // Redis is back (empty: it kept nothing): the mock reconnects and reseeds the tenant.
    let _redis = RedisServer::start_on(port).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = list().send().await.unwrap().status();
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} 10 s after Redis returned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let created = masstack(
        http.post(format!("{}{CREDENTIALS}", server.url())),
        "outage",
    )
    .json(&json!({"username": "after-outage@example.com"}))
    .send()
    .await
    .unwrap();
    assert_eq!(created.status(), 201);
    server.shutdown().await;
}

#[tokio::test]
async fn a_mock_pointed_at_no_redis_refuses_to_start_with_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = RedisConfig::new(format!("redis://127.0.0.1:{port}/"));
    config.timeout = Duration::from_millis(300);
    let started = Instant::now();
    let error = MockServer::start(MockConfig {
        redis: Some(config),
        ..MockConfig::default()
    })
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("redis"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// What the binary logs at start-up against `redis` (it is stopped once it is listening).
fn startup_log(redis: &RedisServer) -> String {
    let (mut child, _) = spawn_listening(
        Command::new(env!("CARGO_BIN_EXE_concord-mock"))
            .args(["--port", "0", "--log", "warn"])
            .args(["--redis-url", &redis.url()])
            .args(["--redis-prefix", &unique_prefix("persistence")])
            .stderr(Stdio::piped()),
    );
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A Redis without an append-only file loses acknowledged writes when it is killed: the mock says so at
/// start-up, and says nothing once the AOF is on.
#[tokio::test]
async fn a_redis_without_persistence_is_named_at_start_up() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let log = startup_log(&redis);
    assert!(
        log.contains("no append-only file") && log.contains("--appendonly yes"),
        "{log}"
    );
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("appendonly")
        .arg("yes")
        .query_async(&mut conn)
        .await
        .unwrap();
    let log = startup_log(&redis);
    assert!(!log.contains("append-only"), "{log}");
}

/// Store round trips for `tenant` in Redis's slow log (every command logged, with its keys): how many
/// scripts (writes) and MULTI/EXEC transactions (reads) the mock ran on the tenant's keys since the log was
/// last reset.
async fn round_trips_for(redis: &mut redis::aio::MultiplexedConnection, tenant: &str) -> usize {
    let entries: Vec<redis::Value> = redis::cmd("SLOWLOG")
        .arg("GET")
        .arg(-1)
        .query_async(redis)
        .await
        .unwrap();
    let tag = format!("{{{tenant}}}");
    let text = |arg: &redis::Value| match arg {
        redis::Value::BulkString(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        _ => String::new(),
    };
    // Each entry's client and arguments, oldest first.
    let commands: Vec<(String, Vec<String>)> = entries
        .iter()
        .rev()
        .map(|entry| match entry {
            redis::Value::Array(fields) => {
                let client = fields.get(4).map(text).unwrap_or_default();
                match fields.get(3) {
                    Some(redis::Value::Array(args)) => (client, args.iter().map(text).collect()),
                    _ => (client, Vec::new()),
                }
            }
            _ => (String::new(), Vec::new()),
        })
        .collect();
    let names_tenant = |args: &[String]| args.iter().any(|arg| arg.contains(&tag));
    let name = |args: &[String]| {
        args.first()
            .map(|a| a.to_ascii_uppercase())
            .unwrap_or_default()
    };
    let mut trips = 0;
    for (i, (client, args)) in commands.iter().enumerate() {
        // A script call (the commands it runs are logged too, and not counted); a transaction's MULTI,
        // whose commands are logged (EXEC is not) when they run, as the client's next entries.
        let script = name(args).starts_with("EVAL") && names_tenant(args);
        let transaction = name(args) == "MULTI"
            && commands[i + 1..]
                .iter()
                .find(|(next, _)| next == client)
                .is_some_and(|(_, next)| names_tenant(next));
        if script || transaction {
            trips += 1;
        }
    }
    trips
}

#[tokio::test]
async fn a_read_request_takes_one_round_trip_to_redis_auth_the_switch_the_loads_and_the_list_together()
 {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let server = MockServer::start(MockConfig {
        redis: Some(RedisConfig {
            url: redis.url(),
            prefix: unique_prefix("trips"),
            timeout: Duration::from_secs(2),
        }),
        ..MockConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let tenant = "round-trips";
    // A credential of the organisation's other customer: the list, read whole with the first read, is still
    // filtered to the customer asked for. (The tenant's demo data, written on first use, is not counted.)
    let other = CREDENTIALS.replace(MASSTACK_CUSTOMER, "9b2f7c1e-4d3a-4e5b-8c6d-7e8f9a0b1c2d");
    let created = masstack(http.post(format!("{}{other}", server.url())), tenant)
        .json(&json!({"username": "other-customer@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let mut conn = redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    for (name, value) in [
        ("slowlog-log-slower-than", "0"),
        ("slowlog-max-len", "10000"),
    ] {
        let _: () = redis::cmd("CONFIG")
            .arg("SET")
            .arg(name)
            .arg(value)
            .query_async(&mut conn)
            .await
            .unwrap();
    }
    let _: () = redis::cmd("SLOWLOG")
        .arg("RESET")
        .query_async(&mut conn)
        .await
        .unwrap();
    const REQUESTS: usize = 10;
    for _ in 0..REQUESTS {
        assert_eq!(credential_ids(&http, &server.url(), tenant).await.len(), 1);
    }
    // Per request: one read for the credentials, the scheme settings, the response switch, the rules' first
    // loads (organisation and customer) and the credentials' kind for the list.
    assert_eq!(
        round_trips_for(&mut conn, tenant).await,
        REQUESTS,
        "round trips to Redis for {REQUESTS} reads of the credential list"
    );
    // Magicline's access code: a scope check comes before the customer's load, which is read ahead of it.
    let _: () = redis::cmd("SLOWLOG")
        .arg("RESET")
        .query_async(&mut conn)
        .await
        .unwrap();
    for _ in 0..REQUESTS {
        let code = http
            .get(format!("{}/v1/customers/1001/access-code", server.url()))
            .header("x-api-key", "demo-magicline-key")
            .header("x-mock-tenant", tenant)
            .send()
            .await
            .unwrap();
        assert_eq!(code.status(), 200);
    }
    assert_eq!(
        round_trips_for(&mut conn, tenant).await,
        REQUESTS,
        "round trips to Redis for {REQUESTS} access codes"
    );
    server.shutdown().await;
}

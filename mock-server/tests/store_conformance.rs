//! One conformance suite, run against all three backends of the store (memory, SQLite file, Redis):
//! demo data, guards, versions, atomicity, tenant isolation, reset/import/export, and the business-rule
//! shapes under concurrency (assign once, unique claims, a bounded count).

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::redis_server::RedisServer;
use concord_mock::state::{Commit, DemoData, Guard, Store, Txn, Write};
use serde_json::json;

fn demo_data() -> DemoData {
    serde_json::from_value(json!({
        "card": {
            "c1": {"assigned": null, "owner": "alice"},
            "c2": {"assigned": "bob"}
        },
        "account": {"a1": {"cards": 0, "limit": 5}},
        "username": {"taken@example.com": {"credential": "k1"}}
    }))
    .unwrap()
}

/// A store of one backend, with whatever keeps it alive.
struct Backend {
    store: Arc<Store>,
    _dir: Option<tempfile::TempDir>,
    _redis: Option<RedisServer>,
}

async fn memory() -> Option<Backend> {
    Some(Backend {
        store: Arc::new(Store::in_memory(demo_data())),
        _dir: None,
        _redis: None,
    })
}

#[cfg(feature = "sqlite")]
async fn file() -> Option<Backend> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::with_file(demo_data(), &dir.path().join("state.db")).unwrap();
    Some(Backend {
        store: Arc::new(store),
        _dir: Some(dir),
        _redis: None,
    })
}

/// A redis-server per test, stopped with it (a server shared through a `static` would never be dropped,
/// and would outlive the test process).
#[cfg(feature = "redis")]
async fn redis() -> Option<Backend> {
    let server = RedisServer::start()?;
    let mut config = concord_mock::state::RedisConfig::new(server.url());
    config.prefix = common::redis_server::unique_prefix("conformance");
    let store = Store::redis(demo_data(), config).await.unwrap();
    Some(Backend {
        store: Arc::new(store),
        _dir: None,
        _redis: Some(server),
    })
}

async fn a_fresh_tenant_holds_the_fixtures(store: Arc<Store>) {
    assert_eq!(store.export("t").await.unwrap(), demo_data());
    let card = store.get("t", "card", "c1").await.unwrap().unwrap();
    assert_eq!(card.version, 1);
    assert_eq!(*card.body, json!({"assigned": null, "owner": "alice"}));
    assert_eq!(store.get("t", "card", "nope").await.unwrap(), None);
    assert_eq!(store.get("t", "no-such-kind", "x").await.unwrap(), None);
    let ids: Vec<String> = store
        .list("t", "card")
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert!(store.list("t", "no-such-kind").await.unwrap().is_empty());
}

async fn a_batched_read_answers_in_the_order_asked(store: Arc<Store>) {
    let wanted = [
        ("card", "c2"),
        ("account", "a1"),
        ("card", "missing"),
        ("no-such-kind", "x"),
        ("card", "c1"),
    ];
    let got = store.get_many("t", wanted).await.unwrap();
    let bodies: Vec<Option<serde_json::Value>> = got
        .into_iter()
        .map(|e| e.map(|e| (*e.body).clone()))
        .collect();
    assert_eq!(
        bodies,
        [
            Some(json!({"assigned": "bob"})),
            Some(json!({"cards": 0, "limit": 5})),
            None,
            None,
            Some(json!({"assigned": null, "owner": "alice"})),
        ]
    );
    assert!(store.get_many("t", []).await.unwrap().is_empty());
}

/// Entities by id and whole kinds in one read, from a tenant nobody wrote yet and from one that holds state.
async fn a_batched_read_answers_entities_and_whole_kinds_together(store: Arc<Store>) {
    let ids = |kind: &Vec<(String, concord_mock::state::Entity)>| -> Vec<String> {
        kind.iter().map(|(id, _)| id.clone()).collect()
    };
    for tenant in ["unwritten", "written"] {
        if tenant == "written" {
            let txn = Txn {
                guards: vec![],
                writes: vec![Write::Put("card".into(), "c0".into(), json!({"new": true}))],
            };
            assert_eq!(store.commit(tenant, txn).await.unwrap(), Commit::Committed);
        }
        let read = store
            .read_many(
                tenant,
                [("account", "a1"), ("card", "missing")],
                &["card", "no-such-kind", "username"],
            )
            .await
            .unwrap();
        let bodies: Vec<_> = read
            .entities
            .into_iter()
            .map(|e| e.map(|e| (*e.body).clone()))
            .collect();
        assert_eq!(
            bodies,
            [Some(json!({"cards": 0, "limit": 5})), None],
            "{tenant}"
        );
        let expected_cards: &[&str] = if tenant == "written" {
            &["c0", "c1", "c2"]
        } else {
            &["c1", "c2"]
        };
        assert_eq!(read.kinds.len(), 3, "{tenant}");
        assert_eq!(ids(&read.kinds[0]), expected_cards, "{tenant}");
        assert!(read.kinds[1].is_empty(), "{tenant}");
        assert_eq!(ids(&read.kinds[2]), ["taken@example.com"], "{tenant}");
        assert_eq!(read.kinds[0].last().unwrap().1.version, 1);
    }
    let nothing = store.read_many("t", [], &[]).await.unwrap();
    assert!(nothing.entities.is_empty() && nothing.kinds.is_empty());
}

async fn guards_decide_and_a_rejected_commit_writes_nothing(store: Arc<Store>) {
    let write_all = |guards: Vec<Guard>| {
        guards.into_iter().fold(
            Txn::new()
                .put("card", "c3", json!({"new": true}))
                .delete("card", "c1"),
            Txn::guard,
        )
    };
    // Each guard kind failing, as the second guard: index 1 is reported and nothing changes.
    for failing in [
        Guard::Exists("card".into(), "missing".into()),
        Guard::Absent("card".into(), "c2".into()),
        Guard::VersionIs("card".into(), "c2".into(), 7),
        Guard::VersionIs("card".into(), "missing".into(), 1),
    ] {
        let txn = write_all(vec![Guard::Exists("card".into(), "c1".into()), failing]);
        assert_eq!(store.commit("t", txn).await.unwrap(), Commit::Rejected(1));
        assert_eq!(
            store.export("t").await.unwrap(),
            demo_data(),
            "nothing written"
        );
    }
    let passing = write_all(vec![
        Guard::Exists("card".into(), "c1".into()),
        Guard::Absent("card".into(), "c3".into()),
        Guard::VersionIs("card".into(), "c2".into(), 1),
        Guard::VersionIs("card".into(), "missing".into(), 0),
    ]);
    assert_eq!(store.commit("t", passing).await.unwrap(), Commit::Committed);
    assert_eq!(store.get("t", "card", "c1").await.unwrap(), None);
    assert_eq!(
        *store.get("t", "card", "c3").await.unwrap().unwrap().body,
        json!({"new": true})
    );
}

async fn versions_count_every_put(store: Arc<Store>) {
    let twice = Txn::new()
        .put("card", "c1", json!({"n": 1}))
        .put("card", "c1", json!({"n": 2}));
    assert_eq!(store.commit("t", twice).await.unwrap(), Commit::Committed);
    let card = store.get("t", "card", "c1").await.unwrap().unwrap();
    assert_eq!((card.version, &*card.body), (3, &json!({"n": 2})));
    let recreate = Txn::new()
        .delete("card", "c1")
        .put("card", "c1", json!({"n": 3}));
    store.commit("t", recreate).await.unwrap();
    assert_eq!(
        store.get("t", "card", "c1").await.unwrap().unwrap().version,
        1
    );
    let new_kind = Txn::new().put("fresh-kind", "x", json!(1));
    store.commit("t", new_kind).await.unwrap();
    assert_eq!(store.list("t", "fresh-kind").await.unwrap().len(), 1);
    // The same, with guards that fix the version a put writes (Redis then does not read it again).
    let version = |store: Arc<Store>, id: &'static str| async move {
        store.get("t", "card", id).await.unwrap().map(|e| e.version)
    };
    let guarded = |txn: Txn| txn.guard(Guard::VersionIs("card".into(), "c1".into(), 1));
    let once = guarded(Txn::new()).put("card", "c1", json!({"n": 4}));
    assert_eq!(store.commit("t", once).await.unwrap(), Commit::Committed);
    assert_eq!(version(store.clone(), "c1").await, Some(2));
    let guarded = |txn: Txn| txn.guard(Guard::VersionIs("card".into(), "c1".into(), 2));
    let twice =
        guarded(Txn::new())
            .put("card", "c1", json!({"n": 5}))
            .put("card", "c1", json!({"n": 6}));
    assert_eq!(store.commit("t", twice).await.unwrap(), Commit::Committed);
    assert_eq!(version(store.clone(), "c1").await, Some(4));
    let recreate = Txn::new()
        .guard(Guard::VersionIs("card".into(), "c1".into(), 4))
        .delete("card", "c1")
        .put("card", "c1", json!({"n": 7}));
    assert_eq!(
        store.commit("t", recreate).await.unwrap(),
        Commit::Committed
    );
    assert_eq!(version(store.clone(), "c1").await, Some(1));
    let created = Txn::new()
        .guard(Guard::Absent("card".into(), "c9".into()))
        .guard(Guard::VersionIs("card".into(), "c8".into(), 0))
        .put("card", "c9", json!({}))
        .put("card", "c8", json!({}));
    assert_eq!(store.commit("t", created).await.unwrap(), Commit::Committed);
    assert_eq!(version(store.clone(), "c9").await, Some(1));
    assert_eq!(version(store.clone(), "c8").await, Some(1));
}

async fn tenants_are_isolated_and_listed(store: Arc<Store>) {
    let txn = Txn::new().put("card", "only-in-a", json!({}));
    store.commit("tenant-a", txn).await.unwrap();
    assert_eq!(
        store.get("tenant-b", "card", "only-in-a").await.unwrap(),
        None
    );
    store
        .commit("tenant-b", Txn::new().put("card", "only-in-b", json!({})))
        .await
        .unwrap();
    // Names that would break a key's structure stay distinct tenants: each holds only its own write.
    let odd_names = ["a{b}", "a:b", "a%3Ab", "with space", "ünï"];
    for odd in odd_names {
        assert_eq!(
            store.get(odd, "card", "only-in-a").await.unwrap(),
            None,
            "{odd}"
        );
        let own = Txn::new().put("card", format!("only-in-{odd}"), json!({}));
        store.commit(odd, own).await.unwrap();
    }
    for odd in odd_names {
        for other in odd_names.iter().filter(|o| **o != odd) {
            let theirs = format!("only-in-{other}");
            assert_eq!(
                store.get(odd, "card", &theirs).await.unwrap(),
                None,
                "{odd} sees {other}'s"
            );
        }
    }
    let names = store.tenant_names().await.unwrap();
    for name in ["tenant-a", "tenant-b", "a{b}", "a:b", "a%3Ab"] {
        assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

async fn a_forgotten_tenant_reads_the_fixtures_and_is_no_longer_listed(store: Arc<Store>) {
    store
        .commit("gone", Txn::new().put("card", "mine", json!({"n": 1})))
        .await
        .unwrap();
    store
        .commit("kept", Txn::new().put("card", "theirs", json!({"n": 2})))
        .await
        .unwrap();
    assert!(store.forget("gone").await.unwrap());
    assert!(
        !store.forget("gone").await.unwrap(),
        "a second delete finds nothing"
    );
    let names = store.tenant_names().await.unwrap();
    assert!(!names.contains(&"gone".to_owned()), "{names:?}");
    assert!(names.contains(&"kept".to_owned()), "{names:?}");
    assert_eq!(store.get("gone", "card", "mine").await.unwrap(), None);
    assert!(store.get("kept", "card", "theirs").await.unwrap().is_some());
    // Back to the demo data, and usable again.
    assert_eq!(
        store
            .get("gone", "card", "c1")
            .await
            .unwrap()
            .map(|e| e.body),
        store
            .get("fresh-one", "card", "c1")
            .await
            .unwrap()
            .map(|e| e.body)
    );
    store
        .commit("gone", Txn::new().put("card", "again", json!({})))
        .await
        .unwrap();
    assert!(store.get("gone", "card", "again").await.unwrap().is_some());
}

async fn reset_restores_the_fixtures_of_one_tenant_or_all(store: Arc<Store>) {
    for tenant in ["r1", "r2", "r3"] {
        let txn = Txn::new()
            .put("card", "extra", json!({}))
            .delete("account", "a1");
        store.commit(tenant, txn).await.unwrap();
    }
    store.reset(Some("r1")).await.unwrap();
    assert_eq!(store.export("r1").await.unwrap(), demo_data());
    assert_ne!(
        store.export("r2").await.unwrap(),
        demo_data(),
        "r2 untouched"
    );
    store.reset(None).await.unwrap();
    for tenant in ["r1", "r2", "r3"] {
        assert_eq!(store.export(tenant).await.unwrap(), demo_data(), "{tenant}");
        assert_eq!(
            store
                .get(tenant, "card", "c1")
                .await
                .unwrap()
                .unwrap()
                .version,
            1
        );
    }
}

async fn import_and_export_round_trip_exactly(store: Arc<Store>) {
    let state: DemoData = serde_json::from_value(json!({
        "doc": {
            "keys in order": {"z": 1, "a": 2, "m": {"y": [1, 2, {"b": null, "a": true}]}},
            "numbers": {"max": u64::MAX, "min": i64::MIN, "third": 1.0_f64 / 3.0, "tiny": 1e-300},
            "text": {"s": "ünïcødé \u{1F600} \"quoted\" \\ <img src=x> : {braces}"}
        },
        "other": {"1": {}}
    }))
    .unwrap();
    store.import("imp{ort}", state.clone()).await.unwrap();
    let back = store.export("imp{ort}").await.unwrap();
    assert_eq!(back, state);
    // Key order survives, not only equality.
    assert_eq!(
        serde_json::to_string(&back).unwrap(),
        serde_json::to_string(&state).unwrap()
    );
    assert_eq!(
        store.get("imp{ort}", "card", "c1").await.unwrap(),
        None,
        "replaced, not merged"
    );
}

async fn two_hundred_concurrent_assignments_have_one_winner(store: Arc<Store>) {
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let card = store.get("race", "card", "c1").await.unwrap().unwrap();
                if !card.body["assigned"].is_null() {
                    return false;
                }
                let txn = Txn::new()
                    .guard(Guard::VersionIs("card".into(), "c1".into(), card.version))
                    .put("card", "c1", json!({"assigned": format!("customer-{i}")}));
                store.commit("race", txn).await.unwrap() == Commit::Committed
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
    let card = store.get("race", "card", "c1").await.unwrap().unwrap();
    assert_eq!(card.version, 2);
}

async fn unique_claims_hold_under_contention(store: Arc<Store>) {
    // 1,000 creates with distinct ids all commit; 100 claims of one username leave one holder.
    let creates: Vec<_> = (0..1000)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let id = format!("cred-{i}");
                let txn = Txn::new()
                    .guard(Guard::Absent("credential".into(), id.clone()))
                    .put("credential", id, json!({"n": i}));
                store.commit("claims", txn).await.unwrap()
            })
        })
        .collect();
    for task in creates {
        assert_eq!(task.await.unwrap(), Commit::Committed);
    }
    let ids: BTreeSet<String> = store
        .list("claims", "credential")
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    assert_eq!(ids.len(), 1000);
    let claims: Vec<_> = (0..100)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let txn = Txn::new()
                    .guard(Guard::Absent("username".into(), "same@example.com".into()))
                    .put("username", "same@example.com", json!({"credential": i}));
                store.commit("claims", txn).await.unwrap() == Commit::Committed
            })
        })
        .collect();
    let mut holders = 0;
    for task in claims {
        holders += usize::from(task.await.unwrap());
    }
    assert_eq!(holders, 1);
}

async fn a_bounded_count_never_passes_its_limit(store: Arc<Store>) {
    // The card-limit shape: read the account, check the count, commit guarded by its version; retry.
    let adds: Vec<_> = (0..60)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                loop {
                    let account = store.get("limit", "account", "a1").await.unwrap().unwrap();
                    let cards = account.body["cards"].as_u64().unwrap();
                    if cards >= account.body["limit"].as_u64().unwrap() {
                        return false;
                    }
                    let txn = Txn::new()
                        .guard(Guard::VersionIs(
                            "account".into(),
                            "a1".into(),
                            account.version,
                        ))
                        .put("account", "a1", json!({"cards": cards + 1, "limit": 5}));
                    if store.commit("limit", txn).await.unwrap() == Commit::Committed {
                        return true;
                    }
                }
            })
        })
        .collect();
    let mut added = 0;
    for task in adds {
        added += usize::from(task.await.unwrap());
    }
    assert_eq!(added, 5);
    let account = store.get("limit", "account", "a1").await.unwrap().unwrap();
    assert_eq!(account.body["cards"], json!(5));
}

/// Every check, once per backend: `memory::…`, `file::…`, `redis::…`.
macro_rules! conformance {
    ($($check:ident),* $(,)?) => {
        mod memory {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let backend = super::memory().await.unwrap();
                super::$check(backend.store.clone()).await;
            })*
        }
        #[cfg(feature = "sqlite")]
        mod file {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let backend = super::file().await.unwrap();
                super::$check(backend.store.clone()).await;
            })*
        }
        #[cfg(feature = "redis")]
        mod redis {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let Some(backend) = super::redis().await else { return };
                super::$check(backend.store.clone()).await;
            })*
        }
    };
}

conformance!(
    a_fresh_tenant_holds_the_fixtures,
    a_batched_read_answers_in_the_order_asked,
    a_batched_read_answers_entities_and_whole_kinds_together,
    guards_decide_and_a_rejected_commit_writes_nothing,
    versions_count_every_put,
    tenants_are_isolated_and_listed,
    a_forgotten_tenant_reads_the_fixtures_and_is_no_longer_listed,
    reset_restores_the_fixtures_of_one_tenant_or_all,
    import_and_export_round_trip_exactly,
    two_hundred_concurrent_assignments_have_one_winner,
    unique_claims_hold_under_contention,
    a_bounded_count_never_passes_its_limit,
);

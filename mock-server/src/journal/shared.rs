//! One journal for every replica on one Redis (`--redis-url`): each replica appends the entries it
//! journals to a Redis Stream, and `GET /__mock/requests` on any replica reads them all, newest first, each
//! naming the replica that served it. Appending is off the request path: entries wait in a bounded queue
//! for a writer task that sends them in batches (one pipeline per batch, gathered for up to 5 ms); when the
//! queue is full or Redis does not take a batch, entries — never requests — are dropped and counted. The
//! stream keeps about the journal's capacity of entries (each already cut to its byte limits), so its memory
//! is bounded too.
//!
//! An entry's id is its stream id's sequence: every entry is added as `0-*`, which Redis numbers one past
//! the stream's last id, atomically and in the order the replicas' entries arrive — ids increase across
//! replicas with no counter and no script (Lua would hash every byte of every entry it is handed). Clearing
//! trims the stream rather than deleting it, so the numbering goes on and a page polling with `after`
//! sees what comes next.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::state::RedisConnection;
use serde_json::Value;
use tokio::sync::mpsc;

use super::{Entry, Filter, Seen};
use crate::state::{RedisConfig, StoreError};

/// How many entries wait for the writer at most.
const QUEUE: usize = 1024;
/// How many entries one append script takes.
const BATCH: usize = 256;
/// How long the writer lets entries gather before it sends a batch that is not full: one round trip per
/// batch instead of one per request under load, for a journal that is a few milliseconds behind.
const LINGER: Duration = Duration::from_millis(5);

/// The stream every replica appends to and reads.
pub(crate) struct SharedJournal {
    conn: RedisConnection,
    timeout: Duration,
    stream: String,
    capacity: usize,
    queue: mpsc::Sender<Box<Entry>>,
    dropped: Arc<AtomicU64>,
    /// Which replica this is, on each entry it journals.
    replica: String,
}

impl SharedJournal {
    /// Connects and starts the writer (failing within the timeout if Redis is not there).
    pub(crate) async fn connect(
        config: &RedisConfig,
        capacity: usize,
    ) -> Result<SharedJournal, StoreError> {
        let conn = crate::state::redis_connection(config).await?;
        // Not `…:entries`, the stream of versions that numbered entries with a script: its ids
        // (`<n>-1`) are above any `0-*`.
        let stream = format!("{}:{{mock.journal}}:stream", config.prefix);
        let (queue, received) = mpsc::channel(QUEUE);
        let dropped = Arc::new(AtomicU64::new(0));
        let replica = replica_name();
        let writer = Writer {
            conn: conn.clone(),
            timeout: config.timeout,
            stream: stream.clone(),
            capacity,
            dropped: dropped.clone(),
            replica: replica.clone(),
        };
        tokio::spawn(writer.run(received));
        Ok(SharedJournal {
            conn,
            timeout: config.timeout,
            stream,
            capacity,
            queue,
            dropped,
            replica,
        })
    }

    /// Queues an entry for the stream (the writer serialises it, off the request path); a full queue
    /// drops it (and counts it).
    pub(crate) fn append(&self, entry: &Entry) {
        if self.queue.try_send(Box::new(entry.clone())).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Matching entries of every replica, newest first (reading at most the capacity's worth).
    pub(crate) async fn query(&self, filter: &Filter) -> Result<Vec<Value>, StoreError> {
        let start = filter
            .after
            .map_or_else(|| "-".to_owned(), |after| format!("(0-{after}"));
        let mut conn = self.conn.clone();
        let read: Vec<(String, Vec<String>)> = crate::state::redis_bounded(
            "journal read",
            self.timeout,
            redis::cmd("XREVRANGE")
                .arg(&self.stream)
                .arg("+")
                .arg(start)
                .arg("COUNT")
                .arg(self.capacity)
                .query_async(&mut conn),
        )
        .await?;
        let limit = filter.limit.unwrap_or(100);
        let mut found = Vec::new();
        for (id, fields) in read {
            let Some(id) = sequence(&id) else {
                continue;
            };
            let Some(mut entry) = fields
                .get(1)
                .and_then(|text| serde_json::from_str::<Value>(text).ok())
            else {
                continue;
            };
            if Seen::of_json(id, &entry).is_some_and(|seen| filter.admits(&seen)) {
                entry["id"] = id.into();
                found.push(entry);
                if found.len() == limit {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// Forgets every replica's entries (the stream stays, and with it the numbering).
    pub(crate) async fn clear(&self) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        crate::state::redis_bounded(
            "journal clear",
            self.timeout,
            redis::cmd("XTRIM")
                .arg(&self.stream)
                .arg("MAXLEN")
                .arg(0)
                .query_async::<i64>(&mut conn),
        )
        .await
        .map(|_| ())
    }

    /// This replica's name on its entries.
    pub(crate) fn replica(&self) -> &str {
        &self.replica
    }

    /// How many entries this replica could not append (a full queue, or Redis away).
    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl std::fmt::Debug for SharedJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedJournal")
            .field("stream", &self.stream)
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

/// Sends queued entries to the stream in batches.
struct Writer {
    conn: RedisConnection,
    timeout: Duration,
    stream: String,
    capacity: usize,
    dropped: Arc<AtomicU64>,
    /// This replica's name, on each entry.
    replica: String,
}

/// An entry as the stream holds it: with the replica that served it.
#[derive(serde::Serialize)]
struct Shared<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    replica: &'a str,
}

impl Writer {
    async fn run(self, mut received: mpsc::Receiver<Box<Entry>>) {
        let mut batch = Vec::with_capacity(BATCH);
        // Ends when the journal (and its sender) is dropped and the queue is empty.
        while received.recv_many(&mut batch, BATCH).await > 0 {
            if batch.len() < BATCH {
                tokio::time::sleep(LINGER).await;
                while batch.len() < BATCH {
                    match received.try_recv() {
                        Ok(entry) => batch.push(entry),
                        Err(_) => break,
                    }
                }
            }
            let mut append = redis::pipe();
            for entry in &batch {
                let shared = Shared {
                    entry,
                    replica: &self.replica,
                };
                append
                    .cmd("XADD")
                    .arg(&self.stream)
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(self.capacity)
                    .arg("0-*")
                    .arg("e")
                    .arg(serde_json::to_vec(&shared).unwrap_or_default())
                    .ignore();
            }
            let mut conn = self.conn.clone();
            let sent = crate::state::redis_bounded(
                "journal append",
                self.timeout,
                conn.query_on_slot::<()>(&append, &self.stream),
            )
            .await;
            if let Err(e) = sent {
                self.dropped
                    .fetch_add(batch.len() as u64, Ordering::Relaxed);
                tracing::warn!(entries = batch.len(), error = %e.chain(), "journal entries not shared");
            }
            batch.clear();
        }
    }
}

/// The entry id in a stream id `0-<id>`.
fn sequence(stream_id: &str) -> Option<u64> {
    stream_id.split_once('-')?.1.parse().ok()
}

/// `host:pid`: the host (a container's id in a container) and the process, which tell replicas apart.
fn replica_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| "replica".to_owned());
    format!("{host}:{}", std::process::id())
}

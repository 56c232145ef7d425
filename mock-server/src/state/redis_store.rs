//! The Redis backend (`--redis-url`): the state every replica pointed at the same Redis shares.
//!
//! Keys: `<prefix>:{<tenant>}:seeded`, `…:kinds` (a set) and `…:e:<kind>` (a hash id → `<version>:<json>`),
//! so one tenant's keys share a hash tag and stay in one cluster slot, and a tenant is reset, seeded or
//! exported without scanning the keyspace. `<prefix>:tenants` lists the tenants in use. A read is one
//! MULTI/EXEC transaction; every write is one Lua script (`lua/`), so a guarded commit is atomic across
//! replicas without WATCH, which is unsafe on a shared, multiplexed connection. The connection manager
//! reconnects by itself; while Redis is unreachable each call fails within the configured timeout, and the
//! vendor answers 503.
//!
//! An entity read is parsed once per stored text (`parsed.rs`): the next read of the same text shares it.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use redis::{RedisResult, Script, Value as Reply};

use super::parsed::Parsed;
use super::redis_connection::{Connection, bounded, persistence_warning};
use super::tenant::{Entity, Tenant};
use super::{Commit, DemoData, Guard, RedisConfig, Snapshot, StoreError, Txn, Write};

/// Characters escaped in a tenant's name inside a key: braces would change the hash tag, `:` the key's
/// structure.
const KEY_UNSAFE: &AsciiSet = &CONTROLS.add(b'{').add(b'}').add(b':').add(b'%').add(b' ');

struct Scripts {
    seed: Script,
    commit: Script,
    export: Script,
    forget: Script,
}

/// State in Redis.
pub struct RedisStore {
    conn: Connection,
    prefix: String,
    timeout: Duration,
    /// The demo data, flattened to the seed script's (kind, id, body) arguments once.
    seed: Vec<String>,
    /// What an unused tenant reads (the demo data, every entity at version 1 as seeding writes them): reads
    /// seed nothing, so reads and refused requests leave no tenant in Redis.
    pristine: Tenant,
    /// Entities parsed before, by their stored text.
    parsed: Parsed,
    scripts: Scripts,
}

/// One tenant's keys; they share the tenant's hash tag.
struct TenantKeys {
    /// Set once the tenant holds state (demo data or an import).
    seeded: String,
    /// The set of kinds the tenant has entities of.
    kinds: String,
    /// The prefix of its kind hashes (`<entities><kind>`).
    entities: String,
}

impl TenantKeys {
    fn kind(&self, kind: &str) -> String {
        format!("{}{kind}", self.entities)
    }
}

/// What a read script answers for a tenant nobody has used yet.
enum Seeded<T> {
    Yes(T),
    No,
}

impl RedisStore {
    /// Connects (failing within the timeout if Redis is not there).
    pub async fn connect(
        demo_data: DemoData,
        config: RedisConfig,
    ) -> Result<RedisStore, StoreError> {
        let conn = super::redis_connection::connect(&config).await?;
        if let Some(warning) = persistence_warning(&mut conn.clone(), &config.url).await {
            tracing::warn!("{warning}");
        }
        Ok(RedisStore {
            conn,
            prefix: config.prefix,
            timeout: config.timeout,
            seed: flatten(&demo_data),
            pristine: Tenant::from_demo_data(&demo_data),
            parsed: Parsed::default(),
            scripts: Scripts {
                seed: Script::new(include_str!("lua/seed.lua")),
                commit: Script::new(include_str!("lua/commit.lua")),
                export: Script::new(include_str!("lua/export.lua")),
                forget: Script::new(include_str!("lua/forget.lua")),
            },
        })
    }

    fn keys(&self, tenant: &str) -> TenantKeys {
        let base = format!(
            "{}:{{{}}}",
            self.prefix,
            utf8_percent_encode(tenant, KEY_UNSAFE)
        );
        TenantKeys {
            seeded: format!("{base}:seeded"),
            kinds: format!("{base}:kinds"),
            entities: format!("{base}:e:"),
        }
    }

    fn tenants_key(&self) -> String {
        format!("{}:tenants", self.prefix)
    }

    /// Bounds every call: a Redis that is down or stalled costs a request the timeout, never a hang.
    async fn call<T>(
        &self,
        what: &str,
        future: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, StoreError> {
        bounded(what, self.timeout, future).await
    }

    /// Writes `entities` as the tenant's whole state (`only_if_new`: unless it already has state).
    async fn seed(
        &self,
        tenant: &str,
        entities: &[String],
        only_if_new: bool,
    ) -> Result<(), StoreError> {
        let keys = self.keys(tenant);
        let mut invocation = self.scripts.seed.prepare_invoke();
        invocation
            .key(&keys.seeded)
            .key(&keys.kinds)
            .arg(&keys.entities)
            .arg(if only_if_new { "if-new" } else { "replace" })
            .arg(entities);
        let mut conn = self.conn.clone();
        self.call("seed", invocation.invoke_async::<i64>(&mut conn))
            .await?;
        let mut conn = self.conn.clone();
        self.call(
            "register tenant",
            redis::cmd("SADD")
                .arg(self.tenants_key())
                .arg(tenant)
                .query_async::<i64>(&mut conn),
        )
        .await?;
        Ok(())
    }

    /// Runs a script that answers `Seeded::No` for an unused tenant: seeds it from the demo data (once,
    /// whichever replica gets there first) and runs it again.
    async fn seeded<T, F, Fut>(&self, tenant: &str, mut run: F) -> Result<T, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Seeded<T>, StoreError>>,
    {
        for _ in 0..3 {
            match run().await? {
                Seeded::Yes(value) => return Ok(value),
                Seeded::No => self.seed(tenant, &self.seed, true).await?,
            }
        }
        Err(StoreError::new(format!(
            "redis: tenant {tenant} lost its state while it was being seeded"
        )))
    }

    /// Runs a read script whose first reply item says whether the tenant is seeded; the rest of the reply.
    async fn read(
        &self,
        script: &Script,
        keys: &[String],
        args: &[&str],
    ) -> Result<Seeded<Vec<Reply>>, StoreError> {
        let mut invocation = script.prepare_invoke();
        for key in keys {
            invocation.key(key);
        }
        invocation.arg(args);
        let mut conn = self.conn.clone();
        let mut reply: Vec<Reply> = self
            .call("read", invocation.invoke_async(&mut conn))
            .await?;
        Ok(match reply.first() {
            Some(Reply::Int(1)) => Seeded::Yes(reply.split_off(1)),
            _ => Seeded::No,
        })
    }

    /// One entity.
    pub async fn get(
        &self,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Result<Option<Entity>, StoreError> {
        Ok(self.get_many(tenant, [(kind, id)]).await?.pop().flatten())
    }

    /// Several entities in one round trip, in the order asked.
    pub async fn get_many<'k>(
        &self,
        tenant: &str,
        wanted: impl IntoIterator<Item = (&'k str, &'k str)>,
    ) -> Result<Vec<Option<Entity>>, StoreError> {
        Ok(self.read_many(tenant, wanted, &[]).await?.entities)
    }

    /// Every entity of a kind, by id.
    pub async fn list_where(
        &self,
        tenant: &str,
        kind: &str,
        mut keep: impl FnMut(&str, &Entity) -> bool,
    ) -> Result<Vec<(String, Entity)>, StoreError> {
        let mut read = self.read_many(tenant, [], &[kind]).await?;
        let mut entities = read.kinds.pop().unwrap_or_default();
        entities.retain(|(id, e)| keep(id, e));
        Ok(entities)
    }

    /// Entities by id and whole kinds (sorted by id) in one round trip, each in the order asked.
    pub async fn read_many<'k>(
        &self,
        tenant: &str,
        wanted: impl IntoIterator<Item = (&'k str, &'k str)>,
        kinds: &[&str],
    ) -> Result<Snapshot, StoreError> {
        let (by_id, ids): (Vec<&str>, Vec<&str>) = wanted.into_iter().unzip();
        if ids.is_empty() && kinds.is_empty() {
            return Ok(Snapshot::default());
        }
        let tenant_keys = self.keys(tenant);
        // MULTI/EXEC rather than a script: one atomic round trip as well, without Lua, which hashes every
        // byte of every string it is handed (the entities read).
        let mut read = redis::pipe();
        read.atomic().cmd("EXISTS").arg(&tenant_keys.seeded);
        for (kind, id) in by_id.iter().zip(&ids) {
            read.cmd("HGET").arg(tenant_keys.kind(kind)).arg(*id);
        }
        for kind in kinds {
            read.cmd("HGETALL").arg(tenant_keys.kind(kind));
        }
        let mut conn = self.conn.clone();
        let mut values: Vec<Reply> = self
            .call("read", conn.query_on_slot(&read, &tenant_keys.seeded))
            .await?;
        if !matches!(values.first(), Some(Reply::Int(1))) {
            return Ok(Snapshot {
                entities: by_id
                    .iter()
                    .zip(&ids)
                    .map(|(kind, id)| self.pristine.get(kind, id).cloned())
                    .collect(),
                kinds: kinds
                    .iter()
                    .map(|kind| self.pristine.list_where(kind, |_, _| true))
                    .collect(),
            });
        }
        let mut values = values.split_off(1);
        let whole = values.split_off(ids.len().min(values.len()));
        let entities = (0..ids.len())
            .map(|i| match values.get(i) {
                None | Some(Reply::Nil) => Ok(None),
                Some(stored) => entity(&self.parsed, stored).map(Some),
            })
            .collect::<Result<_, _>>()?;
        let kinds = whole
            .into_iter()
            .map(|reply| {
                let mut entities = pairs(&self.parsed, reply)?;
                entities.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(entities)
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Snapshot { entities, kinds })
    }

    /// Checks the guards and applies the writes in one script.
    pub async fn commit(&self, tenant: &str, txn: Txn) -> Result<Commit, StoreError> {
        let tenant_keys = self.keys(tenant);
        // KEYS[3..]: each kind's hash once; guards and writes refer to them by index.
        let kinds: Vec<&str> = txn
            .guards
            .iter()
            .map(|g| match g {
                Guard::Exists(kind, _) | Guard::Absent(kind, _) | Guard::VersionIs(kind, _, _) => {
                    kind.as_str()
                }
            })
            .chain(txn.writes.iter().map(|w| match w {
                Write::Put(kind, _, _) | Write::Delete(kind, _) => kind.as_str(),
            }))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let key_index = |kind: &str| kinds.iter().position(|k| *k == kind).unwrap_or(0) + 3;
        let mut args: Vec<String> = vec![txn.guards.len().to_string()];
        for guard in &txn.guards {
            let (code, kind, id, version) = match guard {
                Guard::Exists(kind, id) => ("E", kind, id, 0),
                Guard::Absent(kind, id) => ("A", kind, id, 0),
                Guard::VersionIs(kind, id, version) => ("V", kind, id, *version),
            };
            args.extend([
                code.to_owned(),
                key_index(kind).to_string(),
                id.clone(),
                version.to_string(),
            ]);
        }
        args.push(txn.writes.len().to_string());
        for write in &txn.writes {
            let (code, kind, id, body) = match write {
                Write::Put(kind, id, body) => ("P", kind, id, body.to_string()),
                Write::Delete(kind, id) => ("D", kind, id, String::new()),
            };
            args.extend([
                code.to_owned(),
                key_index(kind).to_string(),
                kind.clone(),
                id.clone(),
                body,
            ]);
        }
        let outcome = self
            .seeded(tenant, || async {
                let mut invocation = self.scripts.commit.prepare_invoke();
                invocation.key(&tenant_keys.seeded).key(&tenant_keys.kinds);
                for kind in &kinds {
                    invocation.key(tenant_keys.kind(kind));
                }
                invocation.arg(&args);
                let mut conn = self.conn.clone();
                let code: i64 = self
                    .call("commit", invocation.invoke_async(&mut conn))
                    .await?;
                Ok(if code == -2 {
                    Seeded::No
                } else {
                    Seeded::Yes(code)
                })
            })
            .await?;
        match usize::try_from(outcome) {
            Ok(failed) => Ok(Commit::Rejected(failed)),
            Err(_) => Ok(Commit::Committed),
        }
    }

    /// One tenant back to the demo data.
    pub async fn reset(&self, tenant: &str) -> Result<(), StoreError> {
        self.seed(tenant, &self.seed, false).await
    }

    /// Forgets a tenant; whether it had state.
    pub async fn forget(&self, tenant: &str) -> Result<bool, StoreError> {
        let keys = self.keys(tenant);
        let mut invocation = self.scripts.forget.prepare_invoke();
        invocation
            .key(&keys.seeded)
            .key(&keys.kinds)
            .arg(&keys.entities);
        let mut conn = self.conn.clone();
        let existed = self
            .call("forget tenant", invocation.invoke_async::<i64>(&mut conn))
            .await?;
        let mut conn = self.conn.clone();
        let listed = self
            .call(
                "unregister tenant",
                redis::cmd("SREM")
                    .arg(self.tenants_key())
                    .arg(tenant)
                    .query_async::<i64>(&mut conn),
            )
            .await?;
        Ok(existed == 1 || listed == 1)
    }

    /// Replaces a tenant's whole state.
    pub async fn import(&self, tenant: &str, state: DemoData) -> Result<(), StoreError> {
        self.seed(tenant, &flatten(&state), false).await
    }

    /// A tenant's state, read atomically.
    pub async fn export(&self, tenant: &str) -> Result<DemoData, StoreError> {
        let tenant_keys = self.keys(tenant);
        let keys = [tenant_keys.seeded.clone(), tenant_keys.kinds.clone()];
        let args = [tenant_keys.entities.as_str()];
        let Seeded::Yes(reply) = self.read(&self.scripts.export, &keys, &args).await? else {
            return Ok(self.pristine.export());
        };
        let mut state = DemoData::new();
        let mut rest = reply.into_iter();
        while let (Some(kind), Some(entities)) = (rest.next(), rest.next()) {
            let kind = text(&kind)?;
            let entities: BTreeMap<String, serde_json::Value> = pairs(&self.parsed, entities)?
                .into_iter()
                .map(|(id, e)| (id, Arc::unwrap_or_clone(e.body)))
                .collect();
            state.insert(kind, entities);
        }
        Ok(state)
    }

    /// Tenants in use, sorted.
    pub async fn tenant_names(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn.clone();
        let mut names: Vec<String> = self
            .call(
                "list tenants",
                redis::cmd("SMEMBERS")
                    .arg(self.tenants_key())
                    .query_async(&mut conn),
            )
            .await?;
        names.sort();
        Ok(names)
    }
}

/// `{kind: {id: body}}` as the seed script's (kind, id, JSON) arguments.
fn flatten(state: &DemoData) -> Vec<String> {
    let mut args = Vec::new();
    for (kind, entities) in state {
        for (id, body) in entities {
            args.extend([kind.clone(), id.clone(), body.to_string()]);
        }
    }
    args
}

/// The bytes of a string reply.
fn bytes_of(reply: &Reply) -> Result<&[u8], StoreError> {
    match reply {
        Reply::BulkString(bytes) => Ok(bytes),
        Reply::SimpleString(s) => Ok(s.as_bytes()),
        other => Err(StoreError::new(format!(
            "redis: unexpected reply {other:?}"
        ))),
    }
}

fn text(reply: &Reply) -> Result<String, StoreError> {
    bytes_of(reply).map(|bytes| String::from_utf8_lossy(bytes).into_owned())
}

/// A stored `<version>:<json>`: the entity parsed before from the same text, or parsed from the reply's
/// bytes (no copy into a string first).
fn entity(parsed: &Parsed, reply: &Reply) -> Result<Entity, StoreError> {
    parsed.get_or_parse(bytes_of(reply)?, parse_entity)
}

fn parse_entity(stored: &[u8]) -> Result<Entity, StoreError> {
    let malformed = |what: &str| {
        StoreError::new(format!(
            "redis: malformed {what} {:.80}",
            String::from_utf8_lossy(stored)
        ))
    };
    let colon = stored
        .iter()
        .position(|&b| b == b':')
        .ok_or_else(|| malformed("entity"))?;
    let version = std::str::from_utf8(&stored[..colon])
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| malformed("version in"))?;
    let body: serde_json::Value = serde_json::from_slice(&stored[colon + 1..])
        .map_err(|e| StoreError::caused("redis: malformed entity body", e))?;
    Ok(Entity {
        version,
        body: Arc::new(body),
    })
}

/// An HGETALL reply (flat id, value, id, value, … or a map) as entities.
fn pairs(parsed: &Parsed, reply: Reply) -> Result<Vec<(String, Entity)>, StoreError> {
    match reply {
        Reply::Array(items) => items
            .chunks(2)
            .map(|pair| match pair {
                [id, stored] => Ok((text(id)?, entity(parsed, stored)?)),
                _ => Err(StoreError::new("redis: odd HGETALL reply")),
            })
            .collect(),
        Reply::Map(items) => items
            .iter()
            .map(|(id, stored)| Ok((text(id)?, entity(parsed, stored)?)))
            .collect(),
        Reply::Nil => Ok(Vec::new()),
        other => Err(StoreError::new(format!(
            "redis: unexpected reply {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(text: &str) -> Reply {
        Reply::BulkString(text.as_bytes().to_vec())
    }

    #[test]
    fn an_entity_is_its_version_and_json_body() {
        let e = entity(&Parsed::default(), &stored(r#"7:{"id":"a","n":[1,2]}"#)).unwrap();
        assert_eq!(e.version, 7);
        assert_eq!(*e.body, serde_json::json!({"id": "a", "n": [1, 2]}));
        // A colon inside the body is the body's.
        let e = entity(&Parsed::default(), &stored(r#"12:{"at":"10:30"}"#)).unwrap();
        assert_eq!(e.version, 12);
        assert_eq!(e.body["at"], "10:30");
    }

    #[test]
    fn a_malformed_entity_is_an_error_naming_it() {
        for (text, says) in [
            ("no-colon", "malformed entity no-colon"),
            ("x:{}", "malformed version in x:{}"),
            ("3:{not json", "malformed entity body"),
        ] {
            let error = entity(&Parsed::default(), &stored(text))
                .unwrap_err()
                .to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
        assert!(entity(&Parsed::default(), &Reply::Int(3)).is_err());
    }
}

//! `--state-file`: SQLite (WAL, `synchronous=FULL`), one row per entity. A write is acknowledged only
//! after its transaction is committed to the file, so a crash or `kill -9` loses nothing acknowledged.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, params};

use super::StoreError;
use super::tenant::{Entity, Tenant, VersionedWrite};

/// The durable half of the store.
#[derive(Clone)]
pub struct Durable {
    connection: Arc<Mutex<Connection>>,
}

fn sql(e: rusqlite::Error) -> StoreError {
    StoreError::caused("sqlite", e)
}

impl Durable {
    /// Opens (or creates) the state file.
    pub fn open(path: &Path) -> Result<Durable, StoreError> {
        let connection = Connection::open(path).map_err(sql)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode=WAL;
                 PRAGMA synchronous=FULL;
                 CREATE TABLE IF NOT EXISTS entities (
                     tenant TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
                     version INTEGER NOT NULL, body TEXT NOT NULL,
                     PRIMARY KEY (tenant, kind, id));
                 CREATE TABLE IF NOT EXISTS tenants (tenant TEXT PRIMARY KEY);",
            )
            .map_err(sql)?;
        Ok(Durable {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Every tenant in the file.
    pub fn load(&self) -> Result<HashMap<String, Tenant>, StoreError> {
        let connection = self.connection.lock().expect("state file lock");
        let mut tenants: HashMap<String, Tenant> = HashMap::new();
        let mut names = connection
            .prepare("SELECT tenant FROM tenants")
            .map_err(sql)?;
        for name in names
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(sql)?
        {
            tenants.insert(name.map_err(sql)?, Tenant::default());
        }
        let mut rows = connection
            .prepare("SELECT tenant, kind, id, version, body FROM entities")
            .map_err(sql)?;
        let rows = rows
            .query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, i64>(3)?,
                    row.get::<_, String>(4)?,
                ))
            })
            .map_err(sql)?;
        for row in rows {
            let (tenant, kind, id, version, body) = row.map_err(sql)?;
            let body: serde_json::Value = serde_json::from_str(&body)
                .map_err(|e| StoreError::caused(format!("{tenant}/{kind}/{id}"), e))?;
            tenants.entry(tenant).or_default().insert(
                kind,
                id,
                Entity {
                    version: version as u64,
                    body: std::sync::Arc::new(body),
                },
            );
        }
        Ok(tenants)
    }

    /// Writes one commit's changes in one transaction, off the async workers.
    pub async fn apply(&self, tenant: &str, writes: &[VersionedWrite]) -> Result<(), StoreError> {
        let connection = self.connection.clone();
        let tenant = tenant.to_owned();
        let writes = writes.to_vec();
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().expect("state file lock");
            let tx = connection.transaction().map_err(sql)?;
            for (kind, id, entity) in &writes {
                match entity {
                    Some(e) => tx
                        .execute(
                            "INSERT OR REPLACE INTO entities (tenant, kind, id, version, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                            params![tenant, kind, id, e.version as i64, e.body.to_string()],
                        )
                        .map_err(sql)?,
                    None => tx
                        .execute(
                            "DELETE FROM entities WHERE tenant = ?1 AND kind = ?2 AND id = ?3",
                            params![tenant, kind, id],
                        )
                        .map_err(sql)?,
                };
            }
            tx.commit().map_err(sql)
        })
        .await
        .map_err(|e| StoreError::caused("the state file's writer task", e))?
    }

    /// Replaces a tenant's rows with `state` in one transaction.
    pub async fn replace_tenant(&self, tenant: &str, state: &Tenant) -> Result<(), StoreError> {
        let connection = self.connection.clone();
        let tenant = tenant.to_owned();
        let rows: Vec<(String, String, i64, String)> = state
            .entities()
            .map(|(k, i, e)| (k.clone(), i.clone(), e.version as i64, e.body.to_string()))
            .collect();
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().expect("state file lock");
            let tx = connection.transaction().map_err(sql)?;
            tx.execute("INSERT OR IGNORE INTO tenants (tenant) VALUES (?1)", params![tenant]).map_err(sql)?;
            tx.execute("DELETE FROM entities WHERE tenant = ?1", params![tenant]).map_err(sql)?;
            for (kind, id, version, body) in rows {
                tx.execute(
                    "INSERT INTO entities (tenant, kind, id, version, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![tenant, kind, id, version, body],
                )
                .map_err(sql)?;
            }
            tx.commit().map_err(sql)
        })
        .await
        .map_err(|e| StoreError::caused("the state file's writer task", e))?
    }

    /// Removes a tenant and its rows in one transaction.
    pub async fn forget_tenant(&self, tenant: &str) -> Result<(), StoreError> {
        self.forget_tenants(vec![tenant.to_owned()]).await
    }

    /// Removes tenants and their rows, all in one transaction (one sync of the file however many).
    pub async fn forget_tenants(&self, tenants: Vec<String>) -> Result<(), StoreError> {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut connection = connection.lock().expect("state file lock");
            let tx = connection.transaction().map_err(sql)?;
            for tenant in &tenants {
                tx.execute("DELETE FROM entities WHERE tenant = ?1", params![tenant])
                    .map_err(sql)?;
                tx.execute("DELETE FROM tenants WHERE tenant = ?1", params![tenant])
                    .map_err(sql)?;
            }
            tx.commit().map_err(sql)
        })
        .await
        .map_err(|e| StoreError::caused("the state file's writer task", e))?
    }
}

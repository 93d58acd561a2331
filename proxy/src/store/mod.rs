//! The proxy's SQLite database: schema, sessions, cohorts and the
//! Leanplum connection; syncs, members and events live in submodules.
//!
//! One connection behind a mutex; SQLite serialises writers anyway and
//! every query here is short, except member streaming, which pages.

pub mod events;
pub mod members;
pub mod syncs;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use sync_model::api::{Cohort, CohortSyncState};
use sync_model::plan::attribute_names;

/// Error from the database layer.
pub type StoreResult<T> = Result<T, rusqlite::Error>;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS profiles (
    distinct_id TEXT PRIMARY KEY,
    properties TEXT NOT NULL,
    profile_kind TEXT NOT NULL DEFAULT 'A',
    leanplum_user_id TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cohorts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cohort_members (
    cohort_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    distinct_id TEXT NOT NULL,
    PRIMARY KEY (cohort_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    source TEXT,
    properties TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (time);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY,
    distinct_id TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leanplum_connection (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    app_id TEXT NOT NULL,
    api_secret TEXT NOT NULL,
    verified_at INTEGER NOT NULL,
    failure TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS syncs (
    id INTEGER PRIMARY KEY,
    cohort_id TEXT NOT NULL,
    cohort_name TEXT NOT NULL,
    kind TEXT NOT NULL,
    attribute TEXT NOT NULL,
    app_id TEXT NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    created_at INTEGER NOT NULL,
    last_run_at INTEGER,
    next_run_at INTEGER
);
CREATE INDEX IF NOT EXISTS syncs_by_cohort ON syncs (cohort_id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    sync_id INTEGER NOT NULL REFERENCES syncs (id),
    kind TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    status TEXT NOT NULL,
    members INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    removed INTEGER NOT NULL DEFAULT 0,
    not_found INTEGER NOT NULL DEFAULT 0,
    skipped_anonymous INTEGER NOT NULL DEFAULT 0,
    invalid INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX IF NOT EXISTS runs_by_sync ON runs (sync_id, id);
-- Apart from `runs`, whose counters change with every batch: SQLite
-- rewrites a whole row on update, and a plan's CSV can run to megabytes.
CREATE TABLE IF NOT EXISTS run_csvs (
    run_id INTEGER PRIMARY KEY REFERENCES runs (id),
    csv TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_entries (
    app_id TEXT NOT NULL,
    cohort_id TEXT NOT NULL,
    leanplum_id TEXT NOT NULL,
    distinct_id TEXT NOT NULL,
    PRIMARY KEY (app_id, cohort_id, leanplum_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency_keys (
    key TEXT PRIMARY KEY,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
"#;

/// Shared handle to the database.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// Stored Leanplum credentials. The secret never leaves the proxy.
#[derive(Clone)]
pub struct StoredConnection {
    /// Leanplum App ID.
    pub app_id: String,
    /// Leanplum API secret.
    pub api_secret: String,
    /// When Leanplum last accepted them (unix seconds).
    pub verified_at: i64,
    /// Why Leanplum refuses them now, if it does.
    pub failure: Option<String>,
}

impl std::fmt::Debug for StoredConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredConnection")
            .field("app_id", &self.app_id)
            .field("api_secret", &"<redacted>")
            .field("verified_at", &self.verified_at)
            .field("failure", &self.failure)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database file and its schema.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        members::migrate_profiles(&conn)?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Locks the connection for a short query.
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent
        // (statements are atomic), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `work` in one transaction, committed when it returns `Ok`.
    pub fn with_tx<T, E: From<rusqlite::Error>>(
        &self,
        work: impl FnOnce(&rusqlite::Transaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let value = work(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// True when no profile and no cohort has been stored yet.
    pub fn is_empty(&self) -> StoreResult<bool> {
        let conn = self.lock();
        let n: i64 = conn.query_row(
            "SELECT (SELECT count(*) FROM profiles)
                  + (SELECT count(*) FROM cohorts)",
            [],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }

    /// Every cohort with its member count, by name.
    pub fn cohorts(&self) -> StoreResult<Vec<Cohort>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT c.id, c.name, c.description, c.updated_at,
                    (SELECT count(*) FROM cohort_members m
                      WHERE m.cohort_id = c.id)
               FROM cohorts c ORDER BY c.name, c.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Cohort {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
                updated_at: r.get(3)?,
                members: r.get::<_, i64>(4)? as u64,
                sync: CohortSyncState::None,
                sync_id: None,
                leanplum_attribute: String::new(),
            })
        })?;
        let mut cohorts = rows.collect::<StoreResult<Vec<_>>>()?;
        let keys: Vec<(&str, &str)> = cohorts
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str()))
            .collect();
        let names = attribute_names(&keys);
        for (cohort, name) in cohorts.iter_mut().zip(names) {
            cohort.leanplum_attribute = name;
        }
        drop(stmt);
        for cohort in &mut cohorts {
            if let Some(sync) = syncs::latest_for_cohort(&conn, &cohort.id)? {
                cohort.sync_id = Some(sync.id);
                cohort.sync = syncs::cohort_state(&sync.status);
            }
        }
        Ok(cohorts)
    }

    /// The Leanplum attribute name of one cohort, among all cohorts.
    pub fn attribute_of(&self, cohort_id: &str) -> StoreResult<Option<String>> {
        Ok(self
            .cohorts()?
            .into_iter()
            .find(|c| c.id == cohort_id)
            .map(|c| c.leanplum_attribute))
    }

    /// One cohort's name and member count, if it exists.
    pub fn cohort_size(
        &self,
        cohort_id: &str,
    ) -> StoreResult<Option<(String, u64)>> {
        let conn = self.lock();
        conn.query_row(
            "SELECT c.name, (SELECT count(*) FROM cohort_members m
                              WHERE m.cohort_id = c.id)
               FROM cohorts c WHERE c.id = ?1",
            params![cohort_id],
            |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)),
        )
        .optional()
    }

    /// The stored Leanplum credentials, if any.
    pub fn connection(&self) -> StoreResult<Option<StoredConnection>> {
        let conn = self.lock();
        conn.query_row(
            "SELECT app_id, api_secret, verified_at, failure
               FROM leanplum_connection WHERE id = 1",
            [],
            |r| {
                Ok(StoredConnection {
                    app_id: r.get(0)?,
                    api_secret: r.get(1)?,
                    verified_at: r.get(2)?,
                    failure: r.get(3)?,
                })
            },
        )
        .optional()
    }

    /// Stores a verified pair, replacing any other.
    pub fn save_connection(
        &self,
        app_id: &str,
        api_secret: &str,
        now: i64,
    ) -> StoreResult<()> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO leanplum_connection
                 (id, app_id, api_secret, verified_at, failure)
             VALUES (1, ?1, ?2, ?3, NULL)
             ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id,
                 api_secret = excluded.api_secret,
                 verified_at = excluded.verified_at, failure = NULL",
            params![app_id, api_secret, now],
        )?;
        Ok(())
    }

    /// Forgets the stored pair.
    pub fn delete_connection(&self) -> StoreResult<()> {
        let conn = self.lock();
        conn.execute("DELETE FROM leanplum_connection", [])?;
        Ok(())
    }

    /// Records that Leanplum now refuses the stored pair.
    pub fn mark_connection_failing(&self, reason: &str) -> StoreResult<()> {
        let conn = self.lock();
        conn.execute(
            "UPDATE leanplum_connection SET failure = ?1 WHERE id = 1",
            params![reason],
        )?;
        Ok(())
    }

    /// The account signed in under a session id.
    pub fn session_account(
        &self,
        session: &str,
    ) -> StoreResult<Option<String>> {
        let conn = self.lock();
        conn.query_row(
            "SELECT account_id FROM sessions WHERE id = ?1",
            params![session],
            |r| r.get(0),
        )
        .optional()
    }

    /// Records a new session for an account.
    pub fn create_session(
        &self,
        session: &str,
        account_id: &str,
        now: i64,
    ) -> StoreResult<()> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO sessions (id, account_id, created_at)
             VALUES (?1, ?2, ?3)",
            params![session, account_id, now],
        )?;
        Ok(())
    }

    /// Ends a session.
    pub fn delete_session(&self, session: &str) -> StoreResult<()> {
        let conn = self.lock();
        conn.execute("DELETE FROM sessions WHERE id = ?1", params![session])?;
        Ok(())
    }
}

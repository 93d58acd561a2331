//! Syncs, their runs, the snapshot each run advances batch by batch, and
//! the idempotency keys of start requests.

use rusqlite::{params, Connection, OptionalExtension, Row};
use sync_model::api::{
    CohortSyncState, ExportKind, Run, RunStatus, RunTotals, Sync, SyncStatus,
};
use sync_model::plan::{ActionOutcome, BatchOutcome};

use super::{Store, StoreResult};

/// Runs whose CSV is kept per sync; older runs keep only their totals.
pub const KEPT_CSVS: i64 = 20;

const SYNC_COLUMNS: &str = "s.id, s.cohort_id, s.cohort_name, s.kind, \
     s.attribute, s.app_id, s.state, s.reason, s.created_at, \
     s.last_run_at, s.next_run_at, \
     EXISTS (SELECT 1 FROM runs r WHERE r.sync_id = s.id \
             AND r.status = 'running')";

/// A sync as stored, with what the API does not show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRecord {
    /// The sync as the API shows it.
    pub sync: Sync,
    /// The Leanplum App ID it was started for.
    pub app_id: String,
    /// Stored state: active, done, paused, stopped or failed.
    pub state: String,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunEnd {
    /// Every batch was answered.
    Succeeded,
    /// A fault that may pass; a dynamic sync tries again next time.
    Failed(String),
    /// Leanplum refused; the sync waits for a person.
    Paused(String),
    /// The sync was stopped or paused while the run was going.
    Cancelled(String),
}

/// Text form of an export kind in the database.
pub fn kind_text(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::OneTime => "one_time",
        ExportKind::Dynamic => "dynamic",
    }
}

fn kind_of(text: &str) -> ExportKind {
    match text {
        "dynamic" => ExportKind::Dynamic,
        _ => ExportKind::OneTime,
    }
}

fn status_of(state: &str, reason: Option<String>, running: bool) -> SyncStatus {
    let reason = reason.unwrap_or_default();
    match state {
        _ if running => SyncStatus::Running,
        "active" => SyncStatus::Active,
        "done" => SyncStatus::Done,
        "paused" => SyncStatus::Paused { reason },
        "stopped" => SyncStatus::Stopped,
        _ => SyncStatus::Failed { reason },
    }
}

fn record_of(row: &Row) -> rusqlite::Result<SyncRecord> {
    let state: String = row.get(6)?;
    let running: bool = row.get(11)?;
    let kind = kind_of(&row.get::<_, String>(3)?);
    let next_run_at = match state.as_str() {
        "active" if kind == ExportKind::Dynamic => row.get(10)?,
        _ => None,
    };
    Ok(SyncRecord {
        sync: Sync {
            id: row.get(0)?,
            cohort_id: row.get(1)?,
            cohort_name: row.get(2)?,
            kind,
            status: status_of(&state, row.get(7)?, running),
            attribute: row.get(4)?,
            created_at: row.get(8)?,
            last_run_at: row.get(9)?,
            next_run_at,
        },
        app_id: row.get(5)?,
        state,
    })
}

/// How a sync's status shows in the cohort list.
pub fn cohort_state(status: &SyncStatus) -> CohortSyncState {
    match status {
        SyncStatus::Running => CohortSyncState::Running,
        SyncStatus::Active => CohortSyncState::Active,
        SyncStatus::Done => CohortSyncState::ExportDone,
        SyncStatus::Paused { reason } => CohortSyncState::Paused {
            reason: reason.clone(),
        },
        SyncStatus::Stopped => CohortSyncState::Stopped,
        SyncStatus::Failed { reason } => CohortSyncState::Failed {
            reason: reason.clone(),
        },
    }
}

/// One sync by id.
pub fn sync_in(conn: &Connection, id: i64) -> StoreResult<Option<SyncRecord>> {
    conn.query_row(
        &format!("SELECT {SYNC_COLUMNS} FROM syncs s WHERE s.id = ?1"),
        params![id],
        record_of,
    )
    .optional()
}

/// A cohort's newest sync.
pub fn latest_for_cohort(
    conn: &Connection,
    cohort_id: &str,
) -> StoreResult<Option<Sync>> {
    conn.query_row(
        &format!(
            "SELECT {SYNC_COLUMNS} FROM syncs s WHERE s.cohort_id = ?1
              ORDER BY s.id DESC LIMIT 1"
        ),
        params![cohort_id],
        record_of,
    )
    .optional()
    .map(|r| r.map(|r| r.sync))
}

/// The cohort's dynamic sync that is still scheduled or paused.
pub fn open_dynamic_for_cohort(
    conn: &Connection,
    cohort_id: &str,
) -> StoreResult<Option<i64>> {
    conn.query_row(
        "SELECT id FROM syncs WHERE cohort_id = ?1 AND kind = 'dynamic'
            AND state IN ('active', 'paused') ORDER BY id DESC LIMIT 1",
        params![cohort_id],
        |r| r.get(0),
    )
    .optional()
}

/// Dynamic syncs that hold a slot (scheduled or paused).
pub fn count_open_dynamic(conn: &Connection) -> StoreResult<usize> {
    conn.query_row(
        "SELECT count(*) FROM syncs WHERE kind = 'dynamic'
            AND state IN ('active', 'paused')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n as usize)
}

/// What a new sync is made of.
#[derive(Clone, Debug)]
pub struct NewSync<'a> {
    /// The cohort.
    pub cohort_id: &'a str,
    /// Its name now.
    pub cohort_name: &'a str,
    /// One-time or dynamic.
    pub kind: ExportKind,
    /// The Leanplum attribute.
    pub attribute: &'a str,
    /// The connected App ID.
    pub app_id: &'a str,
    /// Creation time, also its first run time.
    pub now: i64,
}

/// Stores a new active sync due right away; returns its id.
pub fn insert_sync(conn: &Connection, new: &NewSync) -> StoreResult<i64> {
    conn.execute(
        "INSERT INTO syncs (cohort_id, cohort_name, kind, attribute, app_id,
                            state, created_at, next_run_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 'active', ?6, ?6)",
        params![
            new.cohort_id,
            new.cohort_name,
            kind_text(new.kind),
            new.attribute,
            new.app_id,
            new.now
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The stored answer to an earlier request with this key.
pub fn idempotent_answer(
    conn: &Connection,
    key: &str,
) -> StoreResult<Option<(u16, String)>> {
    conn.query_row(
        "SELECT status, body FROM idempotency_keys WHERE key = ?1",
        params![key],
        |r| Ok((r.get::<_, i64>(0)? as u16, r.get(1)?)),
    )
    .optional()
}

/// Remembers the answer given to a request with this key.
pub fn save_idempotent_answer(
    conn: &Connection,
    key: &str,
    status: u16,
    body: &str,
    now: i64,
) -> StoreResult<()> {
    conn.execute(
        "INSERT OR REPLACE INTO idempotency_keys (key, status, body, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![key, status, body, now],
    )?;
    Ok(())
}

fn run_of(row: &Row) -> rusqlite::Result<Run> {
    let status = match row.get::<_, String>(5)?.as_str() {
        "running" => RunStatus::Running,
        "succeeded" => RunStatus::Succeeded,
        _ => RunStatus::Failed,
    };
    let count = |i: usize| row.get::<_, i64>(i).map(|n| n as u64);
    Ok(Run {
        id: row.get(0)?,
        sync_id: row.get(1)?,
        kind: kind_of(&row.get::<_, String>(2)?),
        started_at: row.get(3)?,
        finished_at: row.get(4)?,
        status,
        members: count(6)?,
        totals: RunTotals {
            added: count(7)?,
            removed: count(8)?,
            not_found: count(9)?,
            skipped_anonymous: count(10)?,
            invalid: count(11)?,
            failed: count(12)?,
        },
        error: row.get(13)?,
    })
}

impl Store {
    /// One sync by id.
    pub fn sync(&self, id: i64) -> StoreResult<Option<SyncRecord>> {
        sync_in(&self.lock(), id)
    }

    /// Every sync, newest first.
    pub fn syncs(&self) -> StoreResult<Vec<Sync>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT {SYNC_COLUMNS} FROM syncs s ORDER BY s.id DESC"
        ))?;
        let rows = stmt.query_map([], |r| record_of(r).map(|r| r.sync))?;
        rows.collect()
    }

    /// Syncs due to run at `now`.
    pub fn due_syncs(&self, now: i64) -> StoreResult<Vec<i64>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM syncs WHERE state = 'active'
                AND next_run_at IS NOT NULL AND next_run_at <= ?1
              ORDER BY next_run_at, id",
        )?;
        let rows = stmt.query_map(params![now], |r| r.get(0))?;
        rows.collect()
    }

    /// Sets a sync's stored state and reason.
    pub fn set_sync_state(
        &self,
        id: i64,
        state: &str,
        reason: Option<&str>,
    ) -> StoreResult<()> {
        let conn = self.lock();
        conn.execute(
            "UPDATE syncs SET state = ?2, reason = ?3,
                 next_run_at = CASE WHEN ?2 = 'active' THEN next_run_at
                                    ELSE NULL END
              WHERE id = ?1",
            params![id, state, reason],
        )?;
        Ok(())
    }

    /// Pauses every active sync with a reason; returns how many.
    pub fn pause_active_syncs(&self, reason: &str) -> StoreResult<usize> {
        let conn = self.lock();
        conn.execute(
            "UPDATE syncs SET state = 'paused', reason = ?1, next_run_at = NULL
              WHERE state = 'active'",
            params![reason],
        )
    }

    /// After connecting `app_id`: resumes the paused syncs started for
    /// it, due now, and explains to the others why they stay paused.
    pub fn resume_syncs_for(
        &self,
        app_id: &str,
        now: i64,
    ) -> StoreResult<usize> {
        let conn = self.lock();
        conn.execute(
            "UPDATE syncs SET reason = 'Leanplum is now connected to App ID '
                 || ?1 || ', but this sync was started for App ID '
                 || app_id || '. Start a new sync to export to this app.'
              WHERE state = 'paused' AND app_id <> ?1",
            params![app_id],
        )?;
        conn.execute(
            "UPDATE syncs SET state = 'active', reason = NULL, next_run_at = ?2
              WHERE state = 'paused' AND app_id = ?1",
            params![app_id, now],
        )
    }

    /// Marks runs cut off by a crash as failed and makes their syncs due
    /// now; returns how many runs there were.
    pub fn recover_interrupted_runs(&self, now: i64) -> StoreResult<usize> {
        let conn = self.lock();
        conn.execute(
            "UPDATE syncs SET next_run_at = ?1
              WHERE state = 'active' AND id IN
                  (SELECT sync_id FROM runs WHERE status = 'running')",
            params![now],
        )?;
        conn.execute(
            "UPDATE runs SET status = 'failed', finished_at = ?1,
                 error = 'interrupted by a restart'
              WHERE status = 'running'",
            params![now],
        )
    }

    /// Starts a run: records it and when the sync runs next.
    pub fn begin_run(
        &self,
        sync_id: i64,
        kind: ExportKind,
        now: i64,
        next_run_at: Option<i64>,
    ) -> StoreResult<i64> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO runs (sync_id, kind, started_at, status)
             VALUES (?1, ?2, ?3, 'running')",
            params![sync_id, kind_text(kind), now],
        )?;
        let run_id = tx.last_insert_rowid();
        tx.execute(
            "UPDATE syncs SET last_run_at = ?2, next_run_at = ?3 WHERE id = ?1",
            params![sync_id, now, next_run_at],
        )?;
        tx.commit()?;
        Ok(run_id)
    }

    /// Records what a run's plan is: member counts and its CSV.
    pub fn set_run_plan(
        &self,
        run_id: i64,
        members: u64,
        skipped_anonymous: u64,
        invalid: u64,
        csv: &str,
    ) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE runs SET members = ?2, skipped_anonymous = ?3,
                 invalid = ?4 WHERE id = ?1",
            params![
                run_id,
                members as i64,
                skipped_anonymous as i64,
                invalid as i64
            ],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO run_csvs (run_id, csv) VALUES (?1, ?2)",
            params![run_id, csv],
        )?;
        tx.commit()
    }

    /// Records one acknowledged batch in one transaction: the snapshot
    /// rows it changed and the run's counters.
    pub fn record_batch(
        &self,
        run_id: i64,
        app_id: &str,
        cohort_id: &str,
        outcome: &BatchOutcome,
    ) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        {
            let mut set = tx.prepare_cached(
                "INSERT OR REPLACE INTO snapshot_entries
                     (app_id, cohort_id, leanplum_id, distinct_id)
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut unset = tx.prepare_cached(
                "DELETE FROM snapshot_entries
                  WHERE app_id = ?1 AND cohort_id = ?2 AND leanplum_id = ?3",
            )?;
            for r in &outcome.results {
                match (&r.outcome, r.value) {
                    (ActionOutcome::Applied, true) => {
                        set.execute(params![
                            app_id,
                            cohort_id,
                            r.user_id,
                            r.distinct_id
                        ])?;
                    }
                    // Cleared, or the user is gone from Leanplum: either
                    // way the attribute is not set there.
                    (ActionOutcome::Applied | ActionOutcome::NotFound, _) => {
                        unset.execute(params![app_id, cohort_id, r.user_id])?;
                    }
                    (ActionOutcome::Failed(_), _) => {}
                }
            }
            let c = outcome.counts;
            tx.execute(
                "UPDATE runs SET added = added + ?2, removed = removed + ?3,
                     not_found = not_found + ?4, failed = failed + ?5
                  WHERE id = ?1",
                params![
                    run_id,
                    c.added as i64,
                    c.removed as i64,
                    c.not_found as i64,
                    c.failed as i64
                ],
            )?;
        }
        tx.commit()
    }

    /// Ends a run and moves its sync on, unless a person changed the
    /// sync meanwhile.
    pub fn finish_run(
        &self,
        run_id: i64,
        sync_id: i64,
        end: &RunEnd,
        now: i64,
    ) -> StoreResult<()> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let (status, error) = match end {
            RunEnd::Succeeded => ("succeeded", None),
            RunEnd::Failed(e) | RunEnd::Paused(e) | RunEnd::Cancelled(e) => {
                ("failed", Some(e.as_str()))
            }
        };
        tx.execute(
            "UPDATE runs SET status = ?2, error = ?3, finished_at = ?4
              WHERE id = ?1",
            params![run_id, status, error, now],
        )?;
        let one_time = "kind = 'one_time'";
        let update = match end {
            RunEnd::Succeeded => Some(format!(
                "UPDATE syncs SET state = 'done', next_run_at = NULL
                  WHERE id = ?1 AND state = 'active' AND {one_time}"
            )),
            RunEnd::Failed(_) => Some(format!(
                "UPDATE syncs SET state = 'failed', reason = ?2,
                     next_run_at = NULL
                  WHERE id = ?1 AND state = 'active' AND {one_time}"
            )),
            RunEnd::Paused(_) => Some(
                "UPDATE syncs SET state = 'paused', reason = ?2,
                     next_run_at = NULL
                  WHERE id = ?1 AND state = 'active'"
                    .to_owned(),
            ),
            RunEnd::Cancelled(_) => None,
        };
        if let Some(sql) = update {
            let reason = error.unwrap_or_default();
            if sql.contains("?2") {
                tx.execute(&sql, params![sync_id, reason])?;
            } else {
                tx.execute(&sql, params![sync_id])?;
            }
        }
        tx.execute(
            "DELETE FROM run_csvs
              WHERE run_id IN (SELECT id FROM runs WHERE sync_id = ?1)
                AND run_id NOT IN (SELECT id FROM runs WHERE sync_id = ?1
                                   ORDER BY id DESC LIMIT ?2)",
            params![sync_id, KEPT_CSVS],
        )?;
        tx.commit()
    }

    /// A sync's runs, newest first.
    pub fn runs(&self, sync_id: i64) -> StoreResult<Vec<Run>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT id, sync_id, kind, started_at, finished_at, status,
                    members, added, removed, not_found, skipped_anonymous,
                    invalid, failed, error
               FROM runs WHERE sync_id = ?1 ORDER BY id DESC",
        )?;
        let rows = stmt.query_map(params![sync_id], run_of)?;
        rows.collect()
    }

    /// A run's CSV: `None` for an unknown run, `Some(None)` when it is no
    /// longer kept or not planned yet.
    pub fn run_csv(&self, run_id: i64) -> StoreResult<Option<Option<String>>> {
        let conn = self.lock();
        conn.query_row(
            "SELECT c.csv FROM runs r LEFT JOIN run_csvs c ON c.run_id = r.id
              WHERE r.id = ?1",
            params![run_id],
            |r| r.get(0),
        )
        .optional()
    }
}

//! One run of a sync: read the cohort, resolve identities, diff against
//! the snapshot of what Leanplum holds, send the changes in batches and
//! record every acknowledged batch before sending the next.
//!
//! The snapshot only moves with acknowledged batches, so a run that stops
//! early leaves the next one to diff against the true state.

use std::fmt;

use sync_model::api::ExportKind;
use sync_model::plan::{
    batches, fold_response, write_csv, MultiBatch, PlannedSync, RunCounts,
    SnapshotBuilder,
};
use sync_model::{IdentityResolver, IdentitySummary, Snapshot};
use tracing::Instrument;

use crate::leanplum::{Credentials, LeanplumError};
use crate::store::syncs::{kind_text, RunEnd, SyncRecord};
use crate::store::{Store, StoreResult};
use crate::{unix_now, SharedState};

/// Why a run could not be carried out or recorded.
#[derive(Debug)]
pub enum RunError {
    /// The database failed.
    Store(rusqlite::Error),
    /// A blocking task died.
    Task(tokio::task::JoinError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(e) => write!(f, "database error: {e}"),
            Self::Task(e) => write!(f, "background task failed: {e}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<rusqlite::Error> for RunError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e)
    }
}

impl From<tokio::task::JoinError> for RunError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Task(e)
    }
}

/// Feeds a cohort's members, page by page as the members endpoint reads
/// them, to the identity resolver the browser preview also uses.
pub fn resolve_cohort(
    store: &Store,
    cohort_id: &str,
) -> StoreResult<IdentityResolver> {
    let members = store.member_count(cohort_id)?.unwrap_or(0);
    let mut resolver = IdentityResolver::with_capacity(members as usize);
    store.for_each_member_page(cohort_id, |page| {
        for member in page {
            resolver.push(member);
        }
        true
    })?;
    Ok(resolver)
}

/// The snapshot of a cohort on one Leanplum app.
pub fn read_snapshot(
    store: &Store,
    app_id: &str,
    cohort_id: &str,
) -> StoreResult<Snapshot> {
    let mut builder = SnapshotBuilder::new();
    store.for_each_snapshot_page(app_id, cohort_id, |page| {
        for entry in page {
            builder.push(&entry.leanplum_id, &entry.distinct_id);
        }
        true
    })?;
    Ok(builder.finish())
}

/// What a run will send, with the counts it reports.
#[derive(Debug)]
pub struct PreparedRun {
    /// The `multi` calls, in order.
    pub batches: Vec<MultiBatch>,
    /// Identity matching counts.
    pub summary: IdentitySummary,
}

/// Plans a sync's run and records the plan (counts and CSV) on the run.
pub fn prepare(
    store: &Store,
    record: &SyncRecord,
    run_id: Option<i64>,
) -> StoreResult<PreparedRun> {
    let sync = &record.sync;
    let resolver = resolve_cohort(store, &sync.cohort_id)?;
    let snapshot = read_snapshot(store, &record.app_id, &sync.cohort_id)?;
    let PlannedSync { summary, plan, .. } =
        resolver.finish_plan(sync.kind, snapshot);
    if let Some(run_id) = run_id {
        let mut csv = String::new();
        write_csv(&plan, &mut csv);
        store.set_run_plan(
            run_id,
            summary.members,
            summary.anonymous,
            summary.invalid,
            &csv,
        )?;
    }
    Ok(PreparedRun {
        batches: batches(&plan, &sync.attribute),
        summary,
    })
}

/// Runs a sync once, logging the outcome; never overlaps itself when
/// started through the scheduler.
pub async fn run_sync(state: SharedState, sync_id: i64) {
    let span = tracing::info_span!("sync_run", sync_id);
    async move {
        if let Err(e) = run(&state, sync_id).await {
            tracing::error!(error = %e, "sync run could not be completed");
        }
    }
    .instrument(span)
    .await
}

/// The credentials to run `record` with, or why it must wait.
fn credentials_for(
    store: &Store,
    record: &SyncRecord,
) -> StoreResult<Result<Credentials, String>> {
    let Some(connection) = store.connection()? else {
        return Ok(Err("disconnected".into()));
    };
    if connection.app_id != record.app_id {
        return Ok(Err(format!(
            "Leanplum is connected to App ID {}, but this sync was started \
             for App ID {}. Start a new sync to export to this app.",
            connection.app_id, record.app_id
        )));
    }
    if let Some(failure) = connection.failure {
        return Ok(Err(failure));
    }
    Ok(Ok(Credentials {
        app_id: connection.app_id,
        api_secret: connection.api_secret,
    }))
}

async fn run(state: &SharedState, sync_id: i64) -> Result<(), RunError> {
    let store = &state.store;
    let Some(record) = store.sync(sync_id)? else {
        return Ok(());
    };
    if record.state != "active" {
        return Ok(());
    }
    let credentials = match credentials_for(store, &record)? {
        Ok(c) => c,
        Err(reason) => {
            store.set_sync_state(sync_id, "paused", Some(&reason))?;
            tracing::info!(%reason, "sync paused before running");
            return Ok(());
        }
    };
    let kind = record.sync.kind;
    let now = unix_now();
    let next = match kind {
        ExportKind::Dynamic => {
            Some(now + state.config.sync_interval.as_secs().max(1) as i64)
        }
        ExportKind::OneTime => None,
    };
    let run_id = store.begin_run(sync_id, kind, now, next)?;
    let prepared = {
        let store = store.clone();
        let record = record.clone();
        tokio::task::spawn_blocking(move || {
            prepare(&store, &record, Some(run_id))
        })
        .await?
    };
    let (end, counts, summary) = match prepared {
        Ok(prepared) => {
            let (end, counts) =
                send(state, &record, &credentials, run_id, &prepared).await?;
            (end, counts, prepared.summary)
        }
        Err(e) => {
            tracing::error!(error = %e, "could not plan the run");
            let end = RunEnd::Failed("The proxy's database failed.".into());
            (end, RunCounts::default(), IdentitySummary::default())
        }
    };
    store.finish_run(run_id, sync_id, &end, unix_now())?;
    let outcome = match &end {
        RunEnd::Succeeded => "succeeded",
        RunEnd::Failed(_) => "failed",
        RunEnd::Paused(_) => "paused",
        RunEnd::Cancelled(_) => "cancelled",
    };
    tracing::info!(
        run_id,
        cohort_id = %record.sync.cohort_id,
        kind = kind_text(kind),
        members = summary.members,
        added = counts.added,
        removed = counts.removed,
        not_found = counts.not_found,
        failed = counts.failed,
        skipped_anonymous = summary.anonymous,
        invalid = summary.invalid,
        outcome,
        "sync run"
    );
    Ok(())
}

/// Sends every batch, recording each answer; stops at the first call
/// that gets no answer, or when the sync is no longer active.
async fn send(
    state: &SharedState,
    record: &SyncRecord,
    credentials: &Credentials,
    run_id: i64,
    prepared: &PreparedRun,
) -> Result<(RunEnd, RunCounts), RunError> {
    let store = &state.store;
    let mut counts = RunCounts::default();
    for batch in &prepared.batches {
        let still_active = store
            .sync(record.sync.id)?
            .is_some_and(|r| r.state == "active");
        if !still_active {
            let reason = "The sync was stopped or paused during the run.";
            return Ok((RunEnd::Cancelled(reason.into()), counts));
        }
        let answer = match state.leanplum.send_batch(credentials, batch).await {
            Ok(answer) => answer,
            Err(LeanplumError::Unreachable(reason)) => {
                return Ok((RunEnd::Failed(reason), counts));
            }
            Err(refusal) => {
                let reason = format!("Leanplum refused the update: {refusal}");
                if refusal.is_auth() {
                    store.mark_connection_failing(&reason)?;
                }
                return Ok((RunEnd::Paused(reason), counts));
            }
        };
        let outcome = fold_response(batch, &answer);
        counts += outcome.counts;
        let store = store.clone();
        let app_id = record.app_id.clone();
        let cohort_id = record.sync.cohort_id.clone();
        tokio::task::spawn_blocking(move || {
            store.record_batch(run_id, &app_id, &cohort_id, &outcome)
        })
        .await??;
    }
    Ok((RunEnd::Succeeded, counts))
}

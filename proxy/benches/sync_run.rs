//! Times one dynamic sync run over a 1,000,000-member cohort whose
//! 1,000,000-entry snapshot differs by 10,000 changes: reading both from
//! SQLite, planning, and sending the changes to the in-process sandbox.
//!
//! Run with `cargo bench -p cohort-proxy`; prints the figures.

use std::time::{Duration, Instant};

use cohort_proxy::leanplum::{Credentials, LeanplumClient, RetryPolicy};
use cohort_proxy::runner::{read_snapshot, resolve_cohort};
use cohort_proxy::sandbox::{self, SANDBOX_API_SECRET, SANDBOX_APP_ID};
use cohort_proxy::store::Store;
use rusqlite::params;
use sync_model::api::ExportKind;
use sync_model::plan::{batches, fold_response, write_csv};

const MEMBERS: usize = 1_000_000;
const ADDED: usize = 5_000;
const REMOVED: usize = 5_000;
const COHORT: &str = "big";
const ATTRIBUTE: &str = "Mixpanel: Big cohort";

fn user(i: usize) -> String {
    format!("user-{i:07}")
}

/// Profiles and cohort members, and a snapshot missing the first
/// `ADDED` members and holding `REMOVED` people no longer in it.
fn build(store: &Store) -> rusqlite::Result<()> {
    store.with_tx(|tx| {
        tx.execute(
            "INSERT INTO cohorts (id, name, description, updated_at)
             VALUES (?1, 'Big cohort', '', 0)",
            params![COHORT],
        )?;
        let mut profile = tx.prepare(
            "INSERT INTO profiles (distinct_id, properties, profile_kind,
                                   leanplum_user_id)
             VALUES (?1, '{\"$name\":\"x\"}', ?2, ?3)",
        )?;
        let mut member = tx.prepare(
            "INSERT INTO cohort_members (cohort_id, position, distinct_id)
             VALUES (?1, ?2, ?3)",
        )?;
        let mut snapshot = tx.prepare(
            "INSERT INTO snapshot_entries
                 (app_id, cohort_id, leanplum_id, distinct_id)
             VALUES (?1, ?2, ?3, ?4)",
        )?;
        for i in 0..MEMBERS {
            let id = user(i);
            let (kind, lp) = if i % 10 == 0 {
                ("S", Some(format!("lp-{i:07}")))
            } else {
                ("P", None)
            };
            profile.execute(params![id, kind, lp])?;
            member.execute(params![COHORT, i as i64, id])?;
            if i >= ADDED {
                let leanplum_id = lp.unwrap_or_else(|| id.clone());
                snapshot.execute(params![
                    SANDBOX_APP_ID,
                    COHORT,
                    leanplum_id,
                    id
                ])?;
            }
        }
        for i in 0..REMOVED {
            let gone = format!("gone-{i:05}");
            snapshot.execute(params![SANDBOX_APP_ID, COHORT, gone, gone])?;
        }
        // The sync and its running run, whose counters each batch bumps.
        tx.execute(
            "INSERT INTO syncs (id, cohort_id, cohort_name, kind, attribute,
                                app_id, state, created_at)
             VALUES (1, ?1, 'Big cohort', 'dynamic', ?2, ?3, 'active', 0)",
            params![COHORT, ATTRIBUTE, SANDBOX_APP_ID],
        )?;
        tx.execute(
            "INSERT INTO runs (id, sync_id, kind, started_at, status)
             VALUES (1, 1, 'dynamic', 0, 'running')",
            [],
        )?;
        Ok(())
    })
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Store::open(&dir.path().join("bench.sqlite")).expect("db");
    let started = Instant::now();
    build(&store).expect("dataset");
    println!(
        "built {MEMBERS} members and a {} entry snapshot in {}",
        MEMBERS - ADDED + REMOVED,
        secs(started.elapsed())
    );

    let t = Instant::now();
    let current = resolve_cohort(&store, COHORT).expect("members");
    let read_members = t.elapsed();
    let t = Instant::now();
    let snapshot =
        read_snapshot(&store, SANDBOX_APP_ID, COHORT).expect("snapshot");
    let read_snap = t.elapsed();
    let t = Instant::now();
    let plan = current.finish_plan(ExportKind::Dynamic, snapshot).plan;
    let calls = batches(&plan, ATTRIBUTE);
    let diff = t.elapsed();
    let counts = plan.counts();
    let t = Instant::now();
    let mut csv = String::new();
    write_csv(&plan, &mut csv);
    store
        .set_run_plan(1, MEMBERS as u64, 0, 0, &csv)
        .expect("plan recorded");
    let record_csv = t.elapsed();
    println!("read + resolve members:   {}", secs(read_members));
    println!("read snapshot:            {}", secs(read_snap));
    println!("plan + batches:           {}", secs(diff));
    println!(
        "planning (snapshot read + plan): {}; with members: {}",
        secs(read_snap + diff),
        secs(read_members + read_snap + diff)
    );
    println!(
        "record the run's CSV:     {} ({:.1} MB)",
        secs(record_csv),
        csv.len() as f64 / 1e6
    );
    println!(
        "plan: {} add, {} remove, {} unchanged, {} calls",
        counts.add,
        counts.remove,
        counts.unchanged,
        calls.len()
    );

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let sandbox = sandbox::start().await.expect("sandbox");
        let client = LeanplumClient::new(&sandbox.url, RetryPolicy::default());
        let credentials = Credentials {
            app_id: SANDBOX_APP_ID.into(),
            api_secret: SANDBOX_API_SECRET.into(),
        };
        let t = Instant::now();
        let mut applied = 0;
        for batch in &calls {
            let answer = client
                .send_batch(&credentials, batch)
                .await
                .expect("the sandbox answers");
            let outcome = fold_response(batch, &answer);
            applied += outcome.counts.added + outcome.counts.removed;
            store
                .record_batch(1, SANDBOX_APP_ID, COHORT, &outcome)
                .expect("recorded");
        }
        let sent = t.elapsed();
        println!(
            "sent + recorded {applied} changes in {} calls: {} ({:.0} \
             changes/s)",
            calls.len(),
            secs(sent),
            applied as f64 / sent.as_secs_f64()
        );
    });
}

//! When syncs run: a tokio task that starts every due sync, woken early
//! when a sync is started or resumed, and never runs a sync twice at once.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;

use crate::{runner, unix_now, SharedState};

/// How often the scheduler looks for due syncs when not woken.
pub const TICK: Duration = Duration::from_millis(250);

/// The syncs running now, and the bell that wakes the scheduler.
#[derive(Debug, Default)]
pub struct Scheduler {
    wake: Notify,
    running: Mutex<HashSet<i64>>,
}

impl Scheduler {
    /// A scheduler with nothing running.
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the scheduler look for due syncs now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// True while a run of `sync_id` is going.
    pub fn is_running(&self, sync_id: i64) -> bool {
        self.running_set().contains(&sync_id)
    }

    fn running_set(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Releases a sync's claim when its run ends, even by a panic.
struct Claim {
    state: SharedState,
    sync_id: i64,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.state.scheduler.running_set().remove(&self.sync_id);
        // The sync may be due again already.
        self.state.scheduler.wake();
    }
}

/// Starts a run of `sync_id` unless one is going; returns whether it did.
pub fn start(state: &SharedState, sync_id: i64) -> bool {
    if !state.scheduler.running_set().insert(sync_id) {
        return false;
    }
    let claim = Claim {
        state: state.clone(),
        sync_id,
    };
    tokio::spawn(async move {
        runner::run_sync(claim.state.clone(), claim.sync_id).await;
        drop(claim);
    });
    true
}

/// Spawns the scheduling loop for the life of the runtime.
pub fn spawn(state: SharedState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let store = state.store.clone();
            let due = tokio::task::spawn_blocking(move || {
                store.due_syncs(unix_now())
            })
            .await;
            match due {
                Ok(Ok(ids)) => {
                    for id in ids {
                        start(&state, id);
                    }
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "cannot read due syncs")
                }
                Err(e) => tracing::error!(error = %e, "scheduler task failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(TICK) => {}
                _ = state.scheduler.wake.notified() => {}
            }
        }
    })
}

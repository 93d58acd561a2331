//! Reference proxy between the cohort-sync console and Leanplum.
//!
//! Serves the JSON API under `/api` (documented in `docs/api.md`), keeps
//! its state in one SQLite file, and optionally serves the built app.

pub mod dataset;
pub mod demo;
pub mod error;
pub mod leanplum;
pub mod routes;
pub mod runner;
pub mod sandbox;
pub mod scheduler;
pub mod session;
pub mod store;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use leanplum::{LeanplumClient, RetryPolicy};
use scheduler::Scheduler;
use store::Store;
use sync_model::Month;

/// Leanplum's production API.
pub const LEANPLUM_API: &str = "https://api.leanplum.com/api";

/// How the proxy runs.
#[derive(Clone, Debug)]
pub struct Config {
    /// SQLite database file; created on first start.
    pub database: PathBuf,
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Leanplum API base URL.
    pub leanplum_url: String,
    /// True when calls go to the built-in sandbox.
    pub leanplum_sandbox: bool,
    /// Demo accounts and dataset.
    pub demo: bool,
    /// Folder of built static files to serve beside `/api`.
    pub static_dir: Option<PathBuf>,
    /// Retries and timeouts of Leanplum calls.
    pub retry: RetryPolicy,
    /// Time between two runs of a dynamic sync.
    pub sync_interval: Duration,
}

impl Config {
    /// A configuration with the production defaults for everything but
    /// the database and the listening address.
    pub fn new(database: PathBuf, listen: SocketAddr) -> Self {
        Self {
            database,
            listen,
            leanplum_url: LEANPLUM_API.into(),
            leanplum_sandbox: false,
            demo: false,
            static_dir: None,
            retry: RetryPolicy::default(),
            sync_interval: Duration::from_secs(DEFAULT_SYNC_INTERVAL_SECS),
        }
    }
}

/// Minutes between runs of a dynamic sync, in seconds.
pub const DEFAULT_SYNC_INTERVAL_SECS: u64 = 15 * 60;

/// What every request handler can reach.
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The configuration.
    pub config: Config,
    /// Leanplum's API (or the sandbox).
    pub leanplum: LeanplumClient,
    /// Runs syncs when they are due.
    pub scheduler: Scheduler,
}

/// Shared state handle.
pub type SharedState = Arc<AppState>;

/// Current time in unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The UTC month holding `now`.
pub fn current_month(now: i64) -> Month {
    Month::containing(now)
}

/// First second of the UTC month holding `now`.
pub fn month_start(now: i64) -> i64 {
    Month::containing(now).start_secs()
}

/// Opens the store, seeds demo data if asked, starts the sandbox and the
/// scheduler, and serves until Ctrl-C.
pub async fn serve(
    mut config: Config,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&config.database)?;
    if config.demo && store.is_empty()? {
        let data = demo::dataset(month_start(unix_now()));
        dataset::store_dataset(&store, &data, unix_now())?;
        tracing::info!(
            profiles = data.profiles.len(),
            cohorts = data.cohorts.len(),
            events = data.events.len(),
            "seeded demo dataset"
        );
    }
    let interrupted = store.recover_interrupted_runs(unix_now())?;
    if interrupted > 0 {
        tracing::warn!(runs = interrupted, "marked interrupted runs failed");
    }
    if config.leanplum_sandbox {
        let sandbox = sandbox::start().await?;
        config.leanplum_url = sandbox.url.clone();
        println!(
            "Leanplum sandbox: App ID {} / API secret {}",
            sandbox::SANDBOX_APP_ID,
            sandbox::SANDBOX_API_SECRET
        );
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    let leanplum = LeanplumClient::new(&config.leanplum_url, config.retry);
    let state = Arc::new(AppState {
        store,
        config,
        leanplum,
        scheduler: Scheduler::new(),
    });
    scheduler::spawn(state.clone());
    let app = routes::router(state);
    // Tests and scripts read this line to find the port.
    println!("cohort-proxy listening on http://{address}");
    tracing::info!(%address, "listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_start_is_the_first_second_of_the_utc_month() {
        // 2026-12-03T15:47:00Z
        assert_eq!(month_start(1_796_312_820), 1_796_083_200);
        // 2024-02-29T23:59:59Z
        assert_eq!(month_start(1_709_251_199), 1_706_745_600);
    }

    #[test]
    fn current_month_is_the_utc_month_of_the_instant() {
        assert_eq!(current_month(1_709_251_199).to_string(), "2024-02");
    }
}

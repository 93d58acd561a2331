//! Command line of the reference proxy.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use cohort_proxy::dataset::{import, ImportFiles};
use cohort_proxy::leanplum::RetryPolicy;
use cohort_proxy::store::Store;
use cohort_proxy::{
    serve, unix_now, Config, DEFAULT_SYNC_INTERVAL_SECS, LEANPLUM_API,
};
use tracing_subscriber::EnvFilter;

/// Reference proxy between the cohort-sync console and Leanplum.
///
/// Serves the console's JSON API under /api, stores its state in a SQLite
/// file, talks to Leanplum on the console's behalf, and runs dynamic syncs.
#[derive(Parser, Debug)]
#[command(version)]
struct Cli {
    /// SQLite database file (created on first start).
    #[arg(long, global = true, default_value = "cohort-sync.sqlite")]
    database: PathBuf,

    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: SocketAddr,

    /// Leanplum API base URL [default: https://api.leanplum.com/api, or the
    /// built-in sandbox in demo mode].
    #[arg(long)]
    leanplum_url: Option<String>,

    /// Demo mode: demo accounts, a demo dataset in an empty database, and
    /// the built-in Leanplum sandbox unless --leanplum-url is given.
    #[arg(long)]
    demo: bool,

    /// Folder of built static files to serve beside /api.
    #[arg(long)]
    static_dir: Option<PathBuf>,

    /// Seconds between two runs of a dynamic sync.
    #[arg(long, default_value_t = DEFAULT_SYNC_INTERVAL_SECS,
          value_parser = clap::value_parser!(u64).range(1..))]
    sync_interval_secs: u64,

    /// Delay before the first retry of a failed Leanplum call, in
    /// milliseconds; doubled (plus jitter) for each later retry.
    #[arg(long, default_value_t = 1000)]
    retry_base_ms: u64,

    /// How long one Leanplum call may take, in milliseconds, before it
    /// counts as a fault and is retried.
    #[arg(long, default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    leanplum_timeout_ms: u64,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Import NDJSON profiles, cohorts and events; all or nothing.
    Import {
        /// Profiles: {"distinct_id": "...", "properties": {...}} per line.
        #[arg(long)]
        profiles: Option<PathBuf>,
        /// Cohorts: {"id", "name", "description", "members": [...]} per line.
        #[arg(long)]
        cohorts: Option<PathBuf>,
        /// Events: {"event": "...", "properties": {"distinct_id", "time"}}.
        #[arg(long)]
        events: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Import {
            profiles,
            cohorts,
            events,
        }) => run_import(
            &cli.database,
            ImportFiles {
                profiles,
                cohorts,
                events,
            },
        ),
        Some(Command::Serve) | None => run_serve(cli.database, cli.serve),
    }
}

fn run_import(database: &std::path::Path, files: ImportFiles) -> ExitCode {
    let store = match Store::open(database) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot open {}: {e}", database.display());
            return ExitCode::FAILURE;
        }
    };
    match import(&store, &files, unix_now()) {
        Ok(s) => {
            println!(
                "imported {} profiles, {} cohorts ({} memberships), {} events",
                s.profiles, s.cohorts, s.members, s.events
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprint!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn run_serve(database: PathBuf, args: ServeArgs) -> ExitCode {
    let sandbox = args.demo && args.leanplum_url.is_none();
    let config = Config {
        database,
        listen: args.listen,
        leanplum_url: args.leanplum_url.unwrap_or_else(|| LEANPLUM_API.into()),
        leanplum_sandbox: sandbox,
        demo: args.demo,
        static_dir: args.static_dir,
        retry: RetryPolicy {
            base_delay: Duration::from_millis(args.retry_base_ms),
            timeout: Duration::from_millis(args.leanplum_timeout_ms),
            ..RetryPolicy::default()
        },
        sync_interval: Duration::from_secs(args.sync_interval_secs),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cohort-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

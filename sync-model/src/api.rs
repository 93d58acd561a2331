//! The JSON contract between the console and its proxy.
//!
//! Both sides compile these types, so a field renamed here is renamed for
//! the browser and the server at once. Documented in `docs/api.md`.

use serde::{Deserialize, Serialize};

pub use crate::mtu::EventsSummary;
pub use crate::plan::ExportKind;

/// Prefix under which the proxy serves every endpoint.
pub const API_PREFIX: &str = "/api";

/// Name of the cookie holding the session id.
pub const SESSION_COOKIE: &str = "cohort_sync_session";

/// Name of the cookie holding the CSRF token (double-submit pattern).
pub const CSRF_COOKIE: &str = "cohort_sync_csrf";

/// Header that must repeat the CSRF cookie on state-changing requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Header that makes a start-sync request idempotent.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// Role of the signed-in person within the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May connect Leanplum and start or stop syncs.
    Admin,
    /// May look but not change anything.
    Member,
}

/// A person the proxy knows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Stable account id, used to sign in.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Email shown beside the name.
    pub email: String,
    /// Role within the project.
    pub role: Role,
}

/// `GET /api/session`: who is asking, and what they may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The signed-in account, if any.
    pub account: Option<Account>,
    /// True when the account may change the integration and syncs.
    pub is_admin: bool,
    /// Token to send back in the CSRF header (also set as a cookie).
    pub csrf_token: String,
    /// True when the proxy runs with demo data and accounts.
    pub demo: bool,
    /// Accounts one may switch between (demo mode only).
    pub demo_accounts: Vec<Account>,
    /// True when Leanplum calls go to the built-in sandbox.
    pub leanplum_sandbox: bool,
}

/// `POST /api/session`: sign in as a demo account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    /// Account id to sign in as.
    pub account_id: String,
}

/// Connection state of an integration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// No credentials stored.
    NotConnected,
    /// Credentials stored and verified with Leanplum.
    Connected {
        /// The Leanplum App ID in use (never the secret).
        app_id: String,
        /// When Leanplum last accepted the credentials (unix seconds).
        verified_at: i64,
    },
    /// Credentials stored but Leanplum refuses them now.
    Failing {
        /// The Leanplum App ID in use.
        app_id: String,
        /// Why it fails, in words.
        reason: String,
    },
}

/// One entry of `GET /api/integrations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// Machine name, `leanplum`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// One line on what it does.
    pub description: String,
    /// Connection state.
    pub status: ConnectionStatus,
    /// True when calls go to the proxy's built-in Leanplum sandbox.
    pub sandbox: bool,
}

/// `GET /api/integrations`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integrations {
    /// Every integration the project offers.
    pub integrations: Vec<Integration>,
}

/// `POST /api/integrations/leanplum/connect`.
#[derive(Clone, Serialize, Deserialize)]
pub struct ConnectRequest {
    /// Leanplum App ID, the Basic-auth username.
    pub app_id: String,
    /// Leanplum API secret, the Basic-auth password.
    pub api_secret: String,
}

impl std::fmt::Debug for ConnectRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectRequest")
            .field("app_id", &self.app_id)
            .field("api_secret", &"<redacted>")
            .finish()
    }
}

/// Sync state of a cohort, as shown in the cohort list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CohortSyncState {
    /// Never exported.
    None,
    /// A sync is running right now.
    Running,
    /// The last one-time export finished.
    ExportDone,
    /// A dynamic sync is scheduled.
    Active,
    /// A sync is paused.
    Paused {
        /// Why, in words.
        reason: String,
    },
    /// The last run failed.
    Failed {
        /// Why, in words.
        reason: String,
    },
    /// The sync was stopped by a person.
    Stopped,
}

/// One entry of `GET /api/cohorts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohort {
    /// Cohort id.
    pub id: String,
    /// Cohort name.
    pub name: String,
    /// What the cohort holds.
    pub description: String,
    /// Number of members.
    pub members: u64,
    /// Last change (unix seconds).
    pub updated_at: i64,
    /// Leanplum sync state.
    pub sync: CohortSyncState,
    /// Id of the cohort's current sync, if any.
    pub sync_id: Option<i64>,
    /// Name of the boolean user attribute the cohort appears as on
    /// Leanplum.
    pub leanplum_attribute: String,
}

/// `GET /api/cohorts`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cohorts {
    /// Every cohort of the project.
    pub cohorts: Vec<Cohort>,
}

/// Body of every error answer: `{"error": {...}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ApiError,
}

/// A refused or failed request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable machine code, such as `forbidden` or `leanplum_rejected`.
    pub code: String,
    /// What went wrong and what to do, in words.
    pub message: String,
    /// The request field at fault, if one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Header carrying the number of lines of a member or snapshot stream, so
/// the page can show progress.
pub const COUNT_HEADER: &str = "x-line-count";

/// `POST /api/syncs`: start a one-time export or a dynamic sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartSync {
    /// The cohort to export.
    pub cohort_id: String,
    /// One-time export or dynamic sync.
    pub kind: ExportKind,
}

/// State of a sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncStatus {
    /// A run is in progress.
    Running,
    /// A dynamic sync waiting for its next run.
    Active,
    /// A one-time export that finished.
    Done,
    /// Not running until the cause is fixed (such as "disconnected").
    Paused {
        /// Why, in words.
        reason: String,
    },
    /// Stopped by a person; never runs again.
    Stopped,
    /// The last run failed and will not be retried automatically.
    Failed {
        /// Why, in words.
        reason: String,
    },
}

/// A one-time export or dynamic sync of one cohort.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sync {
    /// Sync id.
    pub id: i64,
    /// The exported cohort.
    pub cohort_id: String,
    /// The cohort's name when the sync started.
    pub cohort_name: String,
    /// One-time or dynamic.
    pub kind: ExportKind,
    /// Current state.
    pub status: SyncStatus,
    /// Leanplum user attribute the cohort is written to.
    pub attribute: String,
    /// When it was started (unix seconds).
    pub created_at: i64,
    /// When the last run started (unix seconds).
    pub last_run_at: Option<i64>,
    /// When the next run is due (unix seconds), for active dynamic syncs.
    pub next_run_at: Option<i64>,
}

/// `GET /api/syncs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Syncs {
    /// Every sync, newest first.
    pub syncs: Vec<Sync>,
}

/// Outcome of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still sending.
    Running,
    /// Every batch was answered.
    Succeeded,
    /// The run stopped early; the snapshot kept the last good state.
    Failed,
}

/// What one run did, user by user, added up.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct RunTotals {
    /// Users whose attribute was set to true.
    pub added: u64,
    /// Users whose attribute was set to false.
    pub removed: u64,
    /// Users Leanplum does not know (never created by a sync).
    pub not_found: u64,
    /// Anonymous members, never exported.
    pub skipped_anonymous: u64,
    /// Members whose Leanplum ID is invalid.
    pub invalid: u64,
    /// Users Leanplum answered with an error for.
    pub failed: u64,
}

/// One run of a sync.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    /// Run id.
    pub id: i64,
    /// The sync it belongs to.
    pub sync_id: i64,
    /// One-time or dynamic.
    pub kind: ExportKind,
    /// When it started (unix seconds).
    pub started_at: i64,
    /// When it ended (unix seconds).
    pub finished_at: Option<i64>,
    /// Outcome.
    pub status: RunStatus,
    /// Cohort members when the run started.
    pub members: u64,
    /// What it did.
    pub totals: RunTotals,
    /// Why it failed, in words.
    pub error: Option<String>,
}

/// `GET /api/syncs/{id}/runs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Runs {
    /// Runs, newest first.
    pub runs: Vec<Run>,
}

/// Answer to `POST /api/ingest/profiles` and `POST /api/ingest/events`:
/// every item was stored (a malformed item stores nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestResult {
    /// Items stored.
    pub accepted: u64,
}

/// Query parameter of `GET /api/events/leanplum` naming the month,
/// `YYYY-MM`; the current UTC month when absent.
pub const MONTH_QUERY: &str = "month";

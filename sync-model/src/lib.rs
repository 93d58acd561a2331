//! Every rule that decides what a cohort sync sends to Leanplum.
//!
//! Pure Rust with no I/O: the browser runs it to preview a sync and the
//! proxy runs it to perform one, so the two cannot disagree.

pub mod api;
pub mod credentials;
mod fast_hash;
mod id_pairs;
pub mod identity;
pub mod members;
pub mod mtu;
pub mod plan;

pub use credentials::{
    check_credentials, CredentialCheck, CredentialField, FieldIssue,
};
pub use identity::{
    resolve, Aliases, Flag, FlaggedMember, IdSource, IdentityMatch,
    IdentityResolver, IdentitySummary, ResolvedMember,
};
pub use members::{
    DecodeError, LeanplumIdProperty, Member, MemberDecoder, Profile,
    SnapshotDecoder, SnapshotEntry,
};
pub use mtu::{
    civil_from_unix, summarize_month, EventsSummary, Month, TrackedEvent,
    UtcDateTime,
};
pub use plan::{
    plan, plan_owned, ExportKind, PlanEntries, PlanEntry, PlannedSync,
    Snapshot, SnapshotBuilder, SyncPlan,
};

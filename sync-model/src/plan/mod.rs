//! Decides what a sync sends: the diff between the members resolved now
//! and the snapshot of what the last sync set, the attribute name, the
//! batched Leanplum calls and their outcomes, limits and the CSV preview.

mod attribute;
mod batch;
mod csv;
mod limits;
mod snapshot;

pub use attribute::{
    attribute_name, attribute_names, ATTRIBUTE_PREFIX, MAX_ATTRIBUTE_CHARS,
};
pub use batch::{
    batches, fold_response, ActionOutcome, ActionResult, BatchOutcome,
    MultiBatch, RunCounts, SetUserAttributes, LEANPLUM_API_VERSION,
    MAX_ACTIONS_PER_CALL, MAX_USERS_PER_CALL,
};
pub use csv::{parse_csv, write_csv, CsvError, CsvRow, CSV_HEADER};
pub use limits::{
    check_cohort_size, check_new_dynamic_sync, LimitError, MAX_COHORT_USERS,
    MAX_DYNAMIC_SYNCS,
};
pub use snapshot::{Snapshot, SnapshotBuilder};

use crate::fast_hash::{join_runs, sorted_ids, SortedIds};
use crate::identity::{
    FlaggedMember, IdentityMatch, IdentityResolver, IdentitySummary,
    ResolvedMember,
};
use serde::{Deserialize, Serialize};

/// How a cohort is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// Set the attribute once, on every current member.
    OneTime,
    /// Keep the attribute in step with the cohort every 15 minutes,
    /// sending only what changed.
    Dynamic,
}

/// One person in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PlanEntry {
    /// The analytics distinct id.
    pub distinct_id: String,
    /// The Leanplum user id the attribute is set on.
    pub leanplum_id: String,
}

/// What a sync does, person by person.
///
/// `add` holds current members not in the snapshot, `unchanged` current
/// members already in it (both in input order), `remove` snapshot entries
/// no longer current (in snapshot order). [`SyncPlan::to_send`] says what
/// goes to Leanplum: a one-time export sets `true` on `add` and
/// `unchanged`, a dynamic sync only on `add`; both set `false` on
/// `remove`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncPlan {
    /// One-time or dynamic.
    pub kind: ExportKind,
    /// Current members the last sync did not set.
    pub add: Vec<PlanEntry>,
    /// Snapshot entries that are no longer current.
    pub remove: Vec<PlanEntry>,
    /// Current members the last sync already set.
    pub unchanged: Vec<PlanEntry>,
}

/// How many people a plan touches.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct PlanCounts {
    /// People gaining the attribute.
    pub add: u64,
    /// People losing the attribute.
    pub remove: u64,
    /// Current members the last sync already set.
    pub unchanged: u64,
    /// Attribute updates sent to Leanplum.
    pub to_send: u64,
}

impl SyncPlan {
    /// Every update to send, as (person, attribute value): `add`, then
    /// `unchanged` for a one-time export, then `remove`.
    pub fn to_send(&self) -> impl Iterator<Item = (&PlanEntry, bool)> + '_ {
        let unchanged: &[PlanEntry] = match self.kind {
            ExportKind::OneTime => &self.unchanged,
            ExportKind::Dynamic => &[],
        };
        self.add
            .iter()
            .chain(unchanged)
            .map(|entry| (entry, true))
            .chain(self.remove.iter().map(|entry| (entry, false)))
    }

    /// People touched, by kind of change.
    pub fn counts(&self) -> PlanCounts {
        let sent_unchanged = match self.kind {
            ExportKind::OneTime => self.unchanged.len(),
            ExportKind::Dynamic => 0,
        };
        PlanCounts {
            add: self.add.len() as u64,
            remove: self.remove.len() as u64,
            unchanged: self.unchanged.len() as u64,
            to_send: (self.add.len() + sent_unchanged + self.remove.len())
                as u64,
        }
    }

    /// The snapshot after every update in the plan succeeds: `add` then
    /// `unchanged`.
    pub fn next_snapshot(&self) -> Snapshot {
        let entries = self.add.len() + self.unchanged.len();
        let mut builder = SnapshotBuilder::with_capacity(entries, 0);
        for entry in self.add.iter().chain(&self.unchanged) {
            builder.push(&entry.leanplum_id, &entry.distinct_id);
        }
        builder.finish()
    }
}

/// For each current member and each snapshot entry, whether the other
/// side holds the same Leanplum id; `sorted` is `resolved`'s Leanplum
/// ids as [`sorted_ids`] gives them.
fn matches(
    resolved: &[ResolvedMember],
    sorted: SortedIds,
    snapshot: &Snapshot,
) -> (Vec<bool>, Vec<bool>) {
    let same = |a: usize, b: usize| {
        resolved
            .get(a)
            .is_some_and(|r| r.leanplum_id == snapshot.leanplum_id(b))
    };
    let mut in_snapshot = vec![false; resolved.len()];
    let mut kept = vec![false; snapshot.len()];
    let mut mark = |a: usize, b: usize| {
        if let Some(flag) = in_snapshot.get_mut(a) {
            *flag = true;
        }
        if let Some(flag) = kept.get_mut(b) {
            *flag = true;
        }
    };
    // Single candidates are confirmed afterwards in input order, which
    // reads the ids mostly sequentially instead of in hash order.
    const NONE: usize = usize::MAX;
    let mut partner = vec![NONE; resolved.len()];
    join_runs(&sorted, &snapshot.sorted, |now, before| {
        match (now, before) {
            ([(hash_a, a)], [(hash_b, b)]) => {
                if hash_a == hash_b {
                    if let Some(slot) = partner.get_mut(*a) {
                        *slot = *b;
                    }
                }
            }
            _ => {
                for &(_, a) in now {
                    for &(_, b) in before {
                        if same(a, b) {
                            mark(a, b);
                        }
                    }
                }
            }
        }
    });
    drop(sorted);
    for (a, &b) in partner.iter().enumerate() {
        if b != NONE && same(a, b) {
            mark(a, b);
        }
    }
    (in_snapshot, kept)
}

/// The sorted hashes of `resolved`'s Leanplum ids.
fn sorted_resolved(resolved: &[ResolvedMember]) -> SortedIds {
    sorted_ids(resolved.iter().map(|r| r.leanplum_id.as_str()))
}

/// Snapshot entries not `kept`, as plan entries.
fn removed(snapshot: &Snapshot, kept: &[bool]) -> Vec<PlanEntry> {
    kept.iter()
        .enumerate()
        .filter(|&(_, &kept)| !kept)
        .map(|(index, _)| PlanEntry {
            distinct_id: snapshot.distinct_id(index).to_owned(),
            leanplum_id: snapshot.leanplum_id(index).to_owned(),
        })
        .collect()
}

/// Diffs the members resolved now against the last sync's snapshot.
///
/// `current.resolved` is expected to hold each Leanplum id once, as
/// [`crate::identity::resolve`] guarantees.
pub fn plan(
    kind: ExportKind,
    current: &IdentityMatch,
    snapshot: &Snapshot,
) -> SyncPlan {
    let resolved = &current.resolved;
    let (in_snapshot, kept) =
        matches(resolved, sorted_resolved(resolved), snapshot);
    let mut add = Vec::new();
    let mut unchanged = Vec::with_capacity(snapshot.len());
    for (member, seen) in resolved.iter().zip(in_snapshot) {
        let planned = PlanEntry {
            distinct_id: member.distinct_id.clone(),
            leanplum_id: member.leanplum_id.clone(),
        };
        if seen {
            unchanged.push(planned);
        } else {
            add.push(planned);
        }
    }
    SyncPlan {
        kind,
        add,
        remove: removed(snapshot, &kept),
        unchanged,
    }
}

/// Same as [`plan`], but moves the ids out of its inputs instead of
/// copying them, for callers that no longer need them.
pub fn plan_owned(
    kind: ExportKind,
    current: IdentityMatch,
    snapshot: Snapshot,
) -> SyncPlan {
    let sorted = sorted_resolved(&current.resolved);
    plan_sorted(kind, current.resolved, sorted, snapshot)
}

/// [`plan_owned`] given the sorted hashes of `resolved`.
fn plan_sorted(
    kind: ExportKind,
    resolved: Vec<ResolvedMember>,
    sorted: SortedIds,
    snapshot: Snapshot,
) -> SyncPlan {
    let (in_snapshot, kept) = matches(&resolved, sorted, &snapshot);
    let remove = removed(&snapshot, &kept);
    drop(snapshot);
    let mut add = Vec::new();
    // Collected in place: `unchanged` reuses `resolved`'s buffer.
    let unchanged = resolved
        .into_iter()
        .enumerate()
        .filter_map(|(index, member)| {
            let planned = PlanEntry {
                distinct_id: member.distinct_id,
                leanplum_id: member.leanplum_id,
            };
            if in_snapshot.get(index).copied().unwrap_or(false) {
                Some(planned)
            } else {
                add.push(planned);
                None
            }
        })
        .collect();
    SyncPlan {
        kind,
        add,
        remove,
        unchanged,
    }
}

/// Identity matching and the plan of one sync, from
/// [`IdentityResolver::finish_plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSync {
    /// Identity matching counts.
    pub summary: IdentitySummary,
    /// Members called out, as in [`IdentityMatch::flagged`].
    pub flagged: Vec<FlaggedMember>,
    /// The diff against the snapshot.
    pub plan: SyncPlan,
}

impl IdentityResolver {
    /// Same as `finish` followed by [`plan_owned`], but faster: the
    /// Leanplum ids are hashed and sorted once, as they were pushed.
    pub fn finish_plan(
        self,
        kind: ExportKind,
        snapshot: Snapshot,
    ) -> PlannedSync {
        let (current, sorted) = self.finish_sorted();
        let IdentityMatch {
            resolved,
            summary,
            flagged,
        } = current;
        PlannedSync {
            summary,
            flagged,
            plan: plan_sorted(kind, resolved, sorted, snapshot),
        }
    }
}

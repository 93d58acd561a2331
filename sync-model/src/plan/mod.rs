//! Decides what a sync sends: the diff between the members resolved now
//! and the snapshot of what the last sync set, the attribute name, the
//! batched Leanplum calls and their outcomes, limits and the CSV preview.

mod attribute;
mod batch;
mod csv;
mod limits;

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

use crate::fast_hash::{
    hash_str, join_runs, repeats, run_end, sorted_ids, SortedIds,
};
use crate::identity::IdentityMatch;
use crate::members::SnapshotEntry;
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

/// The Leanplum ids the last sync left with the attribute set, each
/// with its distinct id, in the order given, each Leanplum id once.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    entries: Vec<SnapshotEntry>,
    /// (hash of Leanplum id, position in `entries`), sorted by hash.
    sorted: SortedIds,
}

impl Snapshot {
    /// A snapshot from entries; a repeated Leanplum id keeps its first
    /// entry.
    pub fn from_entries(
        entries: impl IntoIterator<Item = SnapshotEntry>,
    ) -> Self {
        let mut entries: Vec<SnapshotEntry> = entries.into_iter().collect();
        let mut sorted =
            sorted_ids(entries.iter().map(|e| e.leanplum_id.as_str()));
        let same = |a: usize, b: usize| match (entries.get(a), entries.get(b)) {
            (Some(a), Some(b)) => a.leanplum_id == b.leanplum_id,
            _ => false,
        };
        let repeated = repeats(&sorted, same);
        if !repeated.is_empty() {
            let mut keep = vec![true; entries.len()];
            for (_, pos) in repeated {
                if let Some(flag) = keep.get_mut(pos) {
                    *flag = false;
                }
            }
            let mut new_pos = Vec::with_capacity(keep.len());
            let mut next = 0;
            for &kept in &keep {
                new_pos.push(next);
                next += usize::from(kept);
            }
            sorted.retain(|&(_, pos)| keep.get(pos).copied().unwrap_or(false));
            for pair in &mut sorted {
                pair.1 = new_pos.get(pair.1).copied().unwrap_or(0);
            }
            let mut flags = keep.into_iter();
            entries.retain(|_| flags.next().unwrap_or(false));
        }
        Snapshot { entries, sorted }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the last sync left nothing set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in order.
    pub fn iter(&self) -> std::slice::Iter<'_, SnapshotEntry> {
        self.entries.iter()
    }

    /// The entries as a slice.
    pub fn entries(&self) -> &[SnapshotEntry] {
        &self.entries
    }

    /// The entries, taken out of the snapshot.
    pub fn into_entries(self) -> Vec<SnapshotEntry> {
        self.entries
    }

    /// True when the last sync set the attribute on `leanplum_id`.
    pub fn contains(&self, leanplum_id: &str) -> bool {
        let hash = hash_str(leanplum_id);
        let start = self.sorted.partition_point(|pair| pair.0 < hash);
        let end = run_end(&self.sorted, start);
        self.sorted.get(start..end).is_some_and(|run| {
            run.iter().any(|&(_, pos)| {
                self.entries
                    .get(pos)
                    .is_some_and(|e| e.leanplum_id == leanplum_id)
            })
        })
    }
}

impl<'a> IntoIterator for &'a Snapshot {
    type Item = &'a SnapshotEntry;
    type IntoIter = std::slice::Iter<'a, SnapshotEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl FromIterator<SnapshotEntry> for Snapshot {
    fn from_iter<I: IntoIterator<Item = SnapshotEntry>>(iter: I) -> Self {
        Self::from_entries(iter)
    }
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
        Snapshot::from_entries(self.add.iter().chain(&self.unchanged).map(
            |entry| SnapshotEntry {
                leanplum_id: entry.leanplum_id.clone(),
                distinct_id: entry.distinct_id.clone(),
            },
        ))
    }
}

/// For each current member and each snapshot entry, whether the other
/// side holds the same Leanplum id.
fn matches(
    current: &IdentityMatch,
    snapshot: &Snapshot,
) -> (Vec<bool>, Vec<bool>) {
    let resolved = &current.resolved;
    let same =
        |a: usize, b: usize| match (resolved.get(a), snapshot.entries.get(b)) {
            (Some(r), Some(e)) => r.leanplum_id == e.leanplum_id,
            _ => false,
        };
    let sorted = sorted_ids(resolved.iter().map(|r| r.leanplum_id.as_str()));
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

/// Diffs the members resolved now against the last sync's snapshot.
///
/// `current.resolved` is expected to hold each Leanplum id once, as
/// [`crate::identity::resolve`] guarantees.
pub fn plan(
    kind: ExportKind,
    current: &IdentityMatch,
    snapshot: &Snapshot,
) -> SyncPlan {
    let (in_snapshot, kept) = matches(current, snapshot);
    let entry = |distinct_id: &String, leanplum_id: &String| PlanEntry {
        distinct_id: distinct_id.clone(),
        leanplum_id: leanplum_id.clone(),
    };
    let mut add = Vec::new();
    let mut unchanged = Vec::with_capacity(snapshot.len());
    for (member, seen) in current.resolved.iter().zip(in_snapshot) {
        let planned = entry(&member.distinct_id, &member.leanplum_id);
        if seen {
            unchanged.push(planned);
        } else {
            add.push(planned);
        }
    }
    let remove = snapshot
        .iter()
        .zip(kept)
        .filter(|(_, kept)| !kept)
        .map(|(e, _)| entry(&e.distinct_id, &e.leanplum_id))
        .collect();
    SyncPlan {
        kind,
        add,
        remove,
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
    let (in_snapshot, kept) = matches(&current, &snapshot);
    let mut add = Vec::new();
    let mut unchanged = Vec::with_capacity(snapshot.len());
    for (member, seen) in current.resolved.into_iter().zip(in_snapshot) {
        let planned = PlanEntry {
            distinct_id: member.distinct_id,
            leanplum_id: member.leanplum_id,
        };
        if seen {
            unchanged.push(planned);
        } else {
            add.push(planned);
        }
    }
    let remove = snapshot
        .entries
        .into_iter()
        .zip(kept)
        .filter(|(_, kept)| !kept)
        .map(|(e, _)| PlanEntry {
            distinct_id: e.distinct_id,
            leanplum_id: e.leanplum_id,
        })
        .collect();
    SyncPlan {
        kind,
        add,
        remove,
        unchanged,
    }
}

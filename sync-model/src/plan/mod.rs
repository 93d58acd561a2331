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

use crate::fast_hash::{join_runs, marked, sorted_ids, SortedIds};
use crate::id_pairs::IdPairs;
use crate::identity::{
    Candidates, FlaggedMember, IdentityMatch, IdentityResolver, IdentitySummary,
};
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// One person in a plan, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PlanEntry<'a> {
    /// The analytics distinct id.
    pub distinct_id: &'a str,
    /// The Leanplum user id the attribute is set on.
    pub leanplum_id: &'a str,
}

/// One of a plan's lists of people: a view into the plan's id text.
#[derive(Clone, Copy)]
pub struct PlanEntries<'a> {
    pairs: &'a IdPairs,
    /// Positions in `pairs` that make up the list; `None` for all of
    /// them in order.
    picks: Option<&'a [usize]>,
}

impl<'a> PlanEntries<'a> {
    /// Number of people in the list.
    pub fn len(&self) -> usize {
        self.picks.map_or(self.pairs.len(), <[usize]>::len)
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `index`-th person, if there is one.
    pub fn get(&self, index: usize) -> Option<PlanEntry<'a>> {
        let pos = match self.picks {
            Some(picks) => *picks.get(index)?,
            None => index,
        };
        (pos < self.pairs.len()).then(|| PlanEntry {
            distinct_id: self.pairs.distinct_id(pos),
            leanplum_id: self.pairs.leanplum_id(pos),
        })
    }

    /// The people in order.
    pub fn iter(&self) -> impl Iterator<Item = PlanEntry<'a>> + 'a {
        let list = *self;
        (0..list.len()).filter_map(move |index| list.get(index))
    }

    /// The people, collected.
    pub fn to_vec(&self) -> Vec<PlanEntry<'a>> {
        self.iter().collect()
    }
}

impl fmt::Debug for PlanEntries<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for PlanEntries<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for PlanEntries<'_> {}

/// What a sync does, person by person.
///
/// [`SyncPlan::add`] lists current members not in the snapshot,
/// [`SyncPlan::unchanged`] current members already in it (both in input
/// order), [`SyncPlan::remove`] snapshot entries no longer current (in
/// snapshot order). [`SyncPlan::to_send`] says what goes to Leanplum: a
/// one-time export sets `true` on `add` and `unchanged`, a dynamic sync
/// only on `add`; both set `false` on `remove`.
///
/// The ids live in two text buffers (current members and removed
/// entries) rather than in a string each, so a plan of millions of people
/// takes little more memory than their ids.
#[derive(Clone)]
pub struct SyncPlan {
    /// One-time or dynamic.
    pub kind: ExportKind,
    /// Current members' ids; may hold members in neither list (dropped
    /// as conflicts), which the lists skip.
    current: IdPairs,
    /// Positions in `current` of the members to add, in order.
    add: Vec<usize>,
    /// Positions in `current` of the members already set, in order.
    unchanged: Vec<usize>,
    /// Snapshot entries that are no longer current.
    remove: IdPairs,
}

impl fmt::Debug for SyncPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncPlan")
            .field("kind", &self.kind)
            .field("add", &self.add())
            .field("remove", &self.remove())
            .field("unchanged", &self.unchanged())
            .finish()
    }
}

impl PartialEq for SyncPlan {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.add() == other.add()
            && self.unchanged() == other.unchanged()
            && self.remove() == other.remove()
    }
}

impl Eq for SyncPlan {}

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
    /// A plan from its three lists.
    pub fn new<'e>(
        kind: ExportKind,
        add: impl IntoIterator<Item = PlanEntry<'e>>,
        remove: impl IntoIterator<Item = PlanEntry<'e>>,
        unchanged: impl IntoIterator<Item = PlanEntry<'e>>,
    ) -> Self {
        let mut current = IdPairs::default();
        let mut push = |entry: PlanEntry<'_>| {
            current.push(entry.leanplum_id, entry.distinct_id);
            current.len() - 1
        };
        let add = add.into_iter().map(&mut push).collect();
        let unchanged = unchanged.into_iter().map(&mut push).collect();
        let mut removed = IdPairs::default();
        for entry in remove {
            removed.push(entry.leanplum_id, entry.distinct_id);
        }
        SyncPlan {
            kind,
            current,
            add,
            unchanged,
            remove: removed,
        }
    }

    /// Current members the last sync did not set.
    pub fn add(&self) -> PlanEntries<'_> {
        PlanEntries {
            pairs: &self.current,
            picks: Some(&self.add),
        }
    }

    /// Current members the last sync already set.
    pub fn unchanged(&self) -> PlanEntries<'_> {
        PlanEntries {
            pairs: &self.current,
            picks: Some(&self.unchanged),
        }
    }

    /// Snapshot entries that are no longer current.
    pub fn remove(&self) -> PlanEntries<'_> {
        PlanEntries {
            pairs: &self.remove,
            picks: None,
        }
    }

    /// Every update to send, as (person, attribute value): `add`, then
    /// `unchanged` for a one-time export, then `remove`.
    pub fn to_send(&self) -> impl Iterator<Item = (PlanEntry<'_>, bool)> {
        let unchanged: &[usize] = match self.kind {
            ExportKind::OneTime => &self.unchanged,
            ExportKind::Dynamic => &[],
        };
        let set = PlanEntries {
            pairs: &self.current,
            picks: None,
        };
        self.add
            .iter()
            .chain(unchanged)
            .filter_map(move |&pos| set.get(pos))
            .map(|entry| (entry, true))
            .chain(self.remove().iter().map(|entry| (entry, false)))
    }

    /// People touched, by kind of change.
    pub fn counts(&self) -> PlanCounts {
        let sent_unchanged = match self.kind {
            ExportKind::OneTime => self.unchanged.len(),
            ExportKind::Dynamic => 0,
        };
        let remove = self.remove.len();
        PlanCounts {
            add: self.add.len() as u64,
            remove: remove as u64,
            unchanged: self.unchanged.len() as u64,
            to_send: (self.add.len() + sent_unchanged + remove) as u64,
        }
    }

    /// The snapshot after every update in the plan succeeds: `add` then
    /// `unchanged`.
    pub fn next_snapshot(&self) -> Snapshot {
        let entries = self.add.len() + self.unchanged.len();
        let mut builder =
            SnapshotBuilder::with_capacity(entries, self.current.text_len());
        for entry in self.add().iter().chain(self.unchanged().iter()) {
            builder.push(entry.leanplum_id, entry.distinct_id);
        }
        builder.finish()
    }
}

/// For each of `current`'s pairs and each snapshot entry, whether the
/// other side holds the same Leanplum id; `sorted` is `current`'s
/// Leanplum ids as [`sorted_ids`] gives them (dropped pairs left out).
fn matches(
    current: &IdPairs,
    sorted: SortedIds,
    snapshot: &Snapshot,
) -> (Vec<bool>, Vec<bool>) {
    let same =
        |a: usize, b: usize| current.leanplum_id(a) == snapshot.leanplum_id(b);
    let mut in_snapshot = vec![false; current.len()];
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
    const NONE: u32 = u32::MAX;
    let mut partner = vec![NONE; current.len()];
    join_runs(&sorted, &snapshot.sorted, |now, before| {
        match (now, before) {
            ([(_, a)], [(_, b)]) => {
                if let Some(slot) = partner.get_mut(*a as usize) {
                    *slot = *b;
                }
            }
            _ => {
                for &(_, a) in now {
                    for &(_, b) in before {
                        let (a, b) = (a as usize, b as usize);
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
        if b != NONE && same(a, b as usize) {
            mark(a, b as usize);
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
    let resolved = &current.resolved;
    let bytes = resolved
        .iter()
        .map(|r| r.leanplum_id.len() + r.distinct_id.len())
        .sum();
    let mut pairs = IdPairs::with_capacity(resolved.len(), bytes);
    for member in resolved {
        pairs.push(&member.leanplum_id, &member.distinct_id);
    }
    let sorted = sorted_ids((0..pairs.len()).map(|i| pairs.leanplum_id(i)));
    plan_pairs(kind, pairs, &[], sorted, snapshot)
}

/// Same as [`plan`], taking its inputs.
pub fn plan_owned(
    kind: ExportKind,
    current: IdentityMatch,
    snapshot: Snapshot,
) -> SyncPlan {
    plan(kind, &current, &snapshot)
}

/// The plan for the current members in `current`, leaving out those
/// marked in `dropped`; `sorted` holds the hashes of the others'
/// Leanplum ids.
fn plan_pairs(
    kind: ExportKind,
    current: IdPairs,
    dropped: &[bool],
    sorted: SortedIds,
    snapshot: &Snapshot,
) -> SyncPlan {
    let (in_snapshot, kept) = matches(&current, sorted, snapshot);
    let mut remove = IdPairs::default();
    for (index, _) in kept.iter().enumerate().filter(|(_, &kept)| !kept) {
        remove.push(snapshot.leanplum_id(index), snapshot.distinct_id(index));
    }
    let mut add = Vec::new();
    let mut unchanged = Vec::with_capacity(snapshot.len());
    for (pos, seen) in in_snapshot.into_iter().enumerate() {
        if marked(dropped, pos) {
            continue;
        }
        if seen {
            unchanged.push(pos);
        } else {
            add.push(pos);
        }
    }
    SyncPlan {
        kind,
        current,
        add,
        unchanged,
        remove,
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
    /// Same as `finish` followed by [`plan`], but faster: the ids stay in
    /// the text buffer they were decoded into, and the Leanplum ids are
    /// hashed once, as they were pushed.
    pub fn finish_plan(
        self,
        kind: ExportKind,
        snapshot: Snapshot,
    ) -> PlannedSync {
        let (matched, sorted) = self.finish_sorted();
        let Candidates {
            pairs,
            dropped,
            summary,
            flagged,
            ..
        } = matched;
        let plan = plan_pairs(kind, pairs, &dropped, sorted, &snapshot);
        drop(snapshot);
        PlannedSync {
            summary,
            flagged,
            plan,
        }
    }
}

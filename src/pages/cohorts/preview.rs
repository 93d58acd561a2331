//! The export preview: members and the last snapshot, fed chunk by chunk
//! to the sync model's decoders, resolved and planned with the very
//! functions the proxy syncs with. Lists are read as indices into the
//! plan, never copied.

use sync_model::members::{DecodeError, MemberDecoder, SnapshotDecoder};
use sync_model::plan::{write_csv, PlanCounts, PlannedSync, SnapshotBuilder};
use sync_model::{
    ExportKind, FlaggedMember, IdentityResolver, IdentitySummary, PlanEntry,
    SyncPlan,
};

/// Reads a member stream, then a snapshot stream, into a [`Preview`].
#[derive(Debug, Default)]
pub struct PreviewBuilder {
    members: MemberDecoder,
    resolver: IdentityResolver,
    snapshot: SnapshotDecoder,
    entries: SnapshotBuilder,
}

impl PreviewBuilder {
    /// A builder expecting about `members` members.
    pub fn with_capacity(members: usize) -> Self {
        Self {
            resolver: IdentityResolver::with_capacity(members),
            ..Self::default()
        }
    }

    /// Decodes and resolves every complete member line in `chunk`.
    pub fn push_members(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        self.members.push_into(chunk, &mut self.resolver)
    }

    /// Members read so far.
    pub fn members_read(&self) -> u64 {
        self.resolver.members()
    }

    /// Decodes every complete snapshot line in `chunk`.
    pub fn push_snapshot(&mut self, chunk: &[u8]) -> Result<(), DecodeError> {
        self.snapshot.push_into(chunk, &mut self.entries)
    }

    /// Snapshot entries read so far.
    pub fn snapshot_read(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Ends both streams, matches identities and plans the sync.
    pub fn finish(self, kind: ExportKind) -> Result<Preview, DecodeError> {
        let Self {
            members,
            mut resolver,
            snapshot,
            mut entries,
        } = self;
        members.finish_into(&mut resolver)?;
        snapshot.finish_into(&mut entries)?;
        let PlannedSync {
            summary,
            flagged,
            plan,
        } = resolver.finish_plan(kind, entries.finish());
        Ok(Preview {
            summary,
            flagged,
            plan,
        })
    }
}

/// Which people a list of the change preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanList {
    /// Current members the last sync did not set.
    Add,
    /// People the last sync set who are no longer members.
    Remove,
    /// Current members the last sync already set.
    Unchanged,
    /// Everyone a one-time export sets: added, then unchanged.
    Exported,
}

impl PlanList {
    /// The lists shown for a kind of export.
    pub fn for_kind(kind: ExportKind) -> &'static [PlanList] {
        match kind {
            ExportKind::Dynamic => {
                &[PlanList::Add, PlanList::Remove, PlanList::Unchanged]
            }
            ExportKind::OneTime => &[PlanList::Exported, PlanList::Remove],
        }
    }

    /// The list's name.
    pub fn label(self, kind: ExportKind) -> &'static str {
        match (self, kind) {
            (PlanList::Add, _) => "To add",
            (PlanList::Remove, ExportKind::Dynamic) => "To remove",
            (PlanList::Remove, ExportKind::OneTime) => {
                "Dropped from the previous export"
            }
            (PlanList::Unchanged, _) => "Unchanged",
            (PlanList::Exported, _) => "Replacing the previous export",
        }
    }
}

/// What an export would do, as the proxy would do it.
#[derive(Debug, Clone)]
pub struct Preview {
    /// Identity matching counts.
    pub summary: IdentitySummary,
    /// Members called out, with reasons.
    pub flagged: Vec<FlaggedMember>,
    /// The diff against the last snapshot.
    pub plan: SyncPlan,
}

impl Preview {
    /// The plan for another kind of export: which people are added,
    /// removed or unchanged does not depend on the kind.
    pub fn set_kind(&mut self, kind: ExportKind) {
        self.plan.kind = kind;
    }

    /// People touched, by kind of change.
    pub fn counts(&self) -> PlanCounts {
        self.plan.counts()
    }

    /// Number of people in `list`.
    pub fn len(&self, list: PlanList) -> usize {
        let plan = &self.plan;
        match list {
            PlanList::Add => plan.add().len(),
            PlanList::Remove => plan.remove().len(),
            PlanList::Unchanged => plan.unchanged().len(),
            PlanList::Exported => plan.add().len() + plan.unchanged().len(),
        }
    }

    /// The `index`-th person of `list`.
    pub fn entry(&self, list: PlanList, index: usize) -> Option<PlanEntry<'_>> {
        let plan = &self.plan;
        match list {
            PlanList::Add => plan.add().get(index),
            PlanList::Remove => plan.remove().get(index),
            PlanList::Unchanged => plan.unchanged().get(index),
            PlanList::Exported => plan.add().get(index).or_else(|| {
                plan.unchanged().get(index.checked_sub(plan.add().len())?)
            }),
        }
    }

    /// Positions in `list` of the people whose distinct id or Leanplum
    /// id contains `query`, ignoring case.
    pub fn search(&self, list: PlanList, query: &str) -> Vec<u32> {
        let query = query.trim().to_lowercase();
        let total = self.len(list);
        let hit = |e: PlanEntry| {
            contains_folded(e.distinct_id, &query)
                || contains_folded(e.leanplum_id, &query)
        };
        (0..total)
            .filter(|&i| self.entry(list, i).is_some_and(hit))
            .filter_map(|i| u32::try_from(i).ok())
            .collect()
    }

    /// The plan as the CSV the proxy records for the run.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        write_csv(&self.plan, &mut out);
        out
    }
}

/// True when `text` contains the lower-case `query`, ignoring case.
fn contains_folded(text: &str, query: &str) -> bool {
    if text.is_ascii() && query.is_ascii() {
        let (text, query) = (text.as_bytes(), query.as_bytes());
        return query.is_empty()
            || text
                .windows(query.len())
                .any(|w| w.eq_ignore_ascii_case(query));
    }
    text.to_lowercase().contains(query)
}

/// Widths in percent of the identity bar's segments, in the order
/// by `$leanplum_user_id`, by distinct id, fallbacks, invalid, anonymous.
pub fn identity_bar(summary: &IdentitySummary) -> [f64; 5] {
    let parts = [
        summary.by_leanplum_user_id,
        summary.by_distinct_id,
        summary.fallbacks,
        summary.invalid,
        summary.anonymous,
    ];
    let total: u64 = parts.iter().sum();
    if total == 0 {
        return [0.0; 5];
    }
    parts.map(|p| p as f64 * 100.0 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_model::members::{encode_members, encode_snapshot};
    use sync_model::{LeanplumIdProperty, Member, Profile, SnapshotEntry};

    fn member(id: &str, profile: Profile) -> Member {
        Member {
            distinct_id: id.to_owned(),
            profile,
        }
    }

    fn text(v: &str) -> Profile {
        Profile::Identified(LeanplumIdProperty::Text(v.to_owned()))
    }

    fn fixture() -> (String, String) {
        let members = [
            member("a", text("lp-a")),
            member("b", Profile::Identified(LeanplumIdProperty::Absent)),
            member("c", Profile::Anonymous),
            member("d", text("lp-a")),
            member("e", text("lp-e")),
        ];
        let snapshot = [
            SnapshotEntry {
                leanplum_id: "lp-e".into(),
                distinct_id: "e".into(),
            },
            SnapshotEntry {
                leanplum_id: "old".into(),
                distinct_id: "gone".into(),
            },
        ];
        (encode_members(&members), encode_snapshot(&snapshot))
    }

    fn build(chunk: usize) -> Preview {
        let (members, snapshot) = fixture();
        let mut builder = PreviewBuilder::with_capacity(5);
        for part in members.as_bytes().chunks(chunk) {
            builder.push_members(part).expect("members decode");
        }
        for part in snapshot.as_bytes().chunks(chunk) {
            builder.push_snapshot(part).expect("snapshot decodes");
        }
        builder.finish(ExportKind::Dynamic).expect("preview")
    }

    #[test]
    fn chunks_of_any_size_give_the_same_preview() {
        let whole = build(1 << 20);
        let bytewise = build(1);
        assert_eq!(whole.summary, bytewise.summary);
        assert_eq!(whole.plan, bytewise.plan);
        assert_eq!(whole.summary.members, 5);
        assert_eq!(whole.summary.anonymous, 1);
        assert_eq!(whole.summary.conflicts, 1);
    }

    #[test]
    fn the_plan_is_the_proxys_plan() {
        let p = build(7);
        fn ids(v: sync_model::PlanEntries<'_>) -> Vec<&str> {
            v.iter().map(|e| e.distinct_id).collect()
        }
        assert_eq!(ids(p.plan.add()), ["a", "b"]);
        assert_eq!(ids(p.plan.unchanged()), ["e"]);
        assert_eq!(ids(p.plan.remove()), ["gone"]);
    }

    #[test]
    fn a_one_time_export_lists_added_then_unchanged() {
        let mut p = build(3);
        p.set_kind(ExportKind::OneTime);
        assert_eq!(p.len(PlanList::Exported), 3);
        let third = p.entry(PlanList::Exported, 2).map(|e| e.distinct_id);
        assert_eq!(third, Some("e"));
        assert_eq!(p.entry(PlanList::Exported, 3), None);
        assert_eq!(p.counts().to_send, 4);
    }

    #[test]
    fn search_matches_either_id_ignoring_case() {
        let p = build(64);
        assert_eq!(p.search(PlanList::Add, "LP-A"), [0]);
        assert_eq!(p.search(PlanList::Add, "b"), [1]);
        assert_eq!(p.search(PlanList::Add, ""), [0, 1]);
        assert!(p.search(PlanList::Add, "zzz").is_empty());
    }

    #[test]
    fn the_csv_is_the_sync_models() {
        let p = build(64);
        assert_eq!(
            p.csv(),
            "distinct_id,leanplum_user_id,operation\r\na,lp-a,add\r\n\
             b,b,add\r\ne,lp-e,no-op\r\ngone,old,remove\r\n"
        );
    }

    #[test]
    fn the_identity_bar_splits_a_hundred_percent() {
        let p = build(64);
        let bar = identity_bar(&p.summary);
        assert!((bar.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert_eq!(bar[4], 20.0);
        assert_eq!(identity_bar(&IdentitySummary::default()), [0.0; 5]);
    }

    #[test]
    fn malformed_lines_are_errors_not_panics() {
        let mut b = PreviewBuilder::default();
        assert!(b.push_members(b"X\tnope\n").is_err());
    }
}

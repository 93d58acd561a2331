//! The snapshot of what the last sync set, stored as one text buffer
//! with offsets ([`IdPairs`], no allocation per entry), and the builder that fills it
//! entry by entry or straight from snapshot lines.

use crate::fast_hash::{
    id_key, position, radix_sort, remove_positions, repeats, run_end, SortedIds,
};
use crate::id_pairs::IdPairs;
use crate::members::SnapshotEntry;
use std::sync::OnceLock;

/// The Leanplum ids the last sync left with the attribute set, each
/// with its distinct id, in the order given, each Leanplum id once.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The entries' ids.
    pairs: IdPairs,
    /// (key of Leanplum id, entry index), sorted by key.
    pub(super) sorted: SortedIds,
    /// The entries as structs, built on first request.
    entries: OnceLock<Vec<SnapshotEntry>>,
}

/// Collects snapshot entries into one buffer, then builds a
/// [`Snapshot`].
#[derive(Debug, Clone, Default)]
pub struct SnapshotBuilder {
    pairs: IdPairs,
    sorted: SortedIds,
}

impl SnapshotBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with room for `entries` entries whose ids take about
    /// `bytes` bytes in all (the snapshot text's length is a good guess).
    pub fn with_capacity(entries: usize, bytes: usize) -> Self {
        Self {
            pairs: IdPairs::with_capacity(entries, bytes),
            sorted: Vec::with_capacity(entries),
        }
    }

    /// Entries pushed so far, repeats included.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// True when nothing has been pushed.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// Adds one entry.
    pub fn push(&mut self, leanplum_id: &str, distinct_id: &str) {
        let key = id_key(leanplum_id);
        self.sorted.push((key, position(self.sorted.len())));
        self.pairs.push(leanplum_id, distinct_id);
    }

    /// Adds one entry from the escaped fields of a snapshot line (`plain`
    /// when the line holds no backslash or CR); on error nothing is
    /// added.
    pub(crate) fn push_escaped(
        &mut self,
        leanplum_id: &[u8],
        distinct_id: &[u8],
        plain: bool,
    ) -> Result<(), String> {
        let index = position(self.sorted.len());
        let leanplum_id =
            self.pairs.push_escaped(leanplum_id, distinct_id, plain)?;
        self.sorted.push((id_key(leanplum_id), index));
        Ok(())
    }

    /// The snapshot; a repeated Leanplum id keeps its first entry.
    pub fn finish(self) -> Snapshot {
        let SnapshotBuilder { pairs, mut sorted } = self;
        radix_sort(&mut sorted);
        let mut snapshot = Snapshot {
            pairs,
            sorted,
            entries: OnceLock::new(),
        };
        let same = |a: usize, b: usize| {
            snapshot.leanplum_id(a) == snapshot.leanplum_id(b)
        };
        let repeated = repeats(&snapshot.sorted, same);
        if !repeated.is_empty() {
            snapshot.drop_entries(repeated.iter().map(|&(_, pos)| pos));
        }
        snapshot
    }
}

impl Snapshot {
    /// A snapshot from entries; a repeated Leanplum id keeps its first
    /// entry.
    pub fn from_entries(
        entries: impl IntoIterator<Item = SnapshotEntry>,
    ) -> Self {
        let entries = entries.into_iter();
        let mut builder =
            SnapshotBuilder::with_capacity(entries.size_hint().0, 0);
        for entry in entries {
            builder.push(&entry.leanplum_id, &entry.distinct_id);
        }
        builder.finish()
    }

    /// Takes out the entries at `positions`, keeping the rest in order.
    fn drop_entries(&mut self, positions: impl Iterator<Item = usize>) {
        let mut dropped = vec![false; self.len()];
        for pos in positions {
            if let Some(flag) = dropped.get_mut(pos) {
                *flag = true;
            }
        }
        self.pairs = self.pairs.without(&dropped);
        remove_positions(&mut self.sorted, &dropped);
    }

    /// The Leanplum id of entry `index` (empty past the end).
    #[inline]
    pub(super) fn leanplum_id(&self, index: usize) -> &str {
        self.pairs.leanplum_id(index)
    }

    /// The distinct id of entry `index` (empty past the end).
    #[inline]
    pub(super) fn distinct_id(&self, index: usize) -> &str {
        self.pairs.distinct_id(index)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// True when the last sync left nothing set.
    pub fn is_empty(&self) -> bool {
        self.pairs.len() == 0
    }

    /// Entry `index` as a struct.
    fn entry(&self, index: usize) -> SnapshotEntry {
        SnapshotEntry {
            leanplum_id: self.leanplum_id(index).to_owned(),
            distinct_id: self.distinct_id(index).to_owned(),
        }
    }

    /// The entries in order.
    pub fn iter(&self) -> std::slice::Iter<'_, SnapshotEntry> {
        self.entries().iter()
    }

    /// The entries as a slice (built on first call, then kept).
    pub fn entries(&self) -> &[SnapshotEntry] {
        self.entries
            .get_or_init(|| (0..self.len()).map(|i| self.entry(i)).collect())
    }

    /// The entries, taken out of the snapshot.
    pub fn into_entries(mut self) -> Vec<SnapshotEntry> {
        match self.entries.take() {
            Some(entries) => entries,
            None => (0..self.len()).map(|i| self.entry(i)).collect(),
        }
    }

    /// True when the last sync set the attribute on `leanplum_id`.
    pub fn contains(&self, leanplum_id: &str) -> bool {
        let key = id_key(leanplum_id);
        let start = self.sorted.partition_point(|p| p.0 < key);
        let end = run_end(&self.sorted, start);
        self.sorted.get(start..end).is_some_and(|run| {
            run.iter()
                .any(|&(_, pos)| self.leanplum_id(pos as usize) == leanplum_id)
        })
    }
}

impl<'a> IntoIterator for &'a Snapshot {
    type Item = &'a SnapshotEntry;
    type IntoIter = std::slice::Iter<'a, SnapshotEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromIterator<SnapshotEntry> for Snapshot {
    fn from_iter<I: IntoIterator<Item = SnapshotEntry>>(iter: I) -> Self {
        Self::from_entries(iter)
    }
}

//! The snapshot of what the last sync set, stored as one text buffer
//! with offsets (no allocation per entry), and the builder that fills it
//! entry by entry or straight from snapshot lines.

use crate::fast_hash::{
    hash_str, radix_sort, remove_positions, repeats, run_end, sort_key,
    SortedIds,
};
use crate::members::{unescape_into, SnapshotEntry};
use std::sync::OnceLock;

/// The Leanplum ids the last sync left with the attribute set, each
/// with its distinct id, in the order given, each Leanplum id once.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every id back to back: each entry's Leanplum id, then its
    /// distinct id.
    text: String,
    /// Where each id starts in `text`, two per entry; each ends where
    /// the next starts, the last at the end of `text`.
    starts: Vec<usize>,
    /// (hash of Leanplum id, entry index), sorted by hash.
    pub(super) sorted: SortedIds,
    /// The entries as structs, built on first request.
    entries: OnceLock<Vec<SnapshotEntry>>,
}

/// Collects snapshot entries into one buffer, then builds a
/// [`Snapshot`].
#[derive(Debug, Clone, Default)]
pub struct SnapshotBuilder {
    text: String,
    starts: Vec<usize>,
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
            text: String::with_capacity(bytes),
            starts: Vec::with_capacity(entries.saturating_mul(2)),
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
        let hash = hash_str(leanplum_id);
        self.sorted.push((hash, self.sorted.len()));
        self.starts.push(self.text.len());
        self.text.push_str(leanplum_id);
        self.starts.push(self.text.len());
        self.text.push_str(distinct_id);
    }

    /// Adds one entry from the escaped fields of a snapshot line; on
    /// error nothing is added.
    pub(crate) fn push_escaped(
        &mut self,
        leanplum_id: &[u8],
        distinct_id: &[u8],
    ) -> Result<(), String> {
        let start = self.text.len();
        let unescaped =
            unescape_into(leanplum_id, &mut self.text).and_then(|()| {
                let middle = self.text.len();
                unescape_into(distinct_id, &mut self.text).map(|()| middle)
            });
        let middle = match unescaped {
            Ok(middle) => middle,
            Err(message) => {
                self.text.truncate(start);
                return Err(message);
            }
        };
        let hash = hash_str(self.text.get(start..middle).unwrap_or(""));
        self.sorted.push((hash, self.sorted.len()));
        self.starts.push(start);
        self.starts.push(middle);
        Ok(())
    }

    /// The snapshot; a repeated Leanplum id keeps its first entry.
    pub fn finish(self) -> Snapshot {
        let SnapshotBuilder {
            text,
            starts,
            mut sorted,
        } = self;
        radix_sort(&mut sorted);
        let mut snapshot = Snapshot {
            text,
            starts,
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
        let mut text = String::with_capacity(self.text.len());
        let mut starts = Vec::with_capacity(self.starts.len());
        for (index, &gone) in dropped.iter().enumerate() {
            if !gone {
                starts.push(text.len());
                text.push_str(self.leanplum_id(index));
                starts.push(text.len());
                text.push_str(self.distinct_id(index));
            }
        }
        remove_positions(&mut self.sorted, &dropped);
        self.text = text;
        self.starts = starts;
    }

    /// The `field`-th id stored: entry `field / 2`, Leanplum id for even
    /// `field`, distinct id for odd.
    #[inline]
    fn field(&self, field: usize) -> &str {
        let start = self.starts.get(field).copied().unwrap_or(0);
        let end = self.starts.get(field + 1).copied();
        let end = end.unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }

    /// The Leanplum id of entry `index` (empty past the end).
    #[inline]
    pub(super) fn leanplum_id(&self, index: usize) -> &str {
        self.field(index.saturating_mul(2))
    }

    /// The distinct id of entry `index` (empty past the end).
    #[inline]
    pub(super) fn distinct_id(&self, index: usize) -> &str {
        self.field(index.saturating_mul(2).saturating_add(1))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.starts.len() / 2
    }

    /// True when the last sync left nothing set.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
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
        let key = sort_key(hash_str(leanplum_id));
        let start = self.sorted.partition_point(|p| sort_key(p.0) < key);
        let end = run_end(&self.sorted, start);
        self.sorted.get(start..end).is_some_and(|run| {
            run.iter()
                .any(|&(_, pos)| self.leanplum_id(pos) == leanplum_id)
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

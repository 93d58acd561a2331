//! The in-crate hasher behind every identity lookup: a folded-multiply
//! hash (fast, not collision-resistant), and hash-sorted id lists that
//! find repeated and shared ids with sequential passes over memory.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K1: u64 = 0x243f_6a88_85a3_08d3;
const K2: u64 = 0x1319_8a2e_0370_7344;
const K3: u64 = 0xa409_3822_299f_31d0;

/// Multiplies to 128 bits and folds the halves together.
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let wide = u128::from(a) * u128::from(b);
    (wide as u64) ^ ((wide >> 64) as u64)
}

/// Up to 8 bytes as a little-endian word, zero padded.
#[inline]
fn word(bytes: &[u8]) -> u64 {
    let mut padded = [0u8; 8];
    let len = bytes.len().min(8);
    padded[..len].copy_from_slice(&bytes[..len]);
    u64::from_le_bytes(padded)
}

/// Folded-multiply hasher: one 64x64→128-bit multiply per 16 input
/// bytes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher {
    hash: u64,
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut state = self.hash ^ (bytes.len() as u64).wrapping_mul(K3);
        let mut blocks = bytes.chunks_exact(16);
        for block in &mut blocks {
            let (low, high) = block.split_at(8);
            state = mix(word(low) ^ state ^ K1, word(high) ^ K2);
        }
        let rest = blocks.remainder();
        if !rest.is_empty() {
            let (low, high) = rest.split_at(rest.len().min(8));
            state = mix(word(low) ^ state ^ K1, word(high) ^ K2);
        }
        self.hash = state;
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.hash = mix(self.hash ^ i ^ K1, K2);
    }

    #[inline]
    fn finish(&self) -> u64 {
        mix(self.hash ^ K2, K1)
    }
}

/// Builds [`FastHasher`]s for std hash maps and sets.
pub(crate) type FastBuild = BuildHasherDefault<FastHasher>;

/// A std `HashMap` using [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, FastBuild>;

/// A std `HashSet` using [`FastHasher`].
pub(crate) type FastSet<K> = std::collections::HashSet<K, FastBuild>;

/// Hashes one string.
#[inline]
pub(crate) fn hash_str(text: &str) -> u64 {
    let mut hasher = FastHasher::default();
    hasher.write(text.as_bytes());
    hasher.finish()
}

/// Ids as (hash, position) pairs sorted by [`sort_key`]; equal keys keep
/// position order.
pub(crate) type SortedIds = Vec<(u64, usize)>;

/// Bits of the hash that sorting orders by: the top 33, enough that
/// different ids share a key only rarely, in three radix passes.
const KEY_SHIFT: u32 = 31;

/// The part of a hash that [`SortedIds`] are ordered and grouped by.
#[inline]
pub(crate) fn sort_key(hash: u64) -> u64 {
    hash >> KEY_SHIFT
}

/// Hashes each id and sorts the pairs by [`sort_key`] with a stable radix
/// sort, which reads memory in order instead of probing a table at
/// random.
pub(crate) fn sorted_ids<'a>(ids: impl Iterator<Item = &'a str>) -> SortedIds {
    let mut pairs: SortedIds = ids
        .enumerate()
        .map(|(pos, id)| (hash_str(id), pos))
        .collect();
    radix_sort(&mut pairs);
    pairs
}

/// Already computed hashes, one per position, sorted as [`sorted_ids`]
/// sorts them.
pub(crate) fn sorted_hashes(hashes: Vec<u64>) -> SortedIds {
    let mut pairs: SortedIds = Vec::with_capacity(hashes.len());
    pairs.extend(hashes.into_iter().enumerate().map(|(pos, h)| (h, pos)));
    radix_sort(&mut pairs);
    pairs
}

/// Removes the pairs of positions marked in `dropped` and renumbers the
/// rest as if the marked positions had been taken out of their list.
pub(crate) fn remove_positions(sorted: &mut SortedIds, dropped: &[bool]) {
    let mut new_pos = Vec::with_capacity(dropped.len());
    let mut next = 0;
    for &gone in dropped {
        new_pos.push(next);
        next += usize::from(!gone);
    }
    sorted.retain(|&(_, pos)| !dropped.get(pos).copied().unwrap_or(true));
    for pair in sorted.iter_mut() {
        pair.1 = new_pos.get(pair.1).copied().unwrap_or(0);
    }
}

/// Radix digits per sort: three 11-bit digits cover the 33-bit key.
const PASSES: usize = 3;

/// Stable LSD radix sort on [`sort_key`], 11 bits per pass, with every
/// pass's counts taken in one read.
pub(crate) fn radix_sort(pairs: &mut SortedIds) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    if pairs.len() < 64 {
        pairs.sort_by_key(|pair| sort_key(pair.0));
        return;
    }
    let shift_of = |pass: usize| KEY_SHIFT + BITS * pass as u32;
    let digit = |hash: u64, pass: usize| {
        ((hash >> shift_of(pass)) as usize) & (BUCKETS - 1)
    };
    let mut counts = vec![[0usize; BUCKETS]; PASSES];
    for pair in pairs.iter() {
        for (pass, count) in counts.iter_mut().enumerate() {
            if let Some(slot) = count.get_mut(digit(pair.0, pass)) {
                *slot += 1;
            }
        }
    }
    let mut scratch: SortedIds = Vec::new();
    for (pass, starts) in counts.iter_mut().enumerate() {
        if starts.contains(&pairs.len()) {
            continue;
        }
        let mut total = 0;
        for start in starts.iter_mut() {
            let count = *start;
            *start = total;
            total += count;
        }
        scratch.resize(pairs.len(), (0, 0));
        for pair in pairs.iter() {
            if let Some(slot) = starts.get_mut(digit(pair.0, pass)) {
                if let Some(target) = scratch.get_mut(*slot) {
                    *target = *pair;
                }
                *slot += 1;
            }
        }
        std::mem::swap(pairs, &mut scratch);
    }
}

/// Calls `on_run` with each pair of same-key runs found in both sorted
/// lists (almost always one element each).
pub(crate) fn join_runs(
    left: &[(u64, usize)],
    right: &[(u64, usize)],
    mut on_run: impl FnMut(&[(u64, usize)], &[(u64, usize)]),
) {
    let (mut i, mut j) = (0, 0);
    while let (Some(a), Some(b)) = (left.get(i), right.get(j)) {
        let (key_a, key_b) = (sort_key(a.0), sort_key(b.0));
        if key_a < key_b {
            i += 1;
        } else if key_a > key_b {
            j += 1;
        } else {
            let i_end = run_end(left, i);
            let j_end = run_end(right, j);
            on_run(&left[i..i_end], &right[j..j_end]);
            i = i_end;
            j = j_end;
        }
    }
}

/// End of the run of equal keys starting at `start`.
pub(crate) fn run_end(pairs: &[(u64, usize)], start: usize) -> usize {
    let key = pairs.get(start).map(|pair| sort_key(pair.0));
    let mut end = start + 1;
    while end < pairs.len()
        && pairs.get(end).map(|pair| sort_key(pair.0)) == key
    {
        end += 1;
    }
    end.min(pairs.len())
}

/// Positions whose id repeats an earlier position's id, each with the
/// first position holding that id; `same(a, b)` compares two ids.
pub(crate) fn repeats(
    sorted: &[(u64, usize)],
    same: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let end = run_end(sorted, start);
        if end - start > 1 {
            let run = &sorted[start..end];
            for (k, &(_, pos)) in run.iter().enumerate().skip(1) {
                let first = run[..k]
                    .iter()
                    .map(|&(_, earlier)| earlier)
                    .find(|&earlier| same(earlier, pos));
                if let Some(first) = first {
                    found.push((first, pos));
                }
            }
        }
        start = end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_hash_equally() {
        assert_eq!(hash_str("user-42"), hash_str("user-42"));
    }

    #[test]
    fn strings_differing_in_one_byte_hash_differently() {
        assert_ne!(hash_str("user-42"), hash_str("user-43"));
        assert_ne!(hash_str("abcdefgh1"), hash_str("abcdefgh2"));
    }

    #[test]
    fn trailing_zero_bytes_change_the_hash() {
        assert_ne!(hash_str("a"), hash_str("a\0"));
    }

    #[test]
    fn numbered_ids_spread_over_table_buckets() {
        let buckets: FastSet<u64> = (0..100_000)
            .map(|i| hash_str(&format!("lp_{i:09}")) & 0x3_ffff)
            .collect();
        // 100k random keys in 2^18 buckets fill about 82k of them.
        assert!(buckets.len() > 80_000, "{}", buckets.len());
    }

    #[test]
    fn sorted_ids_are_in_hash_order() {
        let ids: Vec<String> = (0..500).map(|i| format!("id{i}")).collect();
        let sorted = sorted_ids(ids.iter().map(String::as_str));
        assert_eq!(sorted.len(), 500);
        assert!(sorted
            .windows(2)
            .all(|w| sort_key(w[0].0) <= sort_key(w[1].0)));
        assert!(sorted.iter().all(|&(h, pos)| h == hash_str(&ids[pos])));
    }

    #[test]
    fn repeats_point_to_the_first_position() {
        let ids = ["a", "b", "a", "c", "a", "b"];
        let sorted = sorted_ids(ids.iter().copied());
        let mut found = repeats(&sorted, |x, y| ids[x] == ids[y]);
        found.sort_unstable();
        assert_eq!(found, vec![(0, 2), (0, 4), (1, 5)]);
    }

    #[test]
    fn join_runs_pairs_equal_hashes_only() {
        let k = |n: u64| n << KEY_SHIFT;
        let left = [(k(1), 0), (k(3), 1), (k(3) + 1, 2), (k(7), 3)];
        let right = [(k(3), 9), (k(5), 8), (k(7), 7)];
        let mut runs = Vec::new();
        join_runs(&left, &right, |a, b| runs.push((a.to_vec(), b.to_vec())));
        assert_eq!(
            runs,
            vec![
                (vec![(k(3), 1), (k(3) + 1, 2)], vec![(k(3), 9)]),
                (vec![(k(7), 3)], vec![(k(7), 7)]),
            ]
        );
    }
}

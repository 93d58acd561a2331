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
pub(crate) fn word(bytes: &[u8]) -> u64 {
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

/// An id's sort key and its position in its list.
///
/// Positions are 32-bit: a list holds at most 4,294,967,295 ids, far
/// beyond the 10,000,000 users a cohort may have. Eight bytes per id
/// keep sorting mostly in cache.
pub(crate) type Keyed = (u32, u32);

/// Ids as [`Keyed`] pairs sorted by key; equal keys keep position order.
pub(crate) type SortedIds = Vec<Keyed>;

/// The part of an id's hash that [`SortedIds`] are ordered and grouped
/// by: the top 32 bits, so that different ids share a key only rarely
/// (about 116 pairs among a million ids), and a shared key costs one
/// string comparison.
#[inline]
pub(crate) fn sort_key(hash: u64) -> u32 {
    (hash >> 32) as u32
}

/// The sort key of one id.
#[inline]
pub(crate) fn id_key(text: &str) -> u32 {
    sort_key(hash_str(text))
}

/// `pos` as a [`Keyed`] position.
#[inline]
pub(crate) fn position(pos: usize) -> u32 {
    u32::try_from(pos).unwrap_or(u32::MAX)
}

/// Keys each id and sorts the pairs with a stable radix sort, which
/// reads memory in order instead of probing a table at random.
pub(crate) fn sorted_ids<'a>(ids: impl Iterator<Item = &'a str>) -> SortedIds {
    let mut pairs: SortedIds = ids
        .enumerate()
        .map(|(pos, id)| (id_key(id), position(pos)))
        .collect();
    radix_sort(&mut pairs);
    pairs
}

/// Already computed keys, one per position, sorted as [`sorted_ids`]
/// sorts them.
pub(crate) fn sorted_keys(keys: Vec<u32>) -> SortedIds {
    let mut pairs: SortedIds = Vec::with_capacity(keys.len());
    pairs.extend(
        keys.into_iter()
            .enumerate()
            .map(|(pos, key)| (key, position(pos))),
    );
    radix_sort(&mut pairs);
    pairs
}

/// True when `dropped` marks position `pos`.
#[inline]
pub(crate) fn marked(dropped: &[bool], pos: usize) -> bool {
    dropped.get(pos).copied().unwrap_or(false)
}

/// Removes the pairs of positions marked in `dropped` and renumbers the
/// rest as if the marked positions had been taken out of their list.
pub(crate) fn remove_positions(sorted: &mut SortedIds, dropped: &[bool]) {
    let mut new_pos = Vec::with_capacity(dropped.len());
    let mut next = 0u32;
    for &gone in dropped {
        new_pos.push(next);
        next += u32::from(!gone);
    }
    sorted.retain(|&(_, pos)| !marked(dropped, pos as usize));
    for pair in sorted.iter_mut() {
        pair.1 = new_pos.get(pair.1 as usize).copied().unwrap_or(0);
    }
}

/// Bits per radix digit, and digits per sort: 11 + 11 + 10 bits cover
/// the 32-bit key.
const BITS: u32 = 11;
const PASSES: usize = 3;

/// Stable LSD radix sort by key, 11 bits per pass, with every pass's
/// counts taken in one read.
pub(crate) fn radix_sort(pairs: &mut SortedIds) {
    const BUCKETS: usize = 1 << BITS;
    if pairs.len() < 64 {
        pairs.sort_by_key(|pair| pair.0);
        return;
    }
    let digit = |key: u32, pass: usize| {
        ((key >> (BITS * pass as u32)) as usize) & (BUCKETS - 1)
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
    left: &[Keyed],
    right: &[Keyed],
    mut on_run: impl FnMut(&[Keyed], &[Keyed]),
) {
    let (mut i, mut j) = (0, 0);
    while let (Some(a), Some(b)) = (left.get(i), right.get(j)) {
        let (key_a, key_b) = (a.0, b.0);
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
pub(crate) fn run_end(pairs: &[Keyed], start: usize) -> usize {
    let key = pairs.get(start).map(|pair| pair.0);
    let mut end = start + 1;
    while end < pairs.len() && pairs.get(end).map(|pair| pair.0) == key {
        end += 1;
    }
    end.min(pairs.len())
}

/// Positions whose id repeats an earlier position's id, each with the
/// first position holding that id; `same(a, b)` compares two ids.
pub(crate) fn repeats(
    sorted: &[Keyed],
    same: impl Fn(usize, usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let end = run_end(sorted, start);
        if end - start > 1 {
            let run = &sorted[start..end];
            for (k, &(_, pos)) in run.iter().enumerate().skip(1) {
                let pos = pos as usize;
                let first = run[..k]
                    .iter()
                    .map(|&(_, earlier)| earlier as usize)
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
        assert!(sorted.windows(2).all(|w| w[0] <= w[1]));
        assert!(sorted
            .iter()
            .all(|&(k, pos)| k == id_key(&ids[pos as usize])));
    }

    #[test]
    fn radix_sort_orders_by_every_key_bit_and_is_stable() {
        // Keys from a xorshift sequence, narrowed so that many repeat,
        // with the top and bottom bits in play.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut pairs: SortedIds = (0..5000)
            .map(|pos| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let key = (state as u32) & 0xc000_01ff;
                (key, pos)
            })
            .collect();
        let mut expected = pairs.clone();
        expected.sort_by_key(|pair| pair.0);
        radix_sort(&mut pairs);
        assert_eq!(pairs, expected);
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
        let left = [(1, 0), (3, 1), (3, 2), (7, 3)];
        let right = [(3, 9), (5, 8), (7, 7)];
        let mut runs = Vec::new();
        join_runs(&left, &right, |a, b| runs.push((a.to_vec(), b.to_vec())));
        assert_eq!(
            runs,
            vec![
                (vec![(3, 1), (3, 2)], vec![(3, 9)]),
                (vec![(7, 3)], vec![(7, 7)]),
            ]
        );
    }
}

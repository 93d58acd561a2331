//! Pairs of ids (a Leanplum id and a distinct id) kept back to back in
//! one text buffer: two offsets per pair and no allocation per pair, so
//! millions of them cost little more than their text.

use crate::fast_hash::marked;
use crate::members::push_field;

/// Leanplum id and distinct id pairs, in the order pushed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IdPairs {
    /// Every id back to back: each pair's Leanplum id, then its distinct
    /// id.
    text: String,
    /// Where each id starts in `text`, two per pair; each ends where the
    /// next starts, the last at the end of `text`.
    starts: Vec<usize>,
}

impl IdPairs {
    /// Room for `pairs` pairs whose ids take about `bytes` bytes in all.
    pub(crate) fn with_capacity(pairs: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            starts: Vec::with_capacity(pairs.saturating_mul(2)),
        }
    }

    /// Number of pairs.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.starts.len() / 2
    }

    /// Bytes of id text held.
    pub(crate) fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Adds one pair.
    #[inline]
    pub(crate) fn push(&mut self, leanplum_id: &str, distinct_id: &str) {
        self.starts.push(self.text.len());
        self.text.push_str(leanplum_id);
        self.starts.push(self.text.len());
        self.text.push_str(distinct_id);
    }

    /// Adds one pair from the escaped fields of a line (`plain` when the
    /// line holds no backslash or CR) and returns its Leanplum id; on
    /// error nothing is added.
    #[inline]
    pub(crate) fn push_escaped(
        &mut self,
        leanplum_id: &[u8],
        distinct_id: &[u8],
        plain: bool,
    ) -> Result<&str, String> {
        let start = self.text.len();
        let written =
            push_field(leanplum_id, plain, &mut self.text).and_then(|()| {
                let middle = self.text.len();
                push_field(distinct_id, plain, &mut self.text).map(|()| middle)
            });
        match written {
            Ok(middle) => {
                self.starts.push(start);
                self.starts.push(middle);
                Ok(self.text.get(start..middle).unwrap_or(""))
            }
            Err(message) => {
                self.text.truncate(start);
                Err(message)
            }
        }
    }

    /// The `field`-th id stored: pair `field / 2`, Leanplum id for even
    /// `field`, distinct id for odd; empty past the end.
    #[inline]
    fn field(&self, field: usize) -> &str {
        let Some(&start) = self.starts.get(field) else {
            return "";
        };
        let end = self.starts.get(field + 1).copied();
        let end = end.unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }

    /// The Leanplum id of pair `index` (empty past the end).
    #[inline]
    pub(crate) fn leanplum_id(&self, index: usize) -> &str {
        self.field(index.saturating_mul(2))
    }

    /// The distinct id of pair `index` (empty past the end).
    #[inline]
    pub(crate) fn distinct_id(&self, index: usize) -> &str {
        self.field(index.saturating_mul(2).saturating_add(1))
    }

    /// The pairs not marked in `dropped`, in order.
    pub(crate) fn without(&self, dropped: &[bool]) -> IdPairs {
        let mut kept = IdPairs::with_capacity(self.len(), self.text.len());
        for index in 0..self.len() {
            if !marked(dropped, index) {
                kept.push(self.leanplum_id(index), self.distinct_id(index));
            }
        }
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_read_back_as_pushed() {
        let mut pairs = IdPairs::default();
        pairs.push("lp1", "d1");
        pairs.push("", "d2");
        pairs.push("lp3", "");
        assert_eq!(pairs.len(), 3);
        let read: Vec<(&str, &str)> = (0..4)
            .map(|i| (pairs.leanplum_id(i), pairs.distinct_id(i)))
            .collect();
        assert_eq!(read, [("lp1", "d1"), ("", "d2"), ("lp3", ""), ("", "")]);
    }

    #[test]
    fn a_failed_escaped_push_adds_nothing() {
        let mut pairs = IdPairs::default();
        assert_eq!(pairs.push_escaped(b"a\\tb", b"d", false), Ok("a\tb"));
        assert!(pairs.push_escaped(b"ok", b"bad\\x", false).is_err());
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs.text_len(), 4);
        assert_eq!(pairs.distinct_id(0), "d");
    }

    #[test]
    fn without_keeps_unmarked_pairs_in_order() {
        let mut pairs = IdPairs::default();
        for i in 0..4 {
            pairs.push(&format!("l{i}"), &format!("d{i}"));
        }
        let kept = pairs.without(&[false, true, false, true]);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept.leanplum_id(1), "l2");
        assert_eq!(kept.distinct_id(0), "d0");
    }
}

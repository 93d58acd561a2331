//! The line format in which cohort members and sync snapshots travel
//! from the proxy to the browser, and the streaming decoders that read
//! it from byte chunks of any size.
//!
//! # Format
//!
//! Text is UTF-8. Every record is one line ending in `\n` (LF); the last
//! line may omit it. Empty lines are ignored. Fields are separated by one
//! tab. Lines longer than [`MAX_LINE_BYTES`] are rejected.
//!
//! A **member line** is `<kind>\t<distinct_id>` or
//! `<kind>\t<distinct_id>\t<value>`, where `<kind>` is one letter:
//!
//! | kind | meaning | value |
//! |------|---------|-------|
//! | `A` | anonymous: no profile, or a profile without properties | none |
//! | `P` | identified, no `$leanplum_user_id` property | none |
//! | `S` | identified, `$leanplum_user_id` is a JSON string | the string |
//! | `V` | identified, `$leanplum_user_id` is not a string | its compact JSON |
//!
//! A **snapshot line** is `<leanplum_id>\t<distinct_id>`: a Leanplum user
//! id the last sync set the attribute on, and the distinct id it came
//! from.
//!
//! Inside fields, four characters are escaped so that any string
//! round-trips: backslash as `\\`, tab as `\t`, LF as `\n` and CR as
//! `\r`. A backslash followed by anything else, a raw CR, or bytes that
//! are not UTF-8 make the line malformed.

use crate::fast_hash::word;
use crate::identity::{IdentityResolver, Property};
use crate::plan::SnapshotBuilder;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// Lines longer than this many bytes are rejected as malformed.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The `$leanplum_user_id` profile property as a member carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeanplumIdProperty {
    /// The profile has no `$leanplum_user_id`.
    Absent,
    /// `$leanplum_user_id` is a JSON string: its exact value.
    Text(String),
    /// `$leanplum_user_id` is some other JSON value: its compact JSON.
    NotText(String),
}

/// What is known about a member's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Profile {
    /// No profile, or a profile with no properties.
    Anonymous,
    /// A profile with properties.
    Identified(LeanplumIdProperty),
}

impl Profile {
    /// The kind letter a member line gives this profile (`A`, `P`, `S`
    /// or `V`) and the `$leanplum_user_id` value the line carries.
    pub fn line_kind(&self) -> (&'static str, Option<&str>) {
        match self {
            Profile::Anonymous => ("A", None),
            Profile::Identified(LeanplumIdProperty::Absent) => ("P", None),
            Profile::Identified(LeanplumIdProperty::Text(v)) => ("S", Some(v)),
            Profile::Identified(LeanplumIdProperty::NotText(v)) => {
                ("V", Some(v))
            }
        }
    }

    /// The profile a kind letter and value stand for, as
    /// [`Profile::line_kind`] gives them; anything else is anonymous.
    pub fn from_line_kind(kind: Option<&str>, value: Option<String>) -> Self {
        match (kind, value) {
            (Some("P"), _) => Profile::Identified(LeanplumIdProperty::Absent),
            (Some("S"), Some(v)) => {
                Profile::Identified(LeanplumIdProperty::Text(v))
            }
            (Some("V"), Some(v)) => {
                Profile::Identified(LeanplumIdProperty::NotText(v))
            }
            _ => Profile::Anonymous,
        }
    }
}

/// One member of a cohort.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The analytics distinct id.
    pub distinct_id: String,
    /// The member's profile, reduced to what identity matching needs.
    pub profile: Profile,
}

/// The profile property that names a member's Leanplum user id.
pub const LEANPLUM_USER_ID: &str = "$leanplum_user_id";

impl Member {
    /// A member from its profile properties (`None` when it has no
    /// profile); no or empty properties make it anonymous.
    pub fn from_profile(
        distinct_id: impl Into<String>,
        properties: Option<&Map<String, Value>>,
    ) -> Member {
        let profile = match properties {
            None => Profile::Anonymous,
            Some(map) if map.is_empty() => Profile::Anonymous,
            Some(map) => Profile::Identified(match map.get(LEANPLUM_USER_ID) {
                None => LeanplumIdProperty::Absent,
                Some(Value::String(text)) => {
                    LeanplumIdProperty::Text(text.clone())
                }
                Some(other) => LeanplumIdProperty::NotText(other.to_string()),
            }),
        };
        Member {
            distinct_id: distinct_id.into(),
            profile,
        }
    }
}

/// A Leanplum user id the last sync set, with the distinct id behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotEntry {
    /// The Leanplum user id the attribute is set on.
    pub leanplum_id: String,
    /// The distinct id that resolved to it.
    pub distinct_id: String,
}

/// Appends one escaped field.
fn write_field(field: &str, out: &mut String) {
    let special = |b: &u8| matches!(b, b'\\' | b'\t' | b'\n' | b'\r');
    if !field.as_bytes().iter().any(special) {
        out.push_str(field);
        return;
    }
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

/// Appends `member` as one member line, including its `\n`.
pub fn write_member_line(member: &Member, out: &mut String) {
    let (kind, value) = member.profile.line_kind();
    out.push_str(kind);
    out.push('\t');
    write_field(&member.distinct_id, out);
    if let Some(value) = value {
        out.push('\t');
        write_field(value, out);
    }
    out.push('\n');
}

/// Same as [`write_member_line`].
pub fn write_member(member: &Member, out: &mut String) {
    write_member_line(member, out);
}

/// Appends `entry` as one snapshot line, including its `\n`.
pub fn write_snapshot_line(entry: &SnapshotEntry, out: &mut String) {
    write_field(&entry.leanplum_id, out);
    out.push('\t');
    write_field(&entry.distinct_id, out);
    out.push('\n');
}

/// Encodes members as member lines.
pub fn encode_members<'a>(
    members: impl IntoIterator<Item = &'a Member>,
) -> String {
    let mut out = String::new();
    for member in members {
        write_member_line(member, &mut out);
    }
    out
}

/// Encodes snapshot entries as snapshot lines.
pub fn encode_snapshot<'a>(
    entries: impl IntoIterator<Item = &'a SnapshotEntry>,
) -> String {
    let mut out = String::new();
    for entry in entries {
        write_snapshot_line(entry, &mut out);
    }
    out
}

/// A malformed line, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeError {
    /// 1-based number of the offending line.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for DecodeError {}

const CR_MESSAGE: &str = "raw carriage return: lines must end in \\n alone \
                          and a CR inside a field is written \\r";
const UTF8_MESSAGE: &str = "a field is not valid UTF-8";

/// Checks a field's escapes and carriage returns, in the order they
/// appear, so that errors name the first problem.
fn check_escapes(raw: &[u8]) -> Result<(), String> {
    let mut iter = raw.iter();
    while let Some(&b) = iter.next() {
        match b {
            b'\\' => match iter.next() {
                Some(b'\\' | b't' | b'n' | b'r') => {}
                Some(_) => {
                    return Err("unknown escape: a backslash must be \
                                followed by \\, t, n or r"
                        .to_owned())
                }
                None => {
                    return Err("a field ends with a lone backslash".to_owned())
                }
            },
            b'\r' => return Err(CR_MESSAGE.to_owned()),
            _ => {}
        }
    }
    Ok(())
}

/// `raw` as UTF-8 text.
#[inline]
fn utf8(raw: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(raw).map_err(|_| UTF8_MESSAGE.to_owned())
}

/// True when a field holds a backslash or CR and needs the slow path.
#[inline]
fn needs_unescaping(raw: &[u8]) -> bool {
    raw.iter().any(|&b| b == b'\\' || b == b'\r')
}

/// Appends one field to `out`, unescaping it unless its line is `plain`
/// (free of backslashes and CRs); on error `out` may hold part of it.
#[inline]
pub(crate) fn push_field(
    raw: &[u8],
    plain: bool,
    out: &mut String,
) -> Result<(), String> {
    if plain {
        out.push_str(utf8(raw)?);
        return Ok(());
    }
    unescape_into(raw, out)
}

/// Appends one field, unescaped, to `out`; on error `out` may hold part
/// of it.
fn unescape_into(raw: &[u8], out: &mut String) -> Result<(), String> {
    if !needs_unescaping(raw) {
        out.push_str(utf8(raw)?);
        return Ok(());
    }
    check_escapes(raw)?;
    // Escapes are ASCII, so they never split a UTF-8 sequence and the
    // text between them can be checked piece by piece.
    let mut rest = raw;
    while let Some(at) = rest.iter().position(|&b| b == b'\\') {
        out.push_str(utf8(rest.get(..at).unwrap_or(&[]))?);
        out.push(match rest.get(at + 1) {
            Some(b't') => '\t',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            _ => '\\',
        });
        rest = rest.get(at + 2..).unwrap_or(&[]);
    }
    out.push_str(utf8(rest)?);
    Ok(())
}

/// Decodes one field, borrowing it when it holds no escape; `plain` says
/// its whole line holds no backslash or CR.
#[inline]
fn field_text(raw: &[u8], plain: bool) -> Result<Cow<'_, str>, String> {
    if plain || !needs_unescaping(raw) {
        return utf8(raw).map(Cow::Borrowed);
    }
    let mut text = String::with_capacity(raw.len());
    unescape_into(raw, &mut text)?;
    Ok(Cow::Owned(text))
}

/// Decodes one field, unescaping it.
fn decode_field(raw: &[u8], plain: bool) -> Result<String, String> {
    field_text(raw, plain).map(Cow::into_owned)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of every byte of `word` that is zero, and no other bit
/// (exact: a match never marks its neighbours).
#[inline]
fn zero_bytes(word: u64) -> u64 {
    !(((word & LOW7).wrapping_add(LOW7)) | word | LOW7)
}

/// A line cut at its tabs into at most `N` still-escaped fields.
struct Split<'a, const N: usize> {
    fields: [&'a [u8]; N],
    /// Fields found, or `N + 1` when there are more.
    count: usize,
    /// Where the field being read starts.
    start: usize,
    /// True when the line holds no backslash and no CR, so no field
    /// needs unescaping.
    plain: bool,
}

impl<'a, const N: usize> Split<'a, N> {
    /// Ends the field being read at `end` (a tab, or the line's end);
    /// false once the line has more than `N` fields.
    #[inline]
    fn cut(&mut self, line: &'a [u8], end: usize) -> bool {
        match self.fields.get_mut(self.count) {
            Some(field) => *field = line.get(self.start..end).unwrap_or(&[]),
            None => {
                self.count = N + 1;
                return false;
            }
        }
        self.count += 1;
        self.start = end + 1;
        true
    }
}

/// Splits a line into at most `N` tab-separated raw fields, reading
/// eight bytes at a time and noting on the way whether any field needs
/// unescaping.
#[inline]
fn split_fields<const N: usize>(line: &[u8]) -> Split<'_, N> {
    const TABS: u64 = ONES * b'\t' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    const CRS: u64 = ONES * b'\r' as u64;
    let mut split = Split {
        fields: [&[]; N],
        count: 0,
        start: 0,
        plain: true,
    };
    let mut special = 0;
    let mut words = line.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut words {
        let word = word(chunk);
        special |= zero_bytes(word ^ BACKSLASHES) | zero_bytes(word ^ CRS);
        let mut tabs = zero_bytes(word ^ TABS);
        while tabs != 0 {
            let at = base + (tabs.trailing_zeros() / 8) as usize;
            if !split.cut(line, at) {
                return split;
            }
            tabs &= tabs - 1;
        }
        base += 8;
    }
    for (offset, &byte) in words.remainder().iter().enumerate() {
        match byte {
            b'\t' if !split.cut(line, base + offset) => return split,
            b'\\' | b'\r' => special = 1,
            _ => {}
        }
    }
    split.cut(line, line.len());
    split.plain = special == 0;
    split
}

/// A member line split into its still-escaped fields.
struct RawMember<'a> {
    kind: u8,
    distinct_id: &'a [u8],
    value: &'a [u8],
    /// No field needs unescaping.
    plain: bool,
}

/// Splits a member line and checks its kind and field count.
#[inline]
fn split_member(line: &[u8]) -> Result<RawMember<'_>, String> {
    let Split {
        fields: [kind, distinct_id, value],
        count,
        plain,
        ..
    } = split_fields::<3>(line);
    let (letter, want) = match kind {
        b"A" => ('A', 2),
        b"P" => ('P', 2),
        b"S" => ('S', 3),
        b"V" => ('V', 3),
        _ => {
            return Err("a member line must start with A, P, S or V and a \
                        tab"
            .to_owned())
        }
    };
    if count != want {
        let found = if count > 3 {
            "more".to_owned()
        } else {
            count.to_string()
        };
        return Err(format!(
            "a member line of kind {letter} needs {want} tab-separated \
             fields, found {found}"
        ));
    }
    Ok(RawMember {
        kind: letter as u8,
        distinct_id,
        value,
        plain,
    })
}

fn decode_member(line: &[u8]) -> Result<Member, String> {
    let raw = split_member(line)?;
    let distinct_id = decode_field(raw.distinct_id, raw.plain)?;
    let profile = match raw.kind {
        b'A' => Profile::Anonymous,
        b'P' => Profile::Identified(LeanplumIdProperty::Absent),
        b'S' => Profile::Identified(LeanplumIdProperty::Text(decode_field(
            raw.value, raw.plain,
        )?)),
        _ => Profile::Identified(LeanplumIdProperty::NotText(decode_field(
            raw.value, raw.plain,
        )?)),
    };
    Ok(Member {
        distinct_id,
        profile,
    })
}

/// Decodes a member line straight into `resolver`, allocating only the
/// ids it keeps.
#[inline]
fn resolve_member(
    line: &[u8],
    resolver: &mut IdentityResolver,
) -> Result<(), String> {
    let raw = split_member(line)?;
    let distinct_id = field_text(raw.distinct_id, raw.plain)?;
    let property = match raw.kind {
        b'A' => None,
        b'P' => Some(Property::Absent),
        b'S' => Some(Property::Text(field_text(raw.value, raw.plain)?)),
        _ => Some(Property::NotText(field_text(raw.value, raw.plain)?)),
    };
    resolver.push_parts(distinct_id, property);
    Ok(())
}

const SNAPSHOT_FIELDS_MESSAGE: &str = "a snapshot line needs exactly two \
                                       tab-separated fields: Leanplum id \
                                       and distinct id";

fn decode_snapshot_entry(line: &[u8]) -> Result<SnapshotEntry, String> {
    let split = split_fields::<2>(line);
    if split.count != 2 {
        return Err(SNAPSHOT_FIELDS_MESSAGE.to_owned());
    }
    let [leanplum_id, distinct_id] = split.fields;
    Ok(SnapshotEntry {
        leanplum_id: decode_field(leanplum_id, split.plain)?,
        distinct_id: decode_field(distinct_id, split.plain)?,
    })
}

/// Decodes a snapshot line straight into `builder`.
#[inline]
fn build_snapshot_entry(
    line: &[u8],
    builder: &mut SnapshotBuilder,
) -> Result<(), String> {
    let split = split_fields::<2>(line);
    if split.count != 2 {
        return Err(SNAPSHOT_FIELDS_MESSAGE.to_owned());
    }
    let [leanplum_id, distinct_id] = split.fields;
    builder.push_escaped(leanplum_id, distinct_id, split.plain)
}

/// Position of the first `\n` in `bytes`, scanning 8 bytes at a time.
#[inline]
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut words {
        let newlines = zero_bytes(word(chunk) ^ NEWLINES);
        if newlines != 0 {
            return Some(offset + (newlines.trailing_zeros() / 8) as usize);
        }
        offset += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|at| offset + at)
}

/// Splits byte chunks into lines and hands each non-empty one to a
/// handler that decodes it.
#[derive(Debug, Clone, Default)]
struct LineSplitter {
    pending: Vec<u8>,
    line: u64,
    failed: Option<DecodeError>,
}

impl LineSplitter {
    fn fail(&mut self, message: String) -> DecodeError {
        let error = DecodeError {
            line: self.line,
            message,
        };
        self.failed = Some(error.clone());
        error
    }

    #[inline]
    fn one_line(
        &mut self,
        line: &[u8],
        handle: &mut impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), DecodeError> {
        self.line += 1;
        if line.is_empty() {
            return Ok(());
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(self
                .fail(format!("line is longer than {MAX_LINE_BYTES} bytes")));
        }
        handle(line).map_err(|message| self.fail(message))
    }

    fn push(
        &mut self,
        mut chunk: &[u8],
        mut handle: impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), DecodeError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        if !self.pending.is_empty() {
            let Some(end) = find_newline(chunk) else {
                self.pending.extend_from_slice(chunk);
                if self.pending.len() > MAX_LINE_BYTES {
                    self.line += 1;
                    return Err(self.fail(format!(
                        "line is longer than {MAX_LINE_BYTES} bytes"
                    )));
                }
                return Ok(());
            };
            let mut line = std::mem::take(&mut self.pending);
            line.extend_from_slice(chunk.get(..end).unwrap_or(&[]));
            let result = self.one_line(&line, &mut handle);
            line.clear();
            self.pending = line;
            result?;
            chunk = chunk.get(end + 1..).unwrap_or(&[]);
        }
        while let Some(end) = find_newline(chunk) {
            self.one_line(chunk.get(..end).unwrap_or(&[]), &mut handle)?;
            chunk = chunk.get(end + 1..).unwrap_or(&[]);
        }
        if chunk.len() > MAX_LINE_BYTES {
            self.line += 1;
            return Err(self
                .fail(format!("line is longer than {MAX_LINE_BYTES} bytes")));
        }
        self.pending.extend_from_slice(chunk);
        Ok(())
    }

    fn finish(
        mut self,
        mut handle: impl FnMut(&[u8]) -> Result<(), String>,
    ) -> Result<(), DecodeError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let last = std::mem::take(&mut self.pending);
        if last.is_empty() {
            return Ok(());
        }
        self.one_line(&last, &mut handle)
    }
}

/// Decodes member lines from byte chunks split anywhere, even inside a
/// UTF-8 character. After an error every later call returns it again.
#[derive(Debug, Clone, Default)]
pub struct MemberDecoder {
    lines: LineSplitter,
}

impl MemberDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes every complete line in `chunk`, passing members to `sink`.
    pub fn push(
        &mut self,
        chunk: &[u8],
        mut sink: impl FnMut(Member),
    ) -> Result<(), DecodeError> {
        self.lines
            .push(chunk, |line| decode_member(line).map(&mut sink))
    }

    /// Decodes the final line if it lacked its `\n`.
    pub fn finish(
        self,
        mut sink: impl FnMut(Member),
    ) -> Result<(), DecodeError> {
        self.lines.finish(|line| decode_member(line).map(&mut sink))
    }

    /// Same as [`MemberDecoder::push`] with `|m| resolver.push(m)`, but
    /// faster: ids are read straight from `chunk` and only those kept
    /// are allocated.
    pub fn push_into(
        &mut self,
        chunk: &[u8],
        resolver: &mut IdentityResolver,
    ) -> Result<(), DecodeError> {
        self.lines
            .push(chunk, |line| resolve_member(line, &mut *resolver))
    }

    /// Same as [`MemberDecoder::finish`] with `|m| resolver.push(m)`.
    pub fn finish_into(
        self,
        resolver: &mut IdentityResolver,
    ) -> Result<(), DecodeError> {
        self.lines
            .finish(|line| resolve_member(line, &mut *resolver))
    }

    /// Lines seen so far, including empty ones.
    pub fn lines(&self) -> u64 {
        self.lines.line
    }
}

/// Decodes snapshot lines from byte chunks split anywhere. After an
/// error every later call returns it again.
#[derive(Debug, Clone, Default)]
pub struct SnapshotDecoder {
    lines: LineSplitter,
}

impl SnapshotDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes every complete line in `chunk`, passing entries to `sink`.
    pub fn push(
        &mut self,
        chunk: &[u8],
        mut sink: impl FnMut(SnapshotEntry),
    ) -> Result<(), DecodeError> {
        self.lines
            .push(chunk, |line| decode_snapshot_entry(line).map(&mut sink))
    }

    /// Decodes the final line if it lacked its `\n`.
    pub fn finish(
        self,
        mut sink: impl FnMut(SnapshotEntry),
    ) -> Result<(), DecodeError> {
        self.lines
            .finish(|line| decode_snapshot_entry(line).map(&mut sink))
    }

    /// Same as [`SnapshotDecoder::push`] collecting entries for
    /// [`Snapshot::from_entries`](crate::plan::Snapshot::from_entries),
    /// but faster: ids are copied into `builder`'s one buffer, with no
    /// allocation per entry.
    pub fn push_into(
        &mut self,
        chunk: &[u8],
        builder: &mut SnapshotBuilder,
    ) -> Result<(), DecodeError> {
        self.lines
            .push(chunk, |line| build_snapshot_entry(line, &mut *builder))
    }

    /// Decodes the final line into `builder` if it lacked its `\n`.
    pub fn finish_into(
        self,
        builder: &mut SnapshotBuilder,
    ) -> Result<(), DecodeError> {
        self.lines
            .finish(|line| build_snapshot_entry(line, &mut *builder))
    }

    /// Lines seen so far, including empty ones.
    pub fn lines(&self) -> u64 {
        self.lines.line
    }
}

/// Decodes a whole member-line text at once.
pub fn decode_members(bytes: &[u8]) -> Result<Vec<Member>, DecodeError> {
    let mut members = Vec::new();
    let mut decoder = MemberDecoder::new();
    decoder.push(bytes, |member| members.push(member))?;
    decoder.finish(|member| members.push(member))?;
    Ok(members)
}

/// Decodes a whole snapshot-line text at once.
pub fn decode_snapshot(
    bytes: &[u8],
) -> Result<Vec<SnapshotEntry>, DecodeError> {
    let mut entries = Vec::new();
    let mut decoder = SnapshotDecoder::new();
    decoder.push(bytes, |entry| entries.push(entry))?;
    decoder.finish(|entry| entries.push(entry))?;
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of up to 20 bytes over the alphabet `a`, tab,
    /// backslash and CR, at every offset of a word, split as the plain
    /// byte-by-byte definition splits it.
    #[test]
    fn split_fields_matches_a_byte_by_byte_split() {
        let alphabet = [b'a', b'\t', b'\\', b'\r'];
        for len in 0..=20usize {
            for seed in 0..200u64 {
                let line: Vec<u8> = (0..len)
                    .map(|i| {
                        let mixed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
                            >> ((i * 5) % 60);
                        // Mostly letters, so lines have few fields.
                        let pick = (mixed % 7) as usize;
                        alphabet.get(pick).copied().unwrap_or(b'a')
                    })
                    .collect();
                let naive: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
                let plain = !line.iter().any(|&b| b == b'\\' || b == b'\r');
                let split = split_fields::<3>(&line);
                if naive.len() > 3 {
                    assert_eq!(split.count, 4, "{line:?}");
                    continue;
                }
                assert_eq!(split.count, naive.len(), "{line:?}");
                assert_eq!(&split.fields[..naive.len()], &naive[..]);
                assert_eq!(split.plain, plain, "{line:?}");
            }
        }
    }

    #[test]
    fn find_newline_finds_the_first_newline_at_any_offset() {
        for len in 0..=20usize {
            for first in 0..=len {
                // The rest is 0x0b (newline ^ 1), which an inexact
                // zero-byte test can mistake for a newline.
                let mut bytes = vec![0x0bu8; len];
                if let Some(byte) = bytes.get_mut(first) {
                    *byte = b'\n';
                }
                if let Some(byte) = bytes.get_mut(first + 2) {
                    *byte = b'\n';
                }
                let expected = bytes.iter().position(|&b| b == b'\n');
                assert_eq!(find_newline(&bytes), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn zero_bytes_marks_exactly_the_zero_bytes() {
        let word = u64::from_le_bytes([0, 1, 0x80, 0, 0xff, 0x01, 0, 0x7f]);
        assert_eq!(zero_bytes(word), 0x0080_0000_8000_0080);
    }
}

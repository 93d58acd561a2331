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

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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
    let (kind, value) = match &member.profile {
        Profile::Anonymous => ('A', None),
        Profile::Identified(LeanplumIdProperty::Absent) => ('P', None),
        Profile::Identified(LeanplumIdProperty::Text(v)) => ('S', Some(v)),
        Profile::Identified(LeanplumIdProperty::NotText(v)) => ('V', Some(v)),
    };
    out.push(kind);
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

/// Decodes one field, unescaping it.
fn decode_field(raw: &[u8]) -> Result<String, String> {
    let needs_work = raw.iter().any(|&b| b == b'\\' || b == b'\r');
    if !needs_work {
        return match std::str::from_utf8(raw) {
            Ok(text) => Ok(text.to_owned()),
            Err(_) => Err("a field is not valid UTF-8".to_owned()),
        };
    }
    let mut bytes = Vec::with_capacity(raw.len());
    let mut iter = raw.iter();
    while let Some(&b) = iter.next() {
        match b {
            b'\\' => bytes.push(match iter.next() {
                Some(b'\\') => b'\\',
                Some(b't') => b'\t',
                Some(b'n') => b'\n',
                Some(b'r') => b'\r',
                Some(_) => {
                    return Err("unknown escape: a backslash must be \
                                followed by \\, t, n or r"
                        .to_owned())
                }
                None => {
                    return Err("a field ends with a lone backslash".to_owned())
                }
            }),
            b'\r' => {
                return Err("raw carriage return: lines must end in \\n \
                            alone and a CR inside a field is written \\r"
                    .to_owned())
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| "a field is not valid UTF-8".into())
}

/// Splits a line into at most `N` tab-separated raw fields; returns the
/// field count, or `N + 1` if there are more.
#[inline]
fn split_fields<'a, const N: usize>(
    line: &'a [u8],
    fields: &mut [&'a [u8]; N],
) -> usize {
    let mut count = 0;
    let mut start = 0;
    for (at, &byte) in line.iter().enumerate() {
        if byte == b'\t' {
            match fields.get_mut(count) {
                Some(field) => *field = line.get(start..at).unwrap_or(&[]),
                None => return N + 1,
            }
            count += 1;
            start = at + 1;
        }
    }
    match fields.get_mut(count) {
        Some(field) => *field = line.get(start..).unwrap_or(&[]),
        None => return N + 1,
    }
    count + 1
}

fn decode_member(line: &[u8]) -> Result<Member, String> {
    let mut fields: [&[u8]; 3] = [&[]; 3];
    let count = split_fields(line, &mut fields);
    let kind = fields[0];
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
    let distinct_id = decode_field(fields[1])?;
    let profile = match kind {
        b"A" => Profile::Anonymous,
        b"P" => Profile::Identified(LeanplumIdProperty::Absent),
        b"S" => Profile::Identified(LeanplumIdProperty::Text(decode_field(
            fields[2],
        )?)),
        _ => Profile::Identified(LeanplumIdProperty::NotText(decode_field(
            fields[2],
        )?)),
    };
    Ok(Member {
        distinct_id,
        profile,
    })
}

fn decode_snapshot_entry(line: &[u8]) -> Result<SnapshotEntry, String> {
    let mut fields: [&[u8]; 2] = [&[]; 2];
    if split_fields(line, &mut fields) != 2 {
        return Err("a snapshot line needs exactly two tab-separated \
                    fields: Leanplum id and distinct id"
            .to_owned());
    }
    Ok(SnapshotEntry {
        leanplum_id: decode_field(fields[0])?,
        distinct_id: decode_field(fields[1])?,
    })
}

/// Position of the first `\n` in `bytes`, scanning 8 bytes at a time.
#[inline]
fn find_newline(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut words = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        if x.wrapping_sub(ONES) & !x & HIGHS != 0 {
            break;
        }
        offset += 8;
    }
    bytes
        .get(offset..)?
        .iter()
        .position(|&b| b == b'\n')
        .map(|at| offset + at)
}

/// Splits byte chunks into lines and decodes each with `decode`.
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

    fn one_line<T>(
        &mut self,
        line: &[u8],
        decode: fn(&[u8]) -> Result<T, String>,
        sink: &mut impl FnMut(T),
    ) -> Result<(), DecodeError> {
        self.line += 1;
        if line.is_empty() {
            return Ok(());
        }
        if line.len() > MAX_LINE_BYTES {
            return Err(self
                .fail(format!("line is longer than {MAX_LINE_BYTES} bytes")));
        }
        match decode(line) {
            Ok(item) => {
                sink(item);
                Ok(())
            }
            Err(message) => Err(self.fail(message)),
        }
    }

    fn push<T>(
        &mut self,
        mut chunk: &[u8],
        decode: fn(&[u8]) -> Result<T, String>,
        mut sink: impl FnMut(T),
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
            line.extend_from_slice(&chunk[..end]);
            let result = self.one_line(&line, decode, &mut sink);
            line.clear();
            self.pending = line;
            result?;
            chunk = &chunk[end + 1..];
        }
        while let Some(end) = find_newline(chunk) {
            self.one_line(&chunk[..end], decode, &mut sink)?;
            chunk = &chunk[end + 1..];
        }
        if chunk.len() > MAX_LINE_BYTES {
            self.line += 1;
            return Err(self
                .fail(format!("line is longer than {MAX_LINE_BYTES} bytes")));
        }
        self.pending.extend_from_slice(chunk);
        Ok(())
    }

    fn finish<T>(
        mut self,
        decode: fn(&[u8]) -> Result<T, String>,
        mut sink: impl FnMut(T),
    ) -> Result<(), DecodeError> {
        if let Some(error) = self.failed.take() {
            return Err(error);
        }
        let last = std::mem::take(&mut self.pending);
        if last.is_empty() {
            return Ok(());
        }
        self.one_line(&last, decode, &mut sink)
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
        sink: impl FnMut(Member),
    ) -> Result<(), DecodeError> {
        self.lines.push(chunk, decode_member, sink)
    }

    /// Decodes the final line if it lacked its `\n`.
    pub fn finish(self, sink: impl FnMut(Member)) -> Result<(), DecodeError> {
        self.lines.finish(decode_member, sink)
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
        sink: impl FnMut(SnapshotEntry),
    ) -> Result<(), DecodeError> {
        self.lines.push(chunk, decode_snapshot_entry, sink)
    }

    /// Decodes the final line if it lacked its `\n`.
    pub fn finish(
        self,
        sink: impl FnMut(SnapshotEntry),
    ) -> Result<(), DecodeError> {
        self.lines.finish(decode_snapshot_entry, sink)
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

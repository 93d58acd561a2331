//! Decides which Leanplum user id each cohort member is exported under,
//! which members are left out and why, and how Leanplum's user ids map
//! back to people.
//!
//! # Rules, applied to each member in input order
//!
//! 1. Anonymous members are not exported.
//! 2. A `$leanplum_user_id` string with non-blank content is the Leanplum
//!    id exactly as given ([`IdSource::LeanplumUserId`]).
//! 3. A `$leanplum_user_id` that is not a string, or is blank, falls back
//!    to the distinct id ([`IdSource::Fallback`], flagged
//!    [`Flag::Fallback`]). Without the property the distinct id is used
//!    ([`IdSource::DistinctId`], not flagged).
//! 4. A resulting id that is empty, longer than [`MAX_LEANPLUM_ID_CHARS`]
//!    characters or holds a control character is not exported
//!    ([`Flag::Invalid`]).
//! 5. When several members resolve to the same Leanplum id, the first one
//!    is exported and the rest are dropped ([`Flag::Conflict`]).
//!
//! # Summary arithmetic
//!
//! Each identified member lands in exactly one of `by_leanplum_user_id`,
//! `by_distinct_id`, `fallbacks` or `invalid`, counted before duplicates
//! are dropped; `conflicts` counts the members dropped as duplicates. So:
//!
//! * `members = anonymous + identified`
//! * `identified = by_leanplum_user_id + by_distinct_id + fallbacks +
//!   invalid`
//! * `exported = by_leanplum_user_id + by_distinct_id + fallbacks -
//!   conflicts = resolved.len()`

use crate::fast_hash::{
    id_key, marked, repeats, sorted_keys, FastMap, SortedIds,
};
use crate::id_pairs::IdPairs;
use crate::members::{LeanplumIdProperty, Member, Profile, LEANPLUM_USER_ID};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A member's `$leanplum_user_id`, borrowed from the line it was read
/// from when it needed no unescaping.
pub(crate) enum Property<'a> {
    /// The profile has no `$leanplum_user_id`.
    Absent,
    /// `$leanplum_user_id` is a JSON string: its exact value.
    Text(Cow<'a, str>),
    /// `$leanplum_user_id` is some other JSON value: its compact JSON.
    NotText(Cow<'a, str>),
}

/// Longest Leanplum user id accepted, in characters.
pub const MAX_LEANPLUM_ID_CHARS: usize = 400;

/// Where a resolved Leanplum id came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdSource {
    /// The profile's `$leanplum_user_id` string.
    LeanplumUserId,
    /// The distinct id, because the profile has no `$leanplum_user_id`.
    DistinctId,
    /// The distinct id, because `$leanplum_user_id` was unusable.
    Fallback,
}

/// A member that will be exported, reduced to its two ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedMember {
    /// The analytics distinct id.
    pub distinct_id: String,
    /// The Leanplum user id the attribute is set on.
    pub leanplum_id: String,
    /// Where `leanplum_id` came from.
    pub source: IdSource,
}

/// Why a member is called out to the admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Exported under its distinct id because `$leanplum_user_id` was
    /// unusable.
    Fallback,
    /// Not exported because its Leanplum id is not acceptable.
    Invalid,
    /// Several members share one Leanplum id; only the first is exported.
    Conflict,
}

/// A member called out to the admin, with the reason in words.
///
/// Fallback and Invalid rows are one per member. Conflict rows are one
/// per shared Leanplum id: `distinct_id` is the member that is exported
/// and `reason` names every distinct id involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlaggedMember {
    /// The member's distinct id.
    pub distinct_id: String,
    /// The Leanplum id concerned, when there is one.
    pub leanplum_id: Option<String>,
    /// The kind of problem.
    pub flag: Flag,
    /// What happened and why, as a sentence.
    pub reason: String,
}

/// Member counts by outcome; see the module docs for how they add up.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct IdentitySummary {
    /// Every member seen.
    pub members: u64,
    /// Members with a profile that has properties.
    pub identified: u64,
    /// Members without a profile, or with an empty one.
    pub anonymous: u64,
    /// Identified members resolved by their `$leanplum_user_id` string.
    pub by_leanplum_user_id: u64,
    /// Identified members without `$leanplum_user_id`, resolved by their
    /// distinct id.
    pub by_distinct_id: u64,
    /// Identified members whose unusable `$leanplum_user_id` fell back to
    /// the distinct id.
    pub fallbacks: u64,
    /// Identified members whose Leanplum id is not acceptable.
    pub invalid: u64,
    /// Members dropped because an earlier member has the same Leanplum id.
    pub conflicts: u64,
    /// Members exported: the length of [`IdentityMatch::resolved`].
    pub exported: u64,
}

/// The result of identity matching over a whole cohort.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMatch {
    /// Members to export, in input order, each Leanplum id once.
    pub resolved: Vec<ResolvedMember>,
    /// Counts by outcome.
    pub summary: IdentitySummary,
    /// Members called out: Fallback and Invalid in input order, then
    /// Conflict in the order of the exported member.
    pub flagged: Vec<FlaggedMember>,
}

/// Resolves members one at a time, as they stream in; repeated Leanplum
/// ids are found in [`IdentityResolver::finish`].
#[derive(Debug, Clone, Default)]
pub struct IdentityResolver {
    /// Every member with a valid id, repeats included, in input order:
    /// the ids in one text buffer.
    candidates: IdPairs,
    /// Where each candidate's Leanplum id came from.
    sources: Vec<IdSource>,
    /// The sort key of each candidate's Leanplum id.
    keys: Vec<u32>,
    summary: IdentitySummary,
    flagged: Vec<FlaggedMember>,
}

/// Every member with a valid id, and which of them are dropped as
/// repeats of an earlier member's Leanplum id.
pub(crate) struct Candidates {
    /// The candidates' ids, in input order.
    pub(crate) pairs: IdPairs,
    /// Where each candidate's Leanplum id came from.
    pub(crate) sources: Vec<IdSource>,
    /// True for each candidate dropped as a repeat; empty when none is.
    pub(crate) dropped: Vec<bool>,
    pub(crate) summary: IdentitySummary,
    pub(crate) flagged: Vec<FlaggedMember>,
}

/// Why a `$leanplum_user_id` cannot be used, from its JSON text.
fn unusable_reason(json: &str) -> String {
    let kind = match json.trim_start().as_bytes().first() {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'[') => "a list",
        Some(b'{') => "an object",
        Some(b'"') => "a quoted string",
        Some(b'-' | b'0'..=b'9') => "a number",
        _ => "not a string",
    };
    format!(
        "{LEANPLUM_USER_ID} is {kind} ({}), not a string, so the distinct \
         id is used.",
        clip(json, 60)
    )
}

/// `text` cut to at most `max` characters, marking the cut with `…`.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// Why `id` is not an acceptable Leanplum id, if it is not.
fn invalid_reason(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("The Leanplum id is empty.".to_owned());
    }
    let plain = |b: &u8| b.is_ascii() && !b.is_ascii_control();
    if id.len() <= MAX_LEANPLUM_ID_CHARS && id.as_bytes().iter().all(plain) {
        return None;
    }
    let chars = id.chars().count();
    if chars > MAX_LEANPLUM_ID_CHARS {
        return Some(format!(
            "The Leanplum id is {chars} characters long; Leanplum accepts \
             at most {MAX_LEANPLUM_ID_CHARS}."
        ));
    }
    if id.chars().any(char::is_control) {
        return Some(
            "The Leanplum id contains a control character (such as a tab \
             or line break), which Leanplum does not accept."
                .to_owned(),
        );
    }
    None
}

impl IdentityResolver {
    /// A resolver with nothing pushed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A resolver with room for about `members` members.
    pub fn with_capacity(members: usize) -> Self {
        Self {
            candidates: IdPairs::with_capacity(members, 0),
            sources: Vec::with_capacity(members),
            keys: Vec::with_capacity(members),
            ..Self::default()
        }
    }

    /// Applies the rules to one member.
    pub fn push(&mut self, member: Member) {
        let Member {
            distinct_id,
            profile,
        } = member;
        let property = match profile {
            Profile::Anonymous => None,
            Profile::Identified(LeanplumIdProperty::Absent) => {
                Some(Property::Absent)
            }
            Profile::Identified(LeanplumIdProperty::Text(text)) => {
                Some(Property::Text(Cow::Owned(text)))
            }
            Profile::Identified(LeanplumIdProperty::NotText(json)) => {
                Some(Property::NotText(Cow::Owned(json)))
            }
        };
        self.push_parts(Cow::Owned(distinct_id), property);
    }

    /// Applies the rules to one member given as its distinct id and
    /// `$leanplum_user_id` (`None` for an anonymous member), copying
    /// borrowed ids only when they are kept.
    pub(crate) fn push_parts(
        &mut self,
        distinct_id: Cow<'_, str>,
        property: Option<Property<'_>>,
    ) {
        self.summary.members += 1;
        let Some(property) = property else {
            self.summary.anonymous += 1;
            return;
        };
        self.summary.identified += 1;
        // `None` stands for the distinct id itself.
        let (leanplum_id, source, fallback_reason) = match property {
            Property::Text(text) if !text.trim().is_empty() => {
                (Some(text), IdSource::LeanplumUserId, None)
            }
            Property::Text(_) => (
                None,
                IdSource::Fallback,
                Some(format!(
                    "{LEANPLUM_USER_ID} is blank, so the distinct id is used."
                )),
            ),
            Property::NotText(json) => {
                (None, IdSource::Fallback, Some(unusable_reason(&json)))
            }
            Property::Absent => (None, IdSource::DistinctId, None),
        };
        let id: &str = leanplum_id.as_deref().unwrap_or(&distinct_id);
        if let Some(problem) = invalid_reason(id) {
            self.summary.invalid += 1;
            let reason = match (source, fallback_reason) {
                (IdSource::Fallback, Some(why)) => {
                    format!("{why} {problem} Not exported.")
                }
                (IdSource::DistinctId, _) => format!(
                    "{problem} It is the distinct id, used because the \
                     profile has no {LEANPLUM_USER_ID}. Not exported."
                ),
                _ => format!("{problem} Not exported."),
            };
            let leanplum_id = id.to_owned();
            self.flagged.push(FlaggedMember {
                distinct_id: distinct_id.into_owned(),
                leanplum_id: Some(leanplum_id),
                flag: Flag::Invalid,
                reason,
            });
            return;
        }
        match source {
            IdSource::LeanplumUserId => self.summary.by_leanplum_user_id += 1,
            IdSource::DistinctId => self.summary.by_distinct_id += 1,
            IdSource::Fallback => self.summary.fallbacks += 1,
        }
        if let Some(reason) = fallback_reason {
            self.flagged.push(FlaggedMember {
                distinct_id: distinct_id.to_string(),
                leanplum_id: Some(id.to_owned()),
                flag: Flag::Fallback,
                reason,
            });
        }
        self.keys.push(id_key(id));
        self.sources.push(source);
        self.candidates.push(id, &distinct_id);
    }

    /// Members pushed so far.
    pub fn members(&self) -> u64 {
        self.summary.members
    }

    /// Completes matching: keeps the first member for each Leanplum id
    /// and flags each shared id once.
    pub fn finish(self) -> IdentityMatch {
        let (matched, _) = self.finish_sorted();
        let Candidates {
            pairs,
            sources,
            dropped,
            summary,
            flagged,
        } = matched;
        let resolved = sources
            .iter()
            .enumerate()
            .filter(|&(pos, _)| !marked(&dropped, pos))
            .map(|(pos, &source)| ResolvedMember {
                distinct_id: pairs.distinct_id(pos).to_owned(),
                leanplum_id: pairs.leanplum_id(pos).to_owned(),
                source,
            })
            .collect();
        IdentityMatch {
            resolved,
            summary,
            flagged,
        }
    }

    /// Finds the members that repeat an earlier member's Leanplum id,
    /// flags each shared id once, and returns the candidates with the
    /// kept ones' Leanplum id keys in order (positions in the candidates).
    pub(crate) fn finish_sorted(self) -> (Candidates, SortedIds) {
        let IdentityResolver {
            candidates: pairs,
            sources,
            keys,
            mut summary,
            mut flagged,
        } = self;
        let mut sorted = sorted_keys(keys);
        let same = |a: usize, b: usize| {
            a < pairs.len()
                && b < pairs.len()
                && pairs.leanplum_id(a) == pairs.leanplum_id(b)
        };
        let mut repeated = repeats(&sorted, same);
        summary.conflicts = repeated.len() as u64;
        summary.exported = (pairs.len() - repeated.len()) as u64;
        let mut dropped = Vec::new();
        if !repeated.is_empty() {
            repeated.sort_unstable();
            dropped = vec![false; pairs.len()];
            for group in repeated.chunk_by(|a, b| a.0 == b.0) {
                let Some(&(winner, _)) = group.first() else {
                    continue;
                };
                let winner_id = pairs.distinct_id(winner);
                let leanplum_id = pairs.leanplum_id(winner);
                let mut names = format!("\"{winner_id}\"");
                for &(_, pos) in group {
                    if let Some(flag) = dropped.get_mut(pos) {
                        *flag = true;
                        names.push_str(", \"");
                        names.push_str(pairs.distinct_id(pos));
                        names.push('"');
                    }
                }
                flagged.push(FlaggedMember {
                    distinct_id: winner_id.to_owned(),
                    leanplum_id: Some(leanplum_id.to_owned()),
                    flag: Flag::Conflict,
                    reason: format!(
                        "{} members resolve to the Leanplum id \"{leanplum_id}\": \
                         {names}. It is sent once, for \"{winner_id}\" (first in \
                         the cohort); the others are not exported.",
                        group.len() + 1,
                    ),
                });
            }
            sorted.retain(|&(_, pos)| !marked(&dropped, pos as usize));
        }
        let candidates = Candidates {
            pairs,
            sources,
            dropped,
            summary,
            flagged,
        };
        (candidates, sorted)
    }
}

/// Resolves a whole cohort at once.
pub fn resolve(members: impl IntoIterator<Item = Member>) -> IdentityMatch {
    let members = members.into_iter();
    let mut resolver = IdentityResolver::with_capacity(members.size_hint().0);
    for member in members {
        resolver.push(member);
    }
    resolver.finish()
}

/// Maps Leanplum user ids back to the distinct ids of the people behind
/// them.
///
/// Setting `$leanplum_user_id` on a profile aliases that value to the
/// profile's distinct id, so events Leanplum sends back under its own user
/// id count for the right person. A later record for the same Leanplum id
/// replaces the earlier one.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    people: FastMap<String, String>,
}

impl Aliases {
    /// No aliases.
    pub fn new() -> Self {
        Self::default()
    }

    /// Aliases from every member resolved by its `$leanplum_user_id`.
    pub fn from_resolved<'a>(
        resolved: impl IntoIterator<Item = &'a ResolvedMember>,
    ) -> Self {
        let mut aliases = Self::new();
        for member in resolved {
            if member.source == IdSource::LeanplumUserId {
                aliases.record(&member.leanplum_id, &member.distinct_id);
            }
        }
        aliases
    }

    /// Records that `leanplum_id` stands for the person `distinct_id`.
    pub fn record(
        &mut self,
        leanplum_id: impl Into<String>,
        distinct_id: impl Into<String>,
    ) {
        self.people.insert(leanplum_id.into(), distinct_id.into());
    }

    /// The distinct id behind `id` if it is an alias, else `id` itself.
    pub fn person<'a>(&'a self, id: &'a str) -> &'a str {
        self.people.get(id).map_or(id, String::as_str)
    }

    /// Number of aliases recorded.
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// True when no alias is recorded.
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }
}

/// The `(leanplum_id, distinct_id)` alias a `$set` creates, when it sets
/// `$leanplum_user_id` to a non-blank string.
pub fn alias_from_set(
    distinct_id: &str,
    set_props: &Map<String, Value>,
) -> Option<(String, String)> {
    match set_props.get(LEANPLUM_USER_ID) {
        Some(Value::String(id)) if !id.trim().is_empty() => {
            Some((id.clone(), distinct_id.to_owned()))
        }
        _ => None,
    }
}

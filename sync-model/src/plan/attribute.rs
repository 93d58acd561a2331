//! Names the Leanplum user attribute a cohort is exported to:
//! `Mixpanel: <cohort name>`, stripped of the characters Leanplum
//! forbids and kept under Leanplum's length limit.

use crate::fast_hash::FastSet;

/// Every attribute name starts with this.
pub const ATTRIBUTE_PREFIX: &str = "Mixpanel: ";

/// Longest attribute name produced, in characters (Leanplum requires
/// fewer than 140).
pub const MAX_ATTRIBUTE_CHARS: usize = 139;

/// Name used when a cohort name has nothing left after cleaning.
const UNTITLED: &str = "Untitled cohort";

/// Longest cohort id kept in a disambiguating suffix, in characters.
const MAX_SUFFIX_ID_CHARS: usize = 40;

/// True for characters Leanplum does not allow in attribute names.
fn forbidden(c: char) -> bool {
    matches!(c, ',' | '|' | '"' | '{') || c.is_control()
}

/// The cohort name without forbidden characters or surrounding spaces.
fn clean(name: &str) -> String {
    let cleaned: String = name.chars().filter(|&c| !forbidden(c)).collect();
    match cleaned.trim() {
        "" => UNTITLED.to_owned(),
        trimmed => trimmed.to_owned(),
    }
}

/// The prefix, then `name` cut so that the whole fits with `suffix`.
fn compose(name: &str, suffix: &str) -> String {
    let room = MAX_ATTRIBUTE_CHARS
        .saturating_sub(ATTRIBUTE_PREFIX.chars().count())
        .saturating_sub(suffix.chars().count());
    let cut = name.char_indices().nth(room).map_or(name.len(), |(i, _)| i);
    let mut out = String::with_capacity(ATTRIBUTE_PREFIX.len() + cut + 8);
    out.push_str(ATTRIBUTE_PREFIX);
    out.push_str(name[..cut].trim_end());
    out.push_str(suffix);
    out
}

/// The attribute name for one cohort: `Mixpanel: <name>` without
/// `,` `|` `"` `{` or control characters (tab, CR, LF...), cut to at
/// most [`MAX_ATTRIBUTE_CHARS`] characters. A name with nothing left
/// becomes "Untitled cohort".
pub fn attribute_name(cohort_name: &str) -> String {
    compose(&clean(cohort_name), "")
}

/// Attribute names for several cohorts, given as `(id, name)`, all
/// different from one another.
///
/// A cohort whose [`attribute_name`] is shared with no other cohort gets
/// exactly that. The others get ` #<id>` appended (the id cleaned like a
/// name and cut to 40 characters), plus `-2`, `-3`... if that is still
/// taken, with the name shortened to make room.
pub fn attribute_names(cohorts: &[(&str, &str)]) -> Vec<String> {
    let bases: Vec<String> =
        cohorts.iter().map(|(_, name)| clean(name)).collect();
    let plain: Vec<String> =
        bases.iter().map(|base| compose(base, "")).collect();
    let mut seen: FastSet<&str> = FastSet::default();
    let mut shared: FastSet<&str> = FastSet::default();
    for name in &plain {
        if !seen.insert(name) {
            shared.insert(name);
        }
    }
    let mut taken: FastSet<String> = plain
        .iter()
        .filter(|name| !shared.contains(name.as_str()))
        .cloned()
        .collect();
    let mut names = Vec::with_capacity(cohorts.len());
    for ((id, _), (base, name)) in cohorts.iter().zip(bases.iter().zip(&plain))
    {
        if !shared.contains(name.as_str()) {
            names.push(name.clone());
            continue;
        }
        let id: String = id
            .chars()
            .filter(|&c| !forbidden(c))
            .take(MAX_SUFFIX_ID_CHARS)
            .collect();
        let mut attempt = 1u64;
        let unique = loop {
            let suffix = match attempt {
                1 => format!(" #{id}"),
                n => format!(" #{id}-{n}"),
            };
            let candidate = compose(base, &suffix);
            if taken.insert(candidate.clone()) {
                break candidate;
            }
            attempt += 1;
        };
        names.push(unique);
    }
    names
}

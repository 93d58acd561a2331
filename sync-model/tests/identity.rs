use serde_json::{json, Map, Value};
use sync_model::identity::{alias_from_set, MAX_LEANPLUM_ID_CHARS};
use sync_model::{
    resolve, Aliases, Flag, FlaggedMember, IdSource, IdentityResolver,
    IdentitySummary, LeanplumIdProperty, Member, Profile, ResolvedMember,
};

fn anonymous(id: &str) -> Member {
    Member {
        distinct_id: id.into(),
        profile: Profile::Anonymous,
    }
}

fn plain(id: &str) -> Member {
    Member {
        distinct_id: id.into(),
        profile: Profile::Identified(LeanplumIdProperty::Absent),
    }
}

fn with_text(id: &str, lp: &str) -> Member {
    Member {
        distinct_id: id.into(),
        profile: Profile::Identified(LeanplumIdProperty::Text(lp.into())),
    }
}

fn with_json(id: &str, json: &str) -> Member {
    Member {
        distinct_id: id.into(),
        profile: Profile::Identified(LeanplumIdProperty::NotText(json.into())),
    }
}

fn resolved(
    distinct_id: &str,
    leanplum_id: &str,
    source: IdSource,
) -> ResolvedMember {
    ResolvedMember {
        distinct_id: distinct_id.into(),
        leanplum_id: leanplum_id.into(),
        source,
    }
}

#[test]
fn anonymous_profiles_are_not_exported() {
    let found = resolve([anonymous("a")]);
    assert!(found.resolved.is_empty());
    assert_eq!(found.summary.anonymous, 1);
    assert_eq!(found.summary.exported, 0);
    assert!(found.flagged.is_empty());
}

#[test]
fn a_string_leanplum_user_id_is_used_exactly_as_given() {
    let found = resolve([with_text("d1", " LP-1 ")]);
    assert_eq!(
        found.resolved,
        vec![resolved("d1", " LP-1 ", IdSource::LeanplumUserId)]
    );
    assert!(found.flagged.is_empty());
}

#[test]
fn a_profile_without_the_property_uses_the_distinct_id() {
    let found = resolve([plain("d1")]);
    assert_eq!(
        found.resolved,
        vec![resolved("d1", "d1", IdSource::DistinctId)]
    );
    assert!(found.flagged.is_empty());
}

#[test]
fn a_numeric_leanplum_user_id_falls_back_to_the_distinct_id() {
    let found = resolve([with_json("d1", "42")]);
    assert_eq!(
        found.resolved,
        vec![resolved("d1", "d1", IdSource::Fallback)]
    );
    assert_eq!(
        found.flagged,
        vec![FlaggedMember {
            distinct_id: "d1".into(),
            leanplum_id: Some("d1".into()),
            flag: Flag::Fallback,
            reason: "$leanplum_user_id is a number (42), not a string, so \
                     the distinct id is used."
                .into(),
        }]
    );
}

#[test]
fn fallback_reasons_name_the_json_type() {
    let found = resolve([
        with_json("a", "null"),
        with_json("b", "true"),
        with_json("c", "[1]"),
        with_json("d", "{}"),
    ]);
    let reasons: Vec<&str> =
        found.flagged.iter().map(|f| f.reason.as_str()).collect();
    assert_eq!(
        reasons,
        vec![
            "$leanplum_user_id is null (null), not a string, so the \
             distinct id is used.",
            "$leanplum_user_id is a boolean (true), not a string, so the \
             distinct id is used.",
            "$leanplum_user_id is a list ([1]), not a string, so the \
             distinct id is used.",
            "$leanplum_user_id is an object ({}), not a string, so the \
             distinct id is used.",
        ]
    );
}

#[test]
fn a_blank_leanplum_user_id_falls_back_to_the_distinct_id() {
    let found = resolve([with_text("d1", " \t")]);
    assert_eq!(
        found.resolved,
        vec![resolved("d1", "d1", IdSource::Fallback)]
    );
    assert_eq!(found.flagged[0].flag, Flag::Fallback);
    assert_eq!(
        found.flagged[0].reason,
        "$leanplum_user_id is blank, so the distinct id is used."
    );
}

#[test]
fn an_id_over_400_characters_is_not_exported() {
    let long = "é".repeat(MAX_LEANPLUM_ID_CHARS + 1);
    let found = resolve([with_text("d1", &long)]);
    assert!(found.resolved.is_empty());
    assert_eq!(found.summary.invalid, 1);
    assert_eq!(found.flagged[0].flag, Flag::Invalid);
    assert_eq!(
        found.flagged[0].reason,
        "The Leanplum id is 401 characters long; Leanplum accepts at most \
         400. Not exported."
    );
}

#[test]
fn an_id_of_exactly_400_characters_counted_in_chars_is_exported() {
    let long = "é".repeat(MAX_LEANPLUM_ID_CHARS);
    let found = resolve([with_text("d1", &long)]);
    assert_eq!(found.resolved.len(), 1);
}

#[test]
fn an_id_with_a_control_character_is_not_exported() {
    let found = resolve([with_text("d1", "lp\n1")]);
    assert!(found.resolved.is_empty());
    assert_eq!(
        found.flagged[0].reason,
        "The Leanplum id contains a control character (such as a tab or \
         line break), which Leanplum does not accept. Not exported."
    );
}

#[test]
fn an_empty_distinct_id_without_the_property_is_invalid() {
    let found = resolve([plain("")]);
    assert!(found.resolved.is_empty());
    assert_eq!(
        found.flagged[0].reason,
        "The Leanplum id is empty. It is the distinct id, used because the \
         profile has no $leanplum_user_id. Not exported."
    );
}

#[test]
fn an_invalid_fallback_explains_both_steps() {
    let found = resolve([with_json("bad\u{0}id", "1")]);
    assert_eq!(found.summary.invalid, 1);
    assert_eq!(found.summary.fallbacks, 0);
    assert_eq!(
        found.flagged[0].reason,
        "$leanplum_user_id is a number (1), not a string, so the distinct \
         id is used. The Leanplum id contains a control character (such as \
         a tab or line break), which Leanplum does not accept. Not exported."
    );
}

#[test]
fn members_sharing_a_leanplum_id_are_sent_once_for_the_first() {
    let found = resolve([
        with_text("a", "lp"),
        plain("x"),
        with_text("b", "lp"),
        plain("lp"),
    ]);
    assert_eq!(
        found.resolved,
        vec![
            resolved("a", "lp", IdSource::LeanplumUserId),
            resolved("x", "x", IdSource::DistinctId),
        ]
    );
    assert_eq!(
        found.flagged,
        vec![FlaggedMember {
            distinct_id: "a".into(),
            leanplum_id: Some("lp".into()),
            flag: Flag::Conflict,
            reason: "3 members resolve to the Leanplum id \"lp\": \"a\", \
                     \"b\", \"lp\". It is sent once, for \"a\" (first in the \
                     cohort); the others are not exported."
                .into(),
        }]
    );
}

#[test]
fn summary_counts_add_up() {
    let found = resolve([
        anonymous("n1"),
        with_text("a", "lp-a"),
        with_text("b", "lp-a"),
        plain("c"),
        with_json("d", "7"),
        with_text("e", ""),
        with_text("f", "bad\u{1}"),
    ]);
    assert_eq!(
        found.summary,
        IdentitySummary {
            members: 7,
            identified: 6,
            anonymous: 1,
            by_leanplum_user_id: 2,
            by_distinct_id: 1,
            fallbacks: 2,
            invalid: 1,
            conflicts: 1,
            exported: 4,
        }
    );
    assert_eq!(found.resolved.len(), 4);
}

#[test]
fn incremental_resolution_equals_resolving_at_once() {
    let members = vec![with_text("a", "x"), plain("x"), with_json("b", "2")];
    let mut resolver = IdentityResolver::new();
    for member in members.clone() {
        resolver.push(member);
    }
    assert_eq!(resolver.members(), 3);
    assert_eq!(resolver.finish(), resolve(members));
}

#[test]
fn aliases_map_leanplum_ids_to_people() {
    let mut aliases = Aliases::new();
    aliases.record("lp-1", "person-1");
    assert_eq!(aliases.person("lp-1"), "person-1");
    assert_eq!(aliases.person("someone"), "someone");
    assert_eq!(aliases.len(), 1);
}

#[test]
fn a_later_alias_for_the_same_id_replaces_the_earlier() {
    let mut aliases = Aliases::new();
    aliases.record("lp-1", "old");
    aliases.record("lp-1", "new");
    assert_eq!(aliases.person("lp-1"), "new");
}

#[test]
fn aliases_come_only_from_leanplum_user_id_resolutions() {
    let found =
        resolve([with_text("a", "lp-a"), plain("b"), with_json("c", "1")]);
    let aliases = Aliases::from_resolved(&found.resolved);
    assert_eq!(aliases.len(), 1);
    assert_eq!(aliases.person("lp-a"), "a");
}

fn set(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[test]
fn a_set_of_a_string_leanplum_user_id_creates_an_alias() {
    let props = set(json!({"$leanplum_user_id": "lp-9", "plan": "pro"}));
    assert_eq!(
        alias_from_set("d9", &props),
        Some(("lp-9".to_owned(), "d9".to_owned()))
    );
}

#[test]
fn a_set_without_a_usable_leanplum_user_id_creates_no_alias() {
    assert_eq!(alias_from_set("d", &set(json!({"plan": "pro"}))), None);
    assert_eq!(
        alias_from_set("d", &set(json!({"$leanplum_user_id": 5}))),
        None
    );
    assert_eq!(
        alias_from_set("d", &set(json!({"$leanplum_user_id": " "}))),
        None
    );
}

#[test]
fn sources_and_flags_serialize_in_snake_case() {
    assert_eq!(
        serde_json::to_string(&IdSource::LeanplumUserId).unwrap(),
        "\"leanplum_user_id\""
    );
    assert_eq!(
        serde_json::to_string(&Flag::Conflict).unwrap(),
        "\"conflict\""
    );
}

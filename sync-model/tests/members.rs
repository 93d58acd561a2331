use serde_json::{json, Map, Value};
use sync_model::members::{
    decode_members, decode_snapshot, encode_members, write_member_line,
    write_snapshot_line, MemberDecoder, MAX_LINE_BYTES,
};
use sync_model::{LeanplumIdProperty, Member, Profile, SnapshotEntry};

fn props(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn identified(id: &str, property: LeanplumIdProperty) -> Member {
    Member {
        distinct_id: id.to_owned(),
        profile: Profile::Identified(property),
    }
}

#[test]
fn a_member_without_a_profile_is_anonymous() {
    let member = Member::from_profile("d1", None);
    assert_eq!(member.profile, Profile::Anonymous);
}

#[test]
fn a_member_with_an_empty_profile_is_anonymous() {
    let member = Member::from_profile("d1", Some(&Map::new()));
    assert_eq!(member.profile, Profile::Anonymous);
}

#[test]
fn a_profile_without_the_property_is_identified_without_it() {
    let map = props(json!({"$email": "a@b.c"}));
    let member = Member::from_profile("d1", Some(&map));
    assert_eq!(member, identified("d1", LeanplumIdProperty::Absent));
}

#[test]
fn a_string_property_is_kept_exactly() {
    let map = props(json!({"$leanplum_user_id": " lp 1 "}));
    let member = Member::from_profile("d1", Some(&map));
    assert_eq!(
        member.profile,
        Profile::Identified(LeanplumIdProperty::Text(" lp 1 ".into()))
    );
}

#[test]
fn a_non_string_property_is_kept_as_compact_json() {
    let map = props(json!({"$leanplum_user_id": {"a": [1, 2]}}));
    let member = Member::from_profile("d1", Some(&map));
    assert_eq!(
        member.profile,
        Profile::Identified(LeanplumIdProperty::NotText(
            "{\"a\":[1,2]}".into()
        ))
    );
}

#[test]
fn member_lines_use_one_letter_kinds() {
    let members = [
        Member::from_profile("a", None),
        identified("p", LeanplumIdProperty::Absent),
        identified("s", LeanplumIdProperty::Text("lp".into())),
        identified("v", LeanplumIdProperty::NotText("42".into())),
    ];
    assert_eq!(encode_members(&members), "A\ta\nP\tp\nS\ts\tlp\nV\tv\t42\n");
}

#[test]
fn special_characters_are_escaped() {
    let mut out = String::new();
    let member = identified("a\tb\nc", LeanplumIdProperty::Text("\\\r".into()));
    write_member_line(&member, &mut out);
    assert_eq!(out, "S\ta\\tb\\nc\t\\\\\\r\n");
}

#[test]
fn snapshot_lines_put_the_leanplum_id_first() {
    let mut out = String::new();
    let entry = SnapshotEntry {
        leanplum_id: "lp1".into(),
        distinct_id: "d1".into(),
    };
    write_snapshot_line(&entry, &mut out);
    assert_eq!(out, "lp1\td1\n");
}

#[test]
fn escaped_fields_decode_to_the_original_text() {
    let members = decode_members(b"S\ta\\tb\\nc\t\\\\\\r\n").unwrap();
    assert_eq!(
        members,
        vec![identified(
            "a\tb\nc",
            LeanplumIdProperty::Text("\\\r".into())
        )]
    );
}

#[test]
fn the_last_line_may_omit_its_newline() {
    let entries = decode_snapshot(b"lp1\td1\nlp2\td2").unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].leanplum_id, "lp2");
}

#[test]
fn empty_lines_are_ignored() {
    let members = decode_members(b"\nA\ta\n\n").unwrap();
    assert_eq!(members, vec![Member::from_profile("a", None)]);
}

#[test]
fn lines_split_across_chunks_inside_a_character_decode_whole() {
    let text = "S\tdé\tlp€\nA\tx\n".as_bytes();
    let mut members = Vec::new();
    let mut decoder = MemberDecoder::new();
    for byte in text {
        decoder
            .push(std::slice::from_ref(byte), |m| members.push(m))
            .unwrap();
    }
    decoder.finish(|m| members.push(m)).unwrap();
    assert_eq!(
        members,
        vec![
            identified("dé", LeanplumIdProperty::Text("lp€".into())),
            Member::from_profile("x", None),
        ]
    );
}

#[test]
fn an_unknown_kind_is_an_error_with_its_line_number() {
    let error = decode_members(b"A\ta\nX\tb\n").unwrap_err();
    assert_eq!(error.line, 2);
    assert_eq!(
        error.to_string(),
        "line 2: a member line must start with A, P, S or V and a tab"
    );
}

#[test]
fn a_missing_value_is_an_error() {
    let error = decode_members(b"S\ta\n").unwrap_err();
    assert_eq!(
        error.message,
        "a member line of kind S needs 3 tab-separated fields, found 2"
    );
}

#[test]
fn an_extra_field_is_an_error() {
    let error = decode_members(b"A\ta\tb\tc\td\n").unwrap_err();
    assert_eq!(
        error.message,
        "a member line of kind A needs 2 tab-separated fields, found more"
    );
}

#[test]
fn an_unknown_escape_is_an_error() {
    let error = decode_snapshot(b"lp\\x\td\n").unwrap_err();
    assert_eq!(error.line, 1);
    assert_eq!(
        error.message,
        "unknown escape: a backslash must be followed by \\, t, n or r"
    );
}

#[test]
fn a_raw_carriage_return_is_an_error() {
    let error = decode_snapshot(b"lp\td\r\n").unwrap_err();
    assert!(error.message.starts_with("raw carriage return"));
}

#[test]
fn invalid_utf8_is_an_error() {
    let error = decode_snapshot(b"lp\t\xff\n").unwrap_err();
    assert_eq!(error.message, "a field is not valid UTF-8");
}

#[test]
fn a_snapshot_line_without_a_tab_is_an_error() {
    let error = decode_snapshot(b"lp1\n").unwrap_err();
    assert_eq!(error.line, 1);
}

#[test]
fn a_decoder_keeps_returning_its_first_error() {
    let mut decoder = MemberDecoder::new();
    let first = decoder.push(b"Z\n", |_| {}).unwrap_err();
    let again = decoder.push(b"A\ta\n", |_| {}).unwrap_err();
    assert_eq!(first, again);
}

#[test]
fn an_overlong_line_is_rejected_without_waiting_for_its_end() {
    let mut decoder = MemberDecoder::new();
    let chunk = vec![b'a'; MAX_LINE_BYTES + 1];
    let error = decoder.push(&chunk, |_| {}).unwrap_err();
    assert_eq!(error.line, 1);
    assert_eq!(error.message, "line is longer than 1048576 bytes");
}

#[test]
fn line_numbers_count_lines_across_chunks() {
    let mut decoder = MemberDecoder::new();
    decoder.push(b"A\ta\nA\t", |_| {}).unwrap();
    let error = decoder.push(b"b\tc\nQ", |_| {}).unwrap_err();
    assert_eq!(error.line, 2);
    let mut decoder = MemberDecoder::new();
    decoder.push(b"A\ta\nA\t", |_| {}).unwrap();
    decoder.push(b"b\nQ", |_| {}).unwrap();
    let error = decoder.finish(|_| {}).unwrap_err();
    assert_eq!(error.line, 3);
}

#[test]
fn kind_letters_name_each_profile_and_read_back() {
    let cases = [
        (Profile::Anonymous, ("A", None)),
        (Profile::Identified(LeanplumIdProperty::Absent), ("P", None)),
        (
            Profile::Identified(LeanplumIdProperty::Text("lp".into())),
            ("S", Some("lp")),
        ),
        (
            Profile::Identified(LeanplumIdProperty::NotText("7".into())),
            ("V", Some("7")),
        ),
    ];
    for (profile, letters) in cases {
        assert_eq!(profile.line_kind(), letters);
        let (kind, value) = letters;
        let back = Profile::from_line_kind(Some(kind), value.map(String::from));
        assert_eq!(back, profile);
    }
    assert_eq!(Profile::from_line_kind(None, None), Profile::Anonymous);
    assert_eq!(Profile::from_line_kind(Some("S"), None), Profile::Anonymous);
    assert_eq!(Profile::from_line_kind(Some("Q"), None), Profile::Anonymous);
}

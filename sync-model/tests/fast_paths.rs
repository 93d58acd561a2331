//! The direct entry points (`push_into`, `SnapshotBuilder`,
//! `finish_plan`) give exactly what the per-item sinks, `finish` and
//! `plan_owned` give.

use proptest::prelude::*;
use sync_model::members::{
    encode_members, encode_snapshot, MemberDecoder, SnapshotDecoder,
};
use sync_model::{
    plan_owned, ExportKind, IdentityResolver, LeanplumIdProperty, Member,
    PlannedSync, Profile, Snapshot, SnapshotBuilder, SnapshotEntry,
};

/// Decodes `members` and `snapshot` text through the sinks.
fn via_sinks(
    members: &[&[u8]],
    snapshot: &[&[u8]],
    kind: ExportKind,
) -> Result<PlannedSync, String> {
    let mut resolver = IdentityResolver::new();
    let mut decoder = MemberDecoder::new();
    for chunk in members {
        decoder
            .push(chunk, |m| resolver.push(m))
            .map_err(|e| e.to_string())?;
    }
    decoder
        .finish(|m| resolver.push(m))
        .map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    let mut decoder = SnapshotDecoder::new();
    for chunk in snapshot {
        decoder
            .push(chunk, |e| entries.push(e))
            .map_err(|e| e.to_string())?;
    }
    decoder
        .finish(|e| entries.push(e))
        .map_err(|e| e.to_string())?;
    let mut current = resolver.finish();
    let flagged = std::mem::take(&mut current.flagged);
    let summary = current.summary;
    let plan = plan_owned(kind, current, Snapshot::from_entries(entries));
    Ok(PlannedSync {
        summary,
        flagged,
        plan,
    })
}

/// Decodes the same text through the direct entry points.
fn direct(
    members: &[&[u8]],
    snapshot: &[&[u8]],
    kind: ExportKind,
) -> Result<PlannedSync, String> {
    let mut resolver = IdentityResolver::new();
    let mut decoder = MemberDecoder::new();
    for chunk in members {
        decoder
            .push_into(chunk, &mut resolver)
            .map_err(|e| e.to_string())?;
    }
    decoder
        .finish_into(&mut resolver)
        .map_err(|e| e.to_string())?;
    let mut builder = SnapshotBuilder::new();
    let mut decoder = SnapshotDecoder::new();
    for chunk in snapshot {
        decoder
            .push_into(chunk, &mut builder)
            .map_err(|e| e.to_string())?;
    }
    decoder
        .finish_into(&mut builder)
        .map_err(|e| e.to_string())?;
    Ok(resolver.finish_plan(kind, builder.finish()))
}

fn both(members: &[u8], snapshot: &[u8]) {
    for kind in [ExportKind::Dynamic, ExportKind::OneTime] {
        assert_eq!(
            direct(&[members], &[snapshot], kind),
            via_sinks(&[members], &[snapshot], kind)
        );
    }
}

fn member(distinct_id: &str, profile: Profile) -> Member {
    Member {
        distinct_id: distinct_id.to_owned(),
        profile,
    }
}

fn text(id: &str) -> Profile {
    Profile::Identified(LeanplumIdProperty::Text(id.to_owned()))
}

#[test]
fn every_rule_gives_the_same_outcome_on_both_paths() {
    let members = [
        member("anon", Profile::Anonymous),
        member("d1", Profile::Identified(LeanplumIdProperty::Absent)),
        member("d2", text("lp2")),
        member("d3", text("  ")),
        member(
            "d4",
            Profile::Identified(LeanplumIdProperty::NotText("7".into())),
        ),
        member("d5", text("lp2")),
        member("tab\there", Profile::Identified(LeanplumIdProperty::Absent)),
        member("d6", text(&"x".repeat(401))),
        member("d7", text("back\\slash é")),
        member("", Profile::Identified(LeanplumIdProperty::Absent)),
        member("d8", text("caf\u{85}")),
    ];
    let snapshot = [
        SnapshotEntry {
            leanplum_id: "lp2".into(),
            distinct_id: "d2".into(),
        },
        SnapshotEntry {
            leanplum_id: "gone\tid".into(),
            distinct_id: "g".into(),
        },
        SnapshotEntry {
            leanplum_id: "lp2".into(),
            distinct_id: "repeat".into(),
        },
        SnapshotEntry {
            leanplum_id: "back\\slash é".into(),
            distinct_id: "d7".into(),
        },
    ];
    let members = encode_members(&members);
    let snapshot = encode_snapshot(&snapshot);
    both(members.as_bytes(), snapshot.as_bytes());
}

#[test]
fn errors_are_the_same_on_both_paths() {
    let cases: [&[u8]; 6] = [
        b"A\tok\nX\tbad\n",
        b"S\tid\n",
        b"P\tid\\q\n",
        b"P\tid\r\n",
        b"P\t\xff\n",
        b"S\td\tlp\\",
    ];
    for members in cases {
        both(members, b"");
        both(b"P\tx\n", members);
    }
    both(b"P\tx\n", b"lp\n");
}

#[test]
fn a_builder_skips_a_line_that_fails() {
    let mut builder = SnapshotBuilder::new();
    let mut decoder = SnapshotDecoder::new();
    assert!(decoder.push_into(b"a\tb\nc\\q\td\n", &mut builder).is_err());
    let snapshot = builder.finish();
    assert_eq!(snapshot.len(), 1);
    assert!(snapshot.contains("a"));
    assert!(!snapshot.contains("c\\q"));
}

#[test]
fn a_built_snapshot_keeps_the_first_of_repeated_ids() {
    let mut builder = SnapshotBuilder::with_capacity(4, 16);
    builder.push("a", "1");
    builder.push("b", "2");
    builder.push("a", "3");
    builder.push("c", "4");
    assert_eq!(builder.len(), 4);
    let snapshot = builder.finish();
    let pairs: Vec<(&str, &str)> = snapshot
        .iter()
        .map(|e| (e.leanplum_id.as_str(), e.distinct_id.as_str()))
        .collect();
    assert_eq!(pairs, [("a", "1"), ("b", "2"), ("c", "4")]);
    assert!(snapshot.contains("c") && !snapshot.contains("d"));
    assert_eq!(snapshot.into_entries().len(), 3);
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

fn small_line() -> impl Strategy<Value = String> {
    let id = "[a-d\\\\\t]{0,3}";
    prop_oneof![
        id.prop_map(|d| format!("A\t{d}")),
        id.prop_map(|d| format!("P\t{d}")),
        (id, id).prop_map(|(d, v)| format!("S\t{d}\t{v}")),
        (id, "[0-9 ]{0,2}").prop_map(|(d, v)| format!("V\t{d}\t{v}")),
        (id, id).prop_map(|(l, d)| format!("{l}\t{d}")),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn both_paths_agree_on_any_lines_and_chunking(
        members in prop::collection::vec(small_line(), 0..25),
        snapshot in prop::collection::vec(small_line(), 0..25),
        cut in 0usize..64,
    ) {
        let members = members.join("\n");
        let snapshot = snapshot.join("\n");
        let split = |text: &str| {
            let bytes = text.as_bytes().to_vec();
            let at = cut.min(bytes.len());
            let (a, b) = bytes.split_at(at);
            (a.to_vec(), b.to_vec())
        };
        let (m1, m2) = split(&members);
        let (s1, s2) = split(&snapshot);
        for kind in [ExportKind::Dynamic, ExportKind::OneTime] {
            prop_assert_eq!(
                direct(&[&m1, &m2], &[&s1, &s2], kind),
                via_sinks(&[&m1, &m2], &[&s1, &s2], kind)
            );
        }
    }
}

use proptest::prelude::*;
use std::collections::BTreeMap;
use sync_model::members::{
    encode_members, encode_snapshot, write_snapshot_line, MemberDecoder,
    SnapshotDecoder,
};
use sync_model::plan::{
    attribute_name, attribute_names, batches, fold_response, parse_csv,
    write_csv, MAX_ACTIONS_PER_CALL, MAX_ATTRIBUTE_CHARS, MAX_USERS_PER_CALL,
};
use sync_model::{
    check_credentials, plan, resolve, ExportKind, LeanplumIdProperty, Member,
    Profile, Snapshot, SnapshotEntry,
};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    }
}

fn any_profile() -> impl Strategy<Value = Profile> {
    prop_oneof![
        Just(Profile::Anonymous),
        Just(Profile::Identified(LeanplumIdProperty::Absent)),
        any::<String>()
            .prop_map(|s| Profile::Identified(LeanplumIdProperty::Text(s))),
        any::<String>()
            .prop_map(|s| Profile::Identified(LeanplumIdProperty::NotText(s))),
    ]
}

fn any_member() -> impl Strategy<Value = Member> {
    (any::<String>(), any_profile()).prop_map(|(distinct_id, profile)| Member {
        distinct_id,
        profile,
    })
}

/// Members drawn from a small id space so that overlaps happen.
fn small_member() -> impl Strategy<Value = Member> {
    let id = "[a-e]{1,2}";
    (id, prop_oneof![Just(None), id.prop_map(Some),]).prop_map(
        |(distinct_id, lp)| Member {
            distinct_id,
            profile: Profile::Identified(match lp {
                None => LeanplumIdProperty::Absent,
                Some(lp) => LeanplumIdProperty::Text(lp),
            }),
        },
    )
}

fn small_snapshot() -> impl Strategy<Value = Vec<SnapshotEntry>> {
    prop::collection::vec(
        ("[a-e]{1,2}", "[a-z]{1,3}").prop_map(|(leanplum_id, distinct_id)| {
            SnapshotEntry {
                leanplum_id,
                distinct_id,
            }
        }),
        0..30,
    )
}

/// Feeds `bytes` to `push` in pieces cut at `cuts` (taken modulo length).
fn in_chunks(bytes: &[u8], cuts: &[usize], mut push: impl FnMut(&[u8])) {
    let mut points: Vec<usize> = cuts
        .iter()
        .map(|c| if bytes.is_empty() { 0 } else { c % bytes.len() })
        .collect();
    points.sort_unstable();
    let mut start = 0;
    for point in points {
        push(&bytes[start..point]);
        start = point;
    }
    push(&bytes[start..]);
}

/// Plan entries borrowing (distinct id, Leanplum id) pairs.
fn entries(people: &[(String, String)]) -> Vec<sync_model::PlanEntry<'_>> {
    people
        .iter()
        .map(|(d, l)| sync_model::PlanEntry {
            distinct_id: d,
            leanplum_id: l,
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn member_lines_round_trip_through_any_chunking(
        members in prop::collection::vec(any_member(), 0..20),
        cuts in prop::collection::vec(any::<usize>(), 0..10),
    ) {
        let text = encode_members(&members);
        let mut decoded = Vec::new();
        let mut decoder = MemberDecoder::new();
        let mut result = Ok(());
        in_chunks(text.as_bytes(), &cuts, |chunk| {
            if result.is_ok() {
                result = decoder.push(chunk, |m| decoded.push(m));
            }
        });
        prop_assert_eq!(result, Ok(()));
        prop_assert_eq!(decoder.finish(|m| decoded.push(m)), Ok(()));
        prop_assert_eq!(decoded, members);
    }

    #[test]
    fn snapshot_lines_round_trip_through_any_chunking(
        entries in prop::collection::vec(
            (any::<String>(), any::<String>()).prop_map(|(l, d)| {
                SnapshotEntry { leanplum_id: l, distinct_id: d }
            }),
            0..20,
        ),
        cuts in prop::collection::vec(any::<usize>(), 0..10),
    ) {
        let text = encode_snapshot(&entries);
        let mut decoded = Vec::new();
        let mut decoder = SnapshotDecoder::new();
        let mut result = Ok(());
        in_chunks(text.as_bytes(), &cuts, |chunk| {
            if result.is_ok() {
                result = decoder.push(chunk, |e| decoded.push(e));
            }
        });
        prop_assert_eq!(result, Ok(()));
        prop_assert_eq!(decoder.finish(|e| decoded.push(e)), Ok(()));
        prop_assert_eq!(decoded, entries);
    }

    #[test]
    fn decoders_never_panic_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..300),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        let mut members = MemberDecoder::new();
        let mut snapshot = SnapshotDecoder::new();
        in_chunks(&bytes, &cuts, |chunk| {
            let _ = members.push(chunk, |_| {});
            let _ = snapshot.push(chunk, |_| {});
        });
        let _ = members.finish(|_| {});
        let _ = snapshot.finish(|_| {});
    }

    #[test]
    fn applying_a_plan_to_its_snapshot_yields_the_current_members(
        members in prop::collection::vec(small_member(), 0..30),
        before in small_snapshot(),
        one_time in any::<bool>(),
    ) {
        let kind = if one_time { ExportKind::OneTime } else { ExportKind::Dynamic };
        let current = resolve(members);
        let snapshot = Snapshot::from_entries(before);
        let plan = plan(kind, &current, &snapshot);
        let moved = sync_model::plan_owned(
            kind,
            current.clone(),
            Snapshot::from_entries(snapshot.iter().cloned()),
        );
        prop_assert_eq!(&moved, &plan);
        let mut state: BTreeMap<String, String> = snapshot
            .iter()
            .map(|e| (e.leanplum_id.clone(), e.distinct_id.clone()))
            .collect();
        for (entry, value) in plan.to_send() {
            if value {
                state.insert(entry.leanplum_id.to_owned(), entry.distinct_id.to_owned());
            } else {
                prop_assert!(state.remove(entry.leanplum_id).is_some());
            }
        }
        let expected: BTreeMap<String, String> = current
            .resolved
            .iter()
            .map(|r| (r.leanplum_id.clone(), r.distinct_id.clone()))
            .collect();
        let applied: BTreeMap<&String, ()> =
            state.keys().map(|k| (k, ())).collect();
        let wanted: BTreeMap<&String, ()> =
            expected.keys().map(|k| (k, ())).collect();
        prop_assert_eq!(applied, wanted.clone());
        let next = plan.next_snapshot();
        let next: BTreeMap<&String, ()> =
            next.iter().map(|e| (&e.leanplum_id, ())).collect();
        prop_assert_eq!(next, wanted);
    }

    #[test]
    fn batches_respect_limits_and_carry_each_change_once(
        adds in 0usize..400,
        removes in 0usize..200,
        unchanged in 0usize..200,
        one_time in any::<bool>(),
    ) {
        let people = |prefix: &str, n: usize| -> Vec<(String, String)> {
            (0..n).map(|i| (format!("d{prefix}{i}"), format!("{prefix}{i}"))).collect()
        };
        let (a, r, u) = (people("a", adds), people("r", removes), people("u", unchanged));
        let kind = if one_time { ExportKind::OneTime } else { ExportKind::Dynamic };
        let plan = sync_model::SyncPlan::new(kind, entries(&a), entries(&r), entries(&u));
        let all = batches(&plan, "attr");
        let mut seen = Vec::new();
        for batch in &all {
            prop_assert!(!batch.actions.is_empty());
            prop_assert!(batch.actions.len() <= MAX_ACTIONS_PER_CALL);
            prop_assert!(batch.users() <= MAX_USERS_PER_CALL);
            for action in &batch.actions {
                seen.push((action.user_id.clone(), action.value));
            }
        }
        let expected: Vec<(String, bool)> = plan
            .to_send()
            .map(|(e, v)| (e.leanplum_id.to_owned(), v))
            .collect();
        prop_assert_eq!(seen, expected);
    }

    #[test]
    fn csv_round_trips_through_parse_csv(
        members in prop::collection::vec(
            (any::<String>(), any::<String>()),
            0..20,
        ),
        before in prop::collection::vec(
            (any::<String>(), any::<String>()),
            0..10,
        ),
    ) {
        let current = resolve(members.into_iter().map(|(d, l)| Member {
            distinct_id: d,
            profile: Profile::Identified(LeanplumIdProperty::Text(l)),
        }));
        let snapshot = Snapshot::from_entries(before.into_iter().map(
            |(l, d)| SnapshotEntry { leanplum_id: l, distinct_id: d },
        ));
        let plan = plan(ExportKind::Dynamic, &current, &snapshot);
        let mut text = String::new();
        write_csv(&plan, &mut text);
        let rows = parse_csv(&text);
        prop_assert!(rows.is_ok(), "{:?}", rows);
        let rows: Vec<(String, String, String)> = rows
            .unwrap_or_default()
            .into_iter()
            .map(|r| (r.distinct_id, r.leanplum_user_id, r.operation))
            .collect();
        let expected: Vec<(String, String, String)> = plan
            .add()
            .iter()
            .map(|e| (e, "add"))
            .chain(plan.unchanged().iter().map(|e| (e, "no-op")))
            .chain(plan.remove().iter().map(|e| (e, "remove")))
            .map(|(e, op)| {
                (e.distinct_id.to_owned(), e.leanplum_id.to_owned(), op.to_owned())
            })
            .collect();
        prop_assert_eq!(rows, expected);
    }

    #[test]
    fn credential_checks_never_panic_and_never_echo_the_secret(
        app_id in any::<String>(),
        secret in "[a-z_]{0,6}[A-Za-z0-9 :\t\u{1}]{12,30}",
    ) {
        let check = check_credentials(&app_id, &secret);
        let trimmed = secret.trim();
        for issue in check.errors.iter().chain(&check.warnings) {
            prop_assert!(
                trimmed.len() < 12 || !issue.message.contains(trimmed)
            );
        }
        prop_assert_eq!(check.basic_authorization().is_some(), check.is_valid());
    }

    #[test]
    fn attribute_names_are_short_clean_and_distinct(
        cohorts in prop::collection::vec(
            (any::<String>(), any::<String>()),
            0..12,
        ),
    ) {
        let pairs: Vec<(&str, &str)> = cohorts
            .iter()
            .map(|(id, name)| (id.as_str(), name.as_str()))
            .collect();
        let names = attribute_names(&pairs);
        prop_assert_eq!(names.len(), pairs.len());
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(unique.len(), names.len());
        for name in names.iter().chain(
            pairs.iter().map(|(_, n)| attribute_name(n)).collect::<Vec<_>>().iter()
        ) {
            prop_assert!(name.chars().count() <= MAX_ATTRIBUTE_CHARS);
            prop_assert!(name.starts_with("Mixpanel: "));
            let forbidden = [',', '|', '"', '{', '\t', '\n', '\r'];
            prop_assert!(!name.contains(forbidden), "{}", name);
        }
    }

    #[test]
    fn fold_response_never_panics_on_arbitrary_json(
        json in arbitrary_json(),
        size in 0usize..5,
    ) {
        let ids: Vec<(String, String)> =
            (0..size).map(|i| (format!("d{i}"), format!("l{i}"))).collect();
        let plan = sync_model::SyncPlan::new(
            ExportKind::Dynamic,
            entries(&ids),
            [],
            [],
        );
        for batch in batches(&plan, "attr") {
            let wrapped = serde_json::json!({ "response": json.clone() });
            for response in [&json, &wrapped] {
                let outcome = fold_response(&batch, response);
                prop_assert_eq!(outcome.results.len(), batch.actions.len());
                let c = outcome.counts;
                prop_assert_eq!(
                    c.added + c.removed + c.not_found + c.failed,
                    batch.actions.len() as u64
                );
            }
        }
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "(success|error|warning|message|User not found|x)"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                ("(success|error|warning|message|response)", inner),
                0..4,
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

#[test]
fn snapshot_line_of_two_empty_ids_is_a_lone_tab() {
    let mut out = String::new();
    write_snapshot_line(
        &SnapshotEntry {
            leanplum_id: String::new(),
            distinct_id: String::new(),
        },
        &mut out,
    );
    assert_eq!(out, "\t\n");
}

use sync_model::members::SnapshotEntry;
use sync_model::plan::{
    attribute_name, attribute_names, check_cohort_size, check_new_dynamic_sync,
    LimitError, PlanCounts,
};
use sync_model::{
    plan, ExportKind, IdSource, IdentityMatch, PlanEntry, ResolvedMember,
    Snapshot, SyncPlan,
};

fn current(ids: &[(&str, &str)]) -> IdentityMatch {
    IdentityMatch {
        resolved: ids
            .iter()
            .map(|(d, l)| ResolvedMember {
                distinct_id: (*d).into(),
                leanplum_id: (*l).into(),
                source: IdSource::LeanplumUserId,
            })
            .collect(),
        ..IdentityMatch::default()
    }
}

fn snapshot(ids: &[(&str, &str)]) -> Snapshot {
    Snapshot::from_entries(ids.iter().map(|(l, d)| SnapshotEntry {
        leanplum_id: (*l).into(),
        distinct_id: (*d).into(),
    }))
}

fn entry<'a>(distinct_id: &'a str, leanplum_id: &'a str) -> PlanEntry<'a> {
    PlanEntry {
        distinct_id,
        leanplum_id,
    }
}

#[test]
fn a_dynamic_plan_adds_new_removes_gone_and_keeps_the_rest() {
    let now = current(&[("d3", "l3"), ("d1", "l1"), ("d4", "l4")]);
    let before = snapshot(&[("l1", "d1"), ("l2", "d2"), ("l5", "d5")]);
    let plan = plan(ExportKind::Dynamic, &now, &before);
    assert_eq!(
        plan.add().to_vec(),
        vec![entry("d3", "l3"), entry("d4", "l4")]
    );
    assert_eq!(plan.unchanged().to_vec(), vec![entry("d1", "l1")]);
    assert_eq!(
        plan.remove().to_vec(),
        vec![entry("d2", "l2"), entry("d5", "l5")]
    );
}

#[test]
fn a_dynamic_plan_sends_only_changes() {
    let now = current(&[("d3", "l3"), ("d1", "l1")]);
    let before = snapshot(&[("l1", "d1"), ("l2", "d2")]);
    let plan = plan(ExportKind::Dynamic, &now, &before);
    let sent: Vec<(&str, bool)> =
        plan.to_send().map(|(e, v)| (e.leanplum_id, v)).collect();
    assert_eq!(sent, vec![("l3", true), ("l2", false)]);
    assert_eq!(
        plan.counts(),
        PlanCounts {
            add: 1,
            remove: 1,
            unchanged: 1,
            to_send: 2
        }
    );
}

#[test]
fn a_one_time_plan_sets_every_current_member() {
    let now = current(&[("d3", "l3"), ("d1", "l1")]);
    let before = snapshot(&[("l1", "d1"), ("l2", "d2")]);
    let plan = plan(ExportKind::OneTime, &now, &before);
    let sent: Vec<(&str, bool)> =
        plan.to_send().map(|(e, v)| (e.leanplum_id, v)).collect();
    assert_eq!(sent, vec![("l3", true), ("l1", true), ("l2", false)]);
    assert_eq!(plan.counts().to_send, 3);
    assert_eq!(plan.counts().unchanged, 1);
}

#[test]
fn a_first_sync_adds_everyone() {
    let now = current(&[("d1", "l1"), ("d2", "l2")]);
    let plan = plan(ExportKind::Dynamic, &now, &Snapshot::default());
    assert_eq!(plan.add().len(), 2);
    assert!(plan.remove().is_empty());
}

#[test]
fn a_snapshot_keeps_the_first_entry_for_a_repeated_id() {
    let before = snapshot(&[("l1", "d1"), ("l1", "d9"), ("l2", "d2")]);
    assert_eq!(before.len(), 2);
    let distinct: Vec<&str> =
        before.iter().map(|e| e.distinct_id.as_str()).collect();
    assert_eq!(distinct, vec!["d1", "d2"]);
}

#[test]
fn the_next_snapshot_holds_the_current_members() {
    let now = current(&[("d3", "l3"), ("d1", "l1")]);
    let before = snapshot(&[("l1", "d1"), ("l2", "d2")]);
    let next = plan(ExportKind::Dynamic, &now, &before).next_snapshot();
    let ids: Vec<&str> = next.iter().map(|e| e.leanplum_id.as_str()).collect();
    assert_eq!(ids, vec!["l3", "l1"]);
}

#[test]
fn export_kinds_serialize_in_snake_case() {
    assert_eq!(
        serde_json::to_string(&ExportKind::OneTime).unwrap(),
        "\"one_time\""
    );
    assert_eq!(
        serde_json::to_string(&ExportKind::Dynamic).unwrap(),
        "\"dynamic\""
    );
}

#[test]
fn attribute_names_are_prefixed_with_mixpanel() {
    assert_eq!(attribute_name("Power users"), "Mixpanel: Power users");
}

#[test]
fn forbidden_characters_are_removed_from_attribute_names() {
    assert_eq!(
        attribute_name("a,b|c\"d{e\tf\ng\rh}"),
        "Mixpanel: abcdefgh}"
    );
}

#[test]
fn a_name_with_nothing_left_becomes_untitled() {
    assert_eq!(attribute_name(" ,|\" "), "Mixpanel: Untitled cohort");
}

#[test]
fn long_names_are_cut_to_139_characters_on_a_char_boundary() {
    let name = attribute_name(&"ü".repeat(300));
    assert_eq!(name.chars().count(), 139);
    assert_eq!(name, format!("Mixpanel: {}", "ü".repeat(129)));
}

#[test]
fn distinct_cohort_names_keep_their_plain_names() {
    let names = attribute_names(&[("1", "Buyers"), ("2", "Churned")]);
    assert_eq!(names, vec!["Mixpanel: Buyers", "Mixpanel: Churned"]);
}

#[test]
fn colliding_names_get_their_cohort_id() {
    let names = attribute_names(&[("1", "A,B"), ("2", "AB"), ("3", "C")]);
    assert_eq!(
        names,
        vec!["Mixpanel: AB #1", "Mixpanel: AB #2", "Mixpanel: C"]
    );
}

#[test]
fn names_that_collide_only_after_truncation_get_their_cohort_id() {
    let long = "x".repeat(200);
    let names = attribute_names(&[("1", &format!("{long}1")), ("2", &long)]);
    assert_eq!(names[0], format!("Mixpanel: {} #1", "x".repeat(126)));
    assert_eq!(names[1], format!("Mixpanel: {} #2", "x".repeat(126)));
}

#[test]
fn a_suffix_already_taken_by_another_cohort_gets_a_counter() {
    let names = attribute_names(&[("1", "A #1"), ("1", "A"), ("1", "A")]);
    assert_eq!(
        names,
        vec!["Mixpanel: A #1", "Mixpanel: A #1-2", "Mixpanel: A #1-3"]
    );
}

#[test]
fn a_sixty_first_dynamic_sync_is_refused() {
    assert_eq!(check_new_dynamic_sync(59), Ok(()));
    let error = check_new_dynamic_sync(60).unwrap_err();
    assert_eq!(error, LimitError::TooManyDynamicSyncs { existing: 60 });
    assert_eq!(
        error.to_string(),
        "There are already 60 dynamic syncs, and at most 60 can run. Stop a \
         dynamic sync you no longer need, or export this cohort one time \
         instead."
    );
}

#[test]
fn cohorts_over_ten_million_members_are_refused() {
    assert_eq!(check_cohort_size(10_000_000), Ok(()));
    let error = check_cohort_size(10_000_001).unwrap_err();
    assert_eq!(
        error.to_string(),
        "This cohort has 10000001 members, more than the 10000000 that can \
         be exported. Narrow the cohort's filters and try again."
    );
}

#[test]
fn planning_by_move_gives_the_same_plan() {
    let now = current(&[("d3", "l3"), ("d1", "l1"), ("d4", "l4")]);
    let before = snapshot(&[("l1", "d1"), ("l2", "d2")]);
    let borrowed = plan(ExportKind::OneTime, &now, &before);
    let moved = sync_model::plan_owned(ExportKind::OneTime, now, before);
    assert_eq!(moved, borrowed);
}

#[test]
fn a_snapshot_answers_whether_it_holds_an_id() {
    let before = snapshot(&[("l1", "d1"), ("l2", "d2")]);
    assert!(before.contains("l2"));
    assert!(!before.contains("l3"));
}

#[test]
fn a_plan_prints_and_compares_by_its_lists() {
    let now = current(&[("d1", "l1"), ("d2", "l2")]);
    let before = snapshot(&[("l2", "d2"), ("l3", "d3")]);
    let planned = plan(ExportKind::Dynamic, &now, &before);
    let built = SyncPlan::new(
        ExportKind::Dynamic,
        [entry("d1", "l1")],
        [entry("d3", "l3")],
        [entry("d2", "l2")],
    );
    assert_eq!(planned, built);
    assert_eq!(
        format!("{planned:?}"),
        "SyncPlan { kind: Dynamic, \
         add: [PlanEntry { distinct_id: \"d1\", leanplum_id: \"l1\" }], \
         remove: [PlanEntry { distinct_id: \"d3\", leanplum_id: \"l3\" }], \
         unchanged: [PlanEntry { distinct_id: \"d2\", leanplum_id: \"l2\" }] }"
    );
    let mut one_time = built;
    one_time.kind = ExportKind::OneTime;
    assert_ne!(planned, one_time);
}

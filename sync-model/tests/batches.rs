use serde_json::json;
use sync_model::plan::{
    batches, fold_response, ActionOutcome, MultiBatch, RunCounts,
    SetUserAttributes, MAX_USERS_PER_CALL,
};
use sync_model::{ExportKind, PlanEntry, SyncPlan};

/// `n` people named from `prefix`, as (distinct id, Leanplum id).
fn people(prefix: &str, n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("d-{prefix}{i}"), format!("{prefix}{i}")))
        .collect()
}

fn entries(people: &[(String, String)]) -> Vec<PlanEntry<'_>> {
    people
        .iter()
        .map(|(distinct_id, leanplum_id)| PlanEntry {
            distinct_id,
            leanplum_id,
        })
        .collect()
}

/// A plan adding, removing and keeping that many people.
fn sample_plan(
    kind: ExportKind,
    add: usize,
    remove: usize,
    unchanged: usize,
) -> SyncPlan {
    let (a, r, u) = (
        people("a", add),
        people("r", remove),
        people("u", unchanged),
    );
    SyncPlan::new(kind, entries(&a), entries(&r), entries(&u))
}

fn batch(values: &[(&str, bool)]) -> MultiBatch {
    MultiBatch {
        actions: values
            .iter()
            .map(|(id, value)| SetUserAttributes {
                user_id: (*id).into(),
                distinct_id: format!("d-{id}"),
                value: *value,
            })
            .collect(),
        attribute: "Mixpanel: Buyers".into(),
    }
}

#[test]
fn batches_hold_at_most_fifty_users() {
    let plan = sample_plan(ExportKind::Dynamic, 120, 10, 30);
    let sizes: Vec<usize> = batches(&plan, "attr")
        .iter()
        .map(|b| b.actions.len())
        .collect();
    assert_eq!(sizes, vec![50, 50, 30]);
}

#[test]
fn one_time_batches_include_unchanged_members() {
    let plan = sample_plan(ExportKind::OneTime, 40, 10, 30);
    let all = batches(&plan, "attr");
    assert_eq!(all.len(), 2);
    assert_eq!(all[1].actions.len(), 30);
    assert_eq!(all[1].actions[29].user_id, "r9");
    assert!(!all[1].actions[29].value);
    assert_eq!(all[0].users(), MAX_USERS_PER_CALL);
}

#[test]
fn an_empty_plan_makes_no_batches() {
    let plan = sample_plan(ExportKind::Dynamic, 0, 0, 3);
    assert!(batches(&plan, "attr").is_empty());
}

#[test]
fn the_multi_body_sets_the_attribute_without_creating_users() {
    let body = batch(&[("lp1", true), ("lp2", false)]).to_json(
        "app_x",
        "prod_y",
        1_700_000_000,
    );
    assert_eq!(
        body,
        json!({
            "appId": "app_x",
            "clientKey": "prod_y",
            "apiVersion": "1.0.6",
            "time": 1_700_000_000u64,
            "data": [
                {
                    "action": "setUserAttributes",
                    "userId": "lp1",
                    "userAttributes": {"Mixpanel: Buyers": true},
                    "createDisposition": "CreateNever",
                    "time": 1_700_000_000u64,
                },
                {
                    "action": "setUserAttributes",
                    "userId": "lp2",
                    "userAttributes": {"Mixpanel: Buyers": false},
                    "createDisposition": "CreateNever",
                    "time": 1_700_000_000u64,
                }
            ]
        })
    );
}

#[test]
fn responses_fold_into_per_action_outcomes() {
    let sent = batch(&[("a", true), ("b", true), ("c", false), ("d", true)]);
    let response = json!({"response": [
        {"success": true},
        {"success": true, "warning": {"message": "User not found; request skipped."}},
        {"success": true},
        {"success": false, "error": {"message": "Rate limited"}},
    ]});
    let outcome = fold_response(&sent, &response);
    let outcomes: Vec<&ActionOutcome> =
        outcome.results.iter().map(|r| &r.outcome).collect();
    assert_eq!(
        outcomes,
        vec![
            &ActionOutcome::Applied,
            &ActionOutcome::NotFound,
            &ActionOutcome::Applied,
            &ActionOutcome::Failed("Leanplum reported: Rate limited".into()),
        ]
    );
    assert_eq!(
        outcome.counts,
        RunCounts {
            added: 1,
            removed: 1,
            not_found: 1,
            failed: 1
        }
    );
    assert_eq!(outcome.results[1].distinct_id, "d-b");
}

#[test]
fn other_warnings_still_count_as_applied() {
    let sent = batch(&[("a", true)]);
    let response = json!({"response": [
        {"success": true, "warning": {"message": "Attribute name is long"}},
    ]});
    assert_eq!(fold_response(&sent, &response).counts.added, 1);
}

#[test]
fn a_short_response_fails_the_uncovered_actions() {
    let sent = batch(&[("a", true), ("b", true), ("c", true)]);
    let response = json!({"response": [{"success": true}, {"success": true}]});
    let outcome = fold_response(&sent, &response);
    assert_eq!(outcome.counts.added, 2);
    assert_eq!(
        outcome.results[2].outcome,
        ActionOutcome::Failed(
            "Leanplum's answer had no result for this change, so it may \
             not have been applied."
                .into()
        )
    );
}

#[test]
fn a_single_failure_for_a_whole_batch_fails_every_action() {
    let sent = batch(&[("a", true), ("b", false)]);
    let response = json!({"response": [
        {"success": false, "error": {"message": "Invalid clientKey"}}
    ]});
    let outcome = fold_response(&sent, &response);
    assert_eq!(outcome.counts.failed, 2);
    assert_eq!(
        outcome.results[1].outcome,
        ActionOutcome::Failed("Leanplum reported: Invalid clientKey".into())
    );
}

#[test]
fn a_malformed_response_fails_every_action() {
    let sent = batch(&[("a", true), ("b", false)]);
    let outcome = fold_response(&sent, &json!("oops"));
    assert_eq!(
        outcome.counts,
        RunCounts {
            failed: 2,
            ..RunCounts::default()
        }
    );
    assert_eq!(
        outcome.results[0].outcome,
        ActionOutcome::Failed(
            "Leanplum's answer was not understood (no \"response\" list), \
             so this change may not have been applied."
                .into()
        )
    );
}

#[test]
fn an_item_without_success_is_a_failure() {
    let sent = batch(&[("a", true)]);
    let outcome = fold_response(&sent, &json!({"response": [{}]}));
    assert_eq!(outcome.counts.failed, 1);
}

#[test]
fn a_failure_without_a_message_says_so() {
    let sent = batch(&[("a", true)]);
    let outcome =
        fold_response(&sent, &json!({"response": [{"success": false}]}));
    assert_eq!(
        outcome.results[0].outcome,
        ActionOutcome::Failed(
            "Leanplum reported a failure without a message.".into()
        )
    );
}

#[test]
fn run_counts_add_up_across_batches() {
    let mut total = RunCounts {
        added: 1,
        removed: 2,
        not_found: 3,
        failed: 4,
    };
    total += RunCounts {
        added: 10,
        removed: 20,
        not_found: 30,
        failed: 40,
    };
    assert_eq!(
        total,
        RunCounts {
            added: 11,
            removed: 22,
            not_found: 33,
            failed: 44
        }
    );
}

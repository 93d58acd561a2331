//! Splits a plan into Leanplum `multi` calls within Leanplum's limits,
//! builds their JSON bodies, and reads Leanplum's per-action answers back
//! into outcomes and counts.

use super::SyncPlan;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::ops::AddAssign;

/// Most distinct users Leanplum accepts in one `multi` call.
pub const MAX_USERS_PER_CALL: usize = 50;

/// Most actions Leanplum accepts in one `multi` call.
pub const MAX_ACTIONS_PER_CALL: usize = 500;

/// The Leanplum API version the calls are written for.
pub const LEANPLUM_API_VERSION: &str = "1.0.6";

/// One `setUserAttributes` action: set the attribute to `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetUserAttributes {
    /// The Leanplum user id.
    pub user_id: String,
    /// The distinct id behind it, kept for reporting; not sent.
    pub distinct_id: String,
    /// `true` to add the person to the cohort, `false` to remove them.
    pub value: bool,
}

/// The actions of one `multi` call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultiBatch {
    /// The actions, in plan order.
    pub actions: Vec<SetUserAttributes>,
    /// The attribute every action sets.
    pub attribute: String,
}

impl MultiBatch {
    /// Number of distinct users in the batch.
    pub fn users(&self) -> usize {
        let mut users: Vec<&str> =
            self.actions.iter().map(|a| a.user_id.as_str()).collect();
        users.sort_unstable();
        users.dedup();
        users.len()
    }

    /// The JSON body of the `multi` call. Actions use
    /// `createDisposition: CreateNever`, so Leanplum skips (with a
    /// warning) users it does not know instead of creating them.
    pub fn to_json(
        &self,
        app_id: &str,
        client_key: &str,
        time_secs: u64,
    ) -> Value {
        let data: Vec<Value> = self
            .actions
            .iter()
            .map(|action| {
                let mut attributes = Map::new();
                attributes
                    .insert(self.attribute.clone(), Value::Bool(action.value));
                json!({
                    "action": "setUserAttributes",
                    "userId": action.user_id,
                    "userAttributes": attributes,
                    "createDisposition": "CreateNever",
                    "time": time_secs,
                })
            })
            .collect();
        json!({
            "appId": app_id,
            "clientKey": client_key,
            "apiVersion": LEANPLUM_API_VERSION,
            "time": time_secs,
            "data": data,
        })
    }
}

/// Splits the plan's updates ([`SyncPlan::to_send`]) into batches of at
/// most [`MAX_USERS_PER_CALL`] users and [`MAX_ACTIONS_PER_CALL`]
/// actions, keeping plan order.
pub fn batches(plan: &SyncPlan, attribute: &str) -> Vec<MultiBatch> {
    let mut out = Vec::new();
    let mut current = MultiBatch {
        actions: Vec::new(),
        attribute: attribute.to_owned(),
    };
    let mut users: Vec<&str> = Vec::new();
    for (entry, value) in plan.to_send() {
        let user = entry.leanplum_id;
        let new_user = !users.contains(&user);
        let full = current.actions.len() >= MAX_ACTIONS_PER_CALL
            || (new_user && users.len() >= MAX_USERS_PER_CALL);
        if full {
            let next = MultiBatch {
                actions: Vec::new(),
                attribute: attribute.to_owned(),
            };
            out.push(std::mem::replace(&mut current, next));
            users.clear();
        }
        if !users.contains(&user) {
            users.push(user);
        }
        current.actions.push(SetUserAttributes {
            user_id: entry.leanplum_id.to_owned(),
            distinct_id: entry.distinct_id.to_owned(),
            value,
        });
    }
    if !current.actions.is_empty() {
        out.push(current);
    }
    out
}

/// What happened to one action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionOutcome {
    /// Leanplum set the attribute.
    Applied,
    /// Leanplum has no such user and skipped the action.
    NotFound,
    /// The action failed, with the reason.
    Failed(String),
}

/// One action with its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionResult {
    /// The Leanplum user id.
    pub user_id: String,
    /// The distinct id behind it.
    pub distinct_id: String,
    /// The value the action set.
    pub value: bool,
    /// What happened.
    pub outcome: ActionOutcome,
}

/// Totals over the actions of one or more calls.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize,
)]
pub struct RunCounts {
    /// Users given the attribute (`true` applied).
    pub added: u64,
    /// Users whose attribute was cleared (`false` applied).
    pub removed: u64,
    /// Users Leanplum does not know, skipped.
    pub not_found: u64,
    /// Actions that failed.
    pub failed: u64,
}

impl AddAssign for RunCounts {
    fn add_assign(&mut self, other: RunCounts) {
        self.added += other.added;
        self.removed += other.removed;
        self.not_found += other.not_found;
        self.failed += other.failed;
    }
}

/// The outcome of one `multi` call, action by action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// Each action's outcome, in batch order.
    pub results: Vec<ActionResult>,
    /// Totals over `results`.
    pub counts: RunCounts,
}

/// The message of `{"message": ...}` under `key`, if it is a string.
fn message<'a>(item: &'a Value, key: &str) -> Option<&'a str> {
    item.get(key)?.get("message")?.as_str()
}

/// The outcome Leanplum reported in one response item.
fn item_outcome(item: &Value) -> ActionOutcome {
    match item.get("success").and_then(Value::as_bool) {
        Some(true) => match message(item, "warning") {
            Some(text) if text.to_ascii_lowercase().contains("not found") => {
                ActionOutcome::NotFound
            }
            _ => ActionOutcome::Applied,
        },
        Some(false) => ActionOutcome::Failed(match message(item, "error") {
            Some(text) if !text.trim().is_empty() => {
                format!("Leanplum reported: {text}")
            }
            _ => "Leanplum reported a failure without a message.".to_owned(),
        }),
        None => ActionOutcome::Failed(
            "Leanplum's answer for this change has no \"success\" field, \
             so it is treated as failed."
                .to_owned(),
        ),
    }
}

/// Reads Leanplum's answer to `batch`: `{"response": [item, ...]}` with
/// one item per action, in order.
///
/// A missing, short or malformed answer fails the actions it does not
/// cover. A single failed item answering a batch of several actions is a
/// failure of the whole call and applies to every action.
pub fn fold_response(batch: &MultiBatch, response: &Value) -> BatchOutcome {
    let items = response.get("response").and_then(Value::as_array);
    let whole_call_failed = items.and_then(|items| match items.as_slice() {
        [only] if batch.actions.len() > 1 => match item_outcome(only) {
            failed @ ActionOutcome::Failed(_) => Some(failed),
            _ => None,
        },
        _ => None,
    });
    let mut outcome = BatchOutcome {
        results: Vec::with_capacity(batch.actions.len()),
        counts: RunCounts::default(),
    };
    for (i, action) in batch.actions.iter().enumerate() {
        let result = match (&whole_call_failed, items) {
            (Some(failed), _) => failed.clone(),
            (None, None) => ActionOutcome::Failed(
                "Leanplum's answer was not understood (no \"response\" \
                 list), so this change may not have been applied."
                    .to_owned(),
            ),
            (None, Some(items)) => match items.get(i) {
                Some(item) => item_outcome(item),
                None => ActionOutcome::Failed(
                    "Leanplum's answer had no result for this change, so it \
                     may not have been applied."
                        .to_owned(),
                ),
            },
        };
        match (&result, action.value) {
            (ActionOutcome::Applied, true) => outcome.counts.added += 1,
            (ActionOutcome::Applied, false) => outcome.counts.removed += 1,
            (ActionOutcome::NotFound, _) => outcome.counts.not_found += 1,
            (ActionOutcome::Failed(_), _) => outcome.counts.failed += 1,
        }
        outcome.results.push(ActionResult {
            user_id: action.user_id.clone(),
            distinct_id: action.distinct_id.clone(),
            value: action.value,
            outcome: result,
        });
    }
    outcome
}

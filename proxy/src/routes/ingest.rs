//! `/api/ingest/*` and `/api/events/leanplum`: profile and event
//! ingestion (all items or none), and the month's Leanplum events.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::Value;
use sync_model::api::{EventsSummary, IngestResult, MONTH_QUERY};
use sync_model::{summarize_month, Month};

use super::{signed_in, ApiJson};
use crate::dataset::{parse_event, store_dataset, Dataset};
use crate::error::Failure;
use crate::store::events::ProfileUpdate;
use crate::{current_month, unix_now, SharedState};

/// Items shown in the message of an `invalid_items` error.
const SHOWN_ERRORS: usize = 10;

/// Refuses a batch with malformed items, naming each by its index.
fn invalid_items(errors: Vec<(usize, String)>) -> Failure {
    let first = errors.first().map(|(i, _)| *i).unwrap_or(0);
    let listed: Vec<String> = errors
        .iter()
        .take(SHOWN_ERRORS)
        .map(|(i, e)| format!("item {i}: {e}"))
        .collect();
    let more = match errors.len().saturating_sub(SHOWN_ERRORS) {
        0 => String::new(),
        n => format!("; and {n} more"),
    };
    Failure::new(
        StatusCode::BAD_REQUEST,
        "invalid_items",
        format!(
            "{} item(s) are malformed; nothing was stored. {}{more}",
            errors.len(),
            listed.join("; ")
        ),
    )
    .on_field(format!("[{first}]"))
}

fn parse_profile_update(item: Value) -> Result<ProfileUpdate, String> {
    let Value::Object(mut map) = item else {
        return Err("must be a JSON object".into());
    };
    let distinct_id = match map.remove("$distinct_id") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(_) => {
            return Err("\"$distinct_id\" must be a non-empty string".into())
        }
        None => return Err("\"$distinct_id\" is missing".into()),
    };
    let set = match map.remove("$set") {
        Some(Value::Object(set)) => set,
        Some(_) => return Err("\"$set\" must be an object".into()),
        None => return Err("\"$set\" is missing".into()),
    };
    Ok(ProfileUpdate { distinct_id, set })
}

fn parse_all<T>(
    items: Vec<Value>,
    parse: impl Fn(Value) -> Result<T, String>,
) -> Result<Vec<T>, Failure> {
    let mut parsed = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        match parse(item) {
            Ok(p) => parsed.push(p),
            Err(e) => errors.push((i, e)),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(invalid_items(errors))
    }
}

/// `POST /api/ingest/profiles`: `[{"$distinct_id", "$set"}, ...]`.
pub async fn profiles(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiJson(items): ApiJson<Vec<Value>>,
) -> Result<Json<IngestResult>, Failure> {
    signed_in(&state, &headers)?;
    let updates = parse_all(items, parse_profile_update)?;
    let accepted = updates.len() as u64;
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || store.apply_profile_updates(&updates))
        .await??;
    Ok(Json(IngestResult { accepted }))
}

/// `POST /api/ingest/events`: tracking-shape events.
pub async fn events(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiJson(items): ApiJson<Vec<Value>>,
) -> Result<Json<IngestResult>, Failure> {
    signed_in(&state, &headers)?;
    let events = parse_all(items, parse_event)?;
    let accepted = events.len() as u64;
    let store = state.store.clone();
    let dataset = Dataset {
        events,
        ..Dataset::default()
    };
    tokio::task::spawn_blocking(move || {
        store_dataset(&store, &dataset, unix_now())
    })
    .await??;
    Ok(Json(IngestResult { accepted }))
}

/// `GET /api/events/leanplum?month=YYYY-MM`.
pub async fn leanplum_events(
    State(state): State<SharedState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<EventsSummary>, Failure> {
    let month = match query.get(MONTH_QUERY) {
        None => current_month(unix_now()),
        Some(text) => Month::parse(text).map_err(|e| {
            Failure::new(StatusCode::BAD_REQUEST, "invalid_month", e.message)
                .on_field(MONTH_QUERY)
        })?,
    };
    let store = state.store.clone();
    let summary = tokio::task::spawn_blocking(move || {
        let events = store.events_in(month)?;
        let aliases = store.aliases()?;
        Ok::<_, rusqlite::Error>(summarize_month(month, events, &aliases))
    })
    .await??;
    Ok(Json(summary))
}

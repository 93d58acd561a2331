//! `/api/syncs` and `/api/runs`: starting, listing and stopping syncs,
//! their runs, and each run's CSV.

use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use sync_model::api::{
    ExportKind, Runs, StartSync, Sync, Syncs, IDEMPOTENCY_HEADER,
};
use sync_model::plan::{check_cohort_size, check_new_dynamic_sync};

use super::{admin, path_id, ApiJson};
use crate::error::Failure;
use crate::store::syncs::{
    count_open_dynamic, idempotent_answer, insert_sync,
    open_dynamic_for_cohort, save_idempotent_answer, sync_in, NewSync,
};
use crate::{scheduler, unix_now, SharedState};

/// `GET /api/syncs`.
pub async fn list(
    State(state): State<SharedState>,
) -> Result<Json<Syncs>, Failure> {
    Ok(Json(Syncs {
        syncs: state.store.syncs()?,
    }))
}

fn unknown_sync(raw: &str) -> Failure {
    Failure::not_found(format!("There is no sync {raw:?}."))
}

fn find_sync(state: &SharedState, raw: &str) -> Result<Sync, Failure> {
    let id = path_id(raw, "sync")?;
    state
        .store
        .sync(id)?
        .map(|r| r.sync)
        .ok_or_else(|| unknown_sync(raw))
}

/// `GET /api/syncs/{id}`.
pub async fn one(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Sync>, Failure> {
    Ok(Json(find_sync(&state, &id)?))
}

/// `POST /api/syncs/{id}/stop`: the sync never runs again.
pub async fn stop(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Sync>, Failure> {
    admin(&state, &headers)?;
    let sync = find_sync(&state, &id)?;
    state.store.set_sync_state(sync.id, "stopped", None)?;
    tracing::info!(sync_id = sync.id, "sync stopped");
    Ok(Json(find_sync(&state, &id)?))
}

/// `GET /api/syncs/{id}/runs`.
pub async fn runs(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Json<Runs>, Failure> {
    let sync = find_sync(&state, &id)?;
    Ok(Json(Runs {
        runs: state.store.runs(sync.id)?,
    }))
}

/// `GET /api/runs/{id}/csv`: the run's plan, person by person.
pub async fn csv(
    State(state): State<SharedState>,
    Path(raw): Path<String>,
) -> Result<Response, Failure> {
    let id = path_id(&raw, "run")?;
    let csv = match state.store.run_csv(id)? {
        None => {
            return Err(Failure::not_found(format!("There is no run {raw:?}.")))
        }
        Some(None) => {
            return Err(Failure::not_found(
                "This run's CSV is not available: the run has not planned \
                 yet, or it is older than the runs whose CSV is kept.",
            ))
        }
        Some(Some(csv)) => csv,
    };
    let disposition = format!("attachment; filename=\"run-{id}.csv\"");
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

/// The answer to a start request, as stored for its idempotency key.
struct Started {
    status: StatusCode,
    body: String,
    created: Option<i64>,
}

/// `POST /api/syncs`: starts a one-time export or a dynamic sync, at
/// most once per `Idempotency-Key`.
pub async fn start(
    State(state): State<SharedState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<StartSync>,
) -> Result<Response, Failure> {
    let account = admin(&state, &headers)?;
    let key = headers
        .get(IDEMPOTENCY_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.trim().is_empty())
        .map(|k| format!("{}:{}", account.id, k.trim()));
    let unknown = || {
        Failure::not_found(format!(
            "There is no cohort {:?}.",
            request.cohort_id
        ))
        .on_field("cohort_id")
    };
    let attribute = state
        .store
        .attribute_of(&request.cohort_id)?
        .ok_or_else(unknown)?;
    let started = state.store.with_tx(|tx| -> Result<Started, Failure> {
        if let Some(key) = &key {
            if let Some((status, body)) = idempotent_answer(tx, key)? {
                return Ok(Started {
                    status: StatusCode::from_u16(status)
                        .unwrap_or(StatusCode::OK),
                    body,
                    created: None,
                });
            }
        }
        let started = create(tx, &request, &attribute)?;
        if let Some(key) = &key {
            save_idempotent_answer(
                tx,
                key,
                started.status.as_u16(),
                &started.body,
                unix_now(),
            )?;
        }
        Ok(started)
    })?;
    if let Some(id) = started.created {
        let cohort_id = &request.cohort_id;
        tracing::info!(sync_id = id, %cohort_id, "sync started");
        scheduler::start(&state, id);
    }
    Ok((
        started.status,
        [(CONTENT_TYPE, "application/json")],
        started.body,
    )
        .into_response())
}

fn limit_failure(e: impl std::fmt::Display) -> Failure {
    Failure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "limit_exceeded",
        e.to_string(),
    )
}

/// Creates the sync, or finds the dynamic one the cohort already has.
fn create(
    tx: &rusqlite::Transaction,
    request: &StartSync,
    attribute: &str,
) -> Result<Started, Failure> {
    let cohort: Option<(String, i64)> = tx
        .query_row(
            "SELECT c.name, (SELECT count(*) FROM cohort_members m
                              WHERE m.cohort_id = c.id)
               FROM cohorts c WHERE c.id = ?1",
            params![request.cohort_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((name, members)) = cohort else {
        return Err(Failure::not_found(format!(
            "There is no cohort {:?}.",
            request.cohort_id
        ))
        .on_field("cohort_id"));
    };
    let app_id: Option<String> = tx
        .query_row(
            "SELECT app_id FROM leanplum_connection WHERE id = 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let Some(app_id) = app_id else {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "not_connected",
            "Connect Leanplum before exporting a cohort.",
        ));
    };
    check_cohort_size(members as u64).map_err(limit_failure)?;
    if request.kind == ExportKind::Dynamic {
        if let Some(id) = open_dynamic_for_cohort(tx, &request.cohort_id)? {
            return answer(tx, id, StatusCode::OK, None);
        }
        check_new_dynamic_sync(count_open_dynamic(tx)?)
            .map_err(limit_failure)?;
    }
    let id = insert_sync(
        tx,
        &NewSync {
            cohort_id: &request.cohort_id,
            cohort_name: &name,
            kind: request.kind,
            attribute,
            app_id: &app_id,
            now: unix_now(),
        },
    )?;
    answer(tx, id, StatusCode::CREATED, Some(id))
}

fn answer(
    tx: &rusqlite::Transaction,
    id: i64,
    status: StatusCode,
    created: Option<i64>,
) -> Result<Started, Failure> {
    let sync = sync_in(tx, id)?.ok_or_else(Failure::internal)?.sync;
    let body = serde_json::to_string(&sync).map_err(|_| Failure::internal())?;
    Ok(Started {
        status,
        body,
        created,
    })
}

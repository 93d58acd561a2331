//! HTTP routes: the JSON API under `/api` and, optionally, the built app.
//!
//! Each submodule owns one resource; this one wires them together with
//! request logging, the CSRF guard and the shared extractors.

mod cohorts;
mod ingest;
mod integrations;
mod session;
mod syncs;

use std::time::Instant;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use sync_model::api::Account;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::Failure;
use crate::session::SESSION;
use crate::{demo, SharedState};

/// Builds the whole HTTP surface.
pub fn router(state: SharedState) -> Router {
    let api = Router::new()
        .route(
            "/session",
            get(session::get_session)
                .post(session::sign_in)
                .delete(session::sign_out),
        )
        .route("/integrations", get(integrations::list))
        .route(
            "/integrations/leanplum/connect",
            post(integrations::connect),
        )
        .route(
            "/integrations/leanplum/disconnect",
            post(integrations::disconnect),
        )
        .route("/cohorts", get(cohorts::list))
        .route("/cohorts/{id}/members", get(cohorts::members))
        .route("/cohorts/{id}/snapshot", get(cohorts::snapshot))
        .route("/syncs", get(syncs::list).post(syncs::start))
        .route("/syncs/{id}", get(syncs::one))
        .route("/syncs/{id}/stop", post(syncs::stop))
        .route("/syncs/{id}/runs", get(syncs::runs))
        .route("/runs/{id}/csv", get(syncs::csv))
        .route("/ingest/profiles", post(ingest::profiles))
        .route("/ingest/events", post(ingest::events))
        .route("/events/leanplum", get(ingest::leanplum_events))
        .fallback(|| async { Failure::not_found("No such API endpoint.") })
        .method_not_allowed_fallback(|| async {
            Failure::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "This endpoint does not accept that method.",
            )
        })
        .layer(middleware::from_fn(csrf_guard));
    let mut app = Router::new().nest("/api", api);
    if let Some(dir) = &state.config.static_dir {
        let index = dir.join("index.html");
        app = app.fallback_service(
            ServeDir::new(dir).fallback(ServeFile::new(index)),
        );
    }
    app.layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn csrf_guard(request: Request, next: Next) -> Response {
    match crate::session::check_csrf(request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// The signed-in account, if the session cookie names one.
pub fn current_account(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<Option<Account>, Failure> {
    let Some(id) = crate::session::cookie(headers, SESSION) else {
        return Ok(None);
    };
    let account_id = state.store.session_account(id)?;
    Ok(crate::session::account_of(
        &demo::accounts(),
        account_id.as_deref(),
    ))
}

/// The signed-in account, refusing anyone but a project admin.
pub fn admin(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<Account, Failure> {
    let account = current_account(state, headers)?;
    crate::session::require_admin(account.as_ref()).cloned()
}

/// The signed-in account of any role.
pub fn signed_in(
    state: &SharedState,
    headers: &HeaderMap,
) -> Result<Account, Failure> {
    current_account(state, headers)?.ok_or_else(Failure::unauthenticated)
}

/// A JSON body whose rejection is a `bad_request` error body.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Failure> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_failure(&rejection)),
        }
    }
}

fn json_failure(rejection: &JsonRejection) -> Failure {
    let status = rejection.status();
    let mut failure = Failure::bad_request(format!(
        "The request body is not the JSON this endpoint expects: {}",
        rejection.body_text()
    ));
    if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        failure.status = status;
        failure.code = "unsupported_media_type";
        failure.message = "Send the body as application/json.".into();
    } else if status == StatusCode::PAYLOAD_TOO_LARGE {
        failure.status = status;
        failure.code = "too_large";
        failure.message = "The request body is too large.".into();
    }
    failure
}

/// Parses a numeric id from the path; anything else is an unknown thing.
pub fn path_id(raw: &str, what: &str) -> Result<i64, Failure> {
    raw.parse()
        .map_err(|_| Failure::not_found(format!("There is no {what} {raw:?}.")))
}

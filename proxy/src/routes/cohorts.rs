//! `/api/cohorts`: the cohort list, and each cohort's members and
//! last-synced snapshot streamed in the sync model's line formats.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use axum::Json;
use sync_model::api::{Cohorts, COUNT_HEADER};
use sync_model::members::{write_member_line, write_snapshot_line};
use tokio::sync::mpsc;

use crate::error::Failure;
use crate::store::{Store, StoreResult};
use crate::SharedState;

/// `GET /api/cohorts`.
pub async fn list(
    State(state): State<SharedState>,
) -> Result<Json<Cohorts>, Failure> {
    Ok(Json(Cohorts {
        cohorts: state.store.cohorts()?,
    }))
}

type Chunk = Result<String, std::io::Error>;

/// Hands text to the response; false once the client is gone.
type Sender<'a> = &'a mut dyn FnMut(String) -> bool;

/// A text response fed page by page by `produce` on a blocking thread;
/// `produce` gets a sender that returns false once the client is gone.
fn line_stream(
    store: Store,
    count: u64,
    produce: impl FnOnce(&Store, Sender) -> StoreResult<()> + Send + 'static,
) -> Result<Response, Failure> {
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    tokio::task::spawn_blocking(move || {
        let mut send = |text: String| tx.blocking_send(Ok(text)).is_ok();
        if let Err(e) = produce(&store, &mut send) {
            tracing::error!(error = %e, "database error while streaming");
            let failed = std::io::Error::other("database error");
            let _ = tx.blocking_send(Err(failed));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Response::builder()
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(COUNT_HEADER, count)
        .body(Body::from_stream(stream))
        .map_err(|_| Failure::internal())
}

fn unknown_cohort(id: &str) -> Failure {
    Failure::not_found(format!("There is no cohort {id:?}."))
}

/// `GET /api/cohorts/{id}/members`: member lines, one per member.
pub async fn members(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    let count = state
        .store
        .member_count(&id)?
        .ok_or_else(|| unknown_cohort(&id))?;
    line_stream(state.store.clone(), count, move |store, send| {
        store.for_each_member_page(&id, |page| {
            let mut text = String::with_capacity(page.len() * 24);
            for member in &page {
                write_member_line(member, &mut text);
            }
            send(text)
        })
    })
}

/// `GET /api/cohorts/{id}/snapshot`: snapshot lines of what the last
/// sync left set on Leanplum; empty when never synced.
pub async fn snapshot(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> Result<Response, Failure> {
    if state.store.member_count(&id)?.is_none() {
        return Err(unknown_cohort(&id));
    }
    let app_id = state.store.cohort_app_id(&id)?;
    let count = match &app_id {
        Some(app_id) => state.store.snapshot_count(app_id, &id)?,
        None => 0,
    };
    line_stream(state.store.clone(), count, move |store, send| {
        let Some(app_id) = app_id else { return Ok(()) };
        store.for_each_snapshot_page(&app_id, &id, |page| {
            let mut text = String::with_capacity(page.len() * 32);
            for entry in &page {
                write_snapshot_line(entry, &mut text);
            }
            send(text)
        })
    })
}

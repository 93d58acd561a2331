//! `/api/session`: who is asking, demo sign-in and sign-out.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use sync_model::api::{Role, Session, SignIn, CSRF_COOKIE};

use super::{current_account, ApiJson};
use crate::error::Failure;
use crate::session::{self, SESSION};
use crate::{demo, unix_now, SharedState};

/// `GET /api/session`.
pub async fn get_session(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let mut cookies = Vec::new();
    let mut account = current_account(&state, &headers)?;
    if account.is_none() && state.config.demo {
        // In demo mode a new visitor is signed in as the demo admin.
        let admin = demo::accounts().remove(0);
        let token = session::new_token();
        state.store.create_session(&token, &admin.id, unix_now())?;
        cookies.push(session::set_cookie(SESSION, &token, true));
        account = Some(admin);
    }
    let csrf_token = match session::cookie(&headers, CSRF_COOKIE) {
        Some(t) if !t.is_empty() => t.to_string(),
        _ => {
            let t = session::new_token();
            cookies.push(session::set_cookie(CSRF_COOKIE, &t, false));
            t
        }
    };
    let body = Session {
        is_admin: account.as_ref().is_some_and(|a| a.role == Role::Admin),
        account,
        csrf_token,
        demo: state.config.demo,
        demo_accounts: if state.config.demo {
            demo::accounts()
        } else {
            Vec::new()
        },
        leanplum_sandbox: state.config.leanplum_sandbox,
    };
    let mut response = Json(body).into_response();
    for c in cookies {
        response.headers_mut().append(SET_COOKIE, c);
    }
    Ok(response)
}

/// `POST /api/session`.
pub async fn sign_in(
    State(state): State<SharedState>,
    ApiJson(request): ApiJson<SignIn>,
) -> Result<Response, Failure> {
    let Some(account) =
        session::account_of(&demo::accounts(), Some(&request.account_id))
    else {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            "unknown_account",
            format!("There is no account \"{}\".", request.account_id),
        )
        .on_field("account_id"));
    };
    let token = session::new_token();
    state
        .store
        .create_session(&token, &account.id, unix_now())?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, session::set_cookie(SESSION, &token, true));
    Ok(response)
}

/// `DELETE /api/session`.
pub async fn sign_out(
    State(state): State<SharedState>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    if let Some(id) = session::cookie(&headers, SESSION) {
        state.store.delete_session(id)?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .append(SET_COOKIE, session::clear_cookie(SESSION));
    Ok(response)
}

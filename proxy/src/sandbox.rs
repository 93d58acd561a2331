//! The built-in Leanplum sandbox for demo mode: an in-process server on
//! loopback that speaks the calls the proxy makes, accepts one demo
//! credential pair and keeps user attributes in memory.
//!
//! Unlike Leanplum it knows every user ID, so demo exports show users
//! added rather than "not found".

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sync_model::check_credentials;
use sync_model::plan::{MAX_ACTIONS_PER_CALL, MAX_USERS_PER_CALL};

/// The only App ID the sandbox accepts.
pub const SANDBOX_APP_ID: &str =
    "app_cohort-sync-demo-sandbox-app-00000000000000";

/// The only API secret the sandbox accepts.
pub const SANDBOX_API_SECRET: &str =
    "prod_cohort-sync-demo-sandbox-key-00000000000000";

/// User attributes by user ID.
pub type Attributes = HashMap<String, Map<String, Value>>;

/// A running sandbox.
#[derive(Clone)]
pub struct Sandbox {
    /// Base URL to give the Leanplum client.
    pub url: String,
    users: Arc<Mutex<Attributes>>,
}

impl Sandbox {
    /// A copy of every user's attributes.
    pub fn attributes(&self) -> Attributes {
        self.users.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Starts the sandbox on `127.0.0.1:0` for the life of the runtime.
pub async fn start() -> std::io::Result<Sandbox> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/api", listener.local_addr()?);
    let users = Arc::new(Mutex::new(Attributes::new()));
    let app = Router::new()
        .route("/api", post(call))
        .with_state(users.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "leanplum sandbox stopped");
        }
    });
    Ok(Sandbox { url, users })
}

#[derive(Deserialize)]
struct CallQuery {
    action: Option<String>,
}

fn refusal(status: StatusCode, message: &str) -> Response {
    let body = json!({"response": [
        {"success": false, "error": {"message": message}}
    ]});
    (status, Json(body)).into_response()
}

fn expected_authorization() -> String {
    check_credentials(SANDBOX_APP_ID, SANDBOX_API_SECRET)
        .basic_authorization()
        .unwrap_or_default()
}

async fn call(
    State(users): State<Arc<Mutex<Attributes>>>,
    Query(query): Query<CallQuery>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let authorized = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected_authorization())
        && body.get("appId").and_then(Value::as_str) == Some(SANDBOX_APP_ID)
        && body.get("clientKey").and_then(Value::as_str)
            == Some(SANDBOX_API_SECRET);
    if !authorized {
        return refusal(
            StatusCode::UNAUTHORIZED,
            "Invalid appId or clientKey.",
        );
    }
    if query.action.as_deref() != Some("multi") {
        return refusal(StatusCode::BAD_REQUEST, "Unknown action.");
    }
    let actions = match body.get("data").and_then(Value::as_array) {
        Some(a) => a,
        None => return refusal(StatusCode::BAD_REQUEST, "Missing data."),
    };
    let distinct: HashSet<&str> = actions
        .iter()
        .filter_map(|a| a.get("userId").and_then(Value::as_str))
        .collect();
    if distinct.len() > MAX_USERS_PER_CALL
        || actions.len() > MAX_ACTIONS_PER_CALL
    {
        return refusal(
            StatusCode::FORBIDDEN,
            "Too many users or actions in one multi call.",
        );
    }
    let mut users = users.lock().unwrap_or_else(|e| e.into_inner());
    let answers: Vec<Value> = actions
        .iter()
        .map(|action| apply(&mut users, action))
        .collect();
    Json(json!({ "response": answers })).into_response()
}

fn apply(users: &mut Attributes, action: &Value) -> Value {
    let kind = action.get("action").and_then(Value::as_str);
    let user = action.get("userId").and_then(Value::as_str);
    let attributes = action.get("userAttributes").and_then(Value::as_object);
    match (kind, user, attributes) {
        (Some("setUserAttributes"), Some(user), Some(attributes)) => {
            let stored = users.entry(user.to_owned()).or_default();
            for (name, value) in attributes {
                stored.insert(name.clone(), value.clone());
            }
            json!({"success": true})
        }
        _ => json!({
            "success": false,
            "error": {"message": "Only setUserAttributes with a userId \
                                  and userAttributes is supported."}
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_pair_passes_the_credential_check_without_warnings() {
        let check = check_credentials(SANDBOX_APP_ID, SANDBOX_API_SECRET);
        assert!(check.errors.is_empty(), "{:?}", check.errors);
        assert!(check.warnings.is_empty(), "{:?}", check.warnings);
    }
}

//! A fake Leanplum for tests: checks keys, enforces the per-call limits,
//! keeps per-user attributes and how often each was set, knows a set of
//! users, and fails on request.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::{APP_ID, SECRET};

/// A fault to answer the next call with.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Answer with this status and an error message.
    Status(u16),
    /// 401 whose message echoes the secret, as a careless server might.
    EchoSecret401,
    /// 429 with `Retry-After: secs`.
    TooMany(u64),
    /// Sleep this long, then answer 500 without applying anything.
    Hang(Duration),
    /// Apply even actions, fail odd ones.
    FailOdd,
}

/// What the fake holds.
#[derive(Debug, Default)]
pub struct FakeState {
    /// Users that exist; `None` means every user.
    pub known: Option<HashSet<String>>,
    /// Attributes by user.
    pub attributes: HashMap<String, Map<String, Value>>,
    /// Values set, in order, by (user, attribute).
    pub sets: HashMap<(String, String), Vec<bool>>,
    /// Faults for the next calls, first first.
    pub faults: VecDeque<Fault>,
    /// Delay before applying each call.
    pub delay: Duration,
    /// Calls received.
    pub calls: usize,
    /// Calls that applied updates (not credential checks).
    pub applied_calls: usize,
    /// Query strings received.
    pub queries: Vec<String>,
}

/// A running fake.
#[derive(Clone)]
pub struct FakeLeanplum {
    /// Base URL for `--leanplum-url`.
    pub url: String,
    /// Its state.
    pub state: Arc<Mutex<FakeState>>,
}

impl FakeLeanplum {
    /// Starts a fake that knows every user.
    pub async fn start() -> FakeLeanplum {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/api", post(call))
            .with_state(state.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeLeanplum { url, state }
    }

    /// Locks the state.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, FakeState> {
        self.state.lock().unwrap()
    }

    /// Queues faults for the next calls.
    pub fn fail_next(&self, faults: &[Fault]) {
        self.lock().faults.extend(faults.iter().cloned());
    }

    /// Users with `attribute` set to true.
    pub fn holders(&self, attribute: &str) -> HashSet<String> {
        self.lock()
            .attributes
            .iter()
            .filter(|(_, a)| a.get(attribute) == Some(&Value::Bool(true)))
            .map(|(u, _)| u.clone())
            .collect()
    }

    /// Values set on (user, attribute), in order.
    pub fn sets_of(&self, user: &str, attribute: &str) -> Vec<bool> {
        self.lock()
            .sets
            .get(&(user.to_owned(), attribute.to_owned()))
            .cloned()
            .unwrap_or_default()
    }
}

fn error(status: u16, message: &str) -> Response {
    let body = json!({"response": [
        {"success": false, "error": {"message": message}}
    ]});
    (StatusCode::from_u16(status).unwrap(), Json(body)).into_response()
}

fn expected_auth() -> String {
    sync_model::check_credentials(APP_ID, SECRET)
        .basic_authorization()
        .unwrap()
}

async fn call(
    State(state): State<Arc<Mutex<FakeState>>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let (fault, delay) = {
        let mut s = state.lock().unwrap();
        s.calls += 1;
        s.queries.push(format!("{query:?}"));
        (s.faults.pop_front(), s.delay)
    };
    match &fault {
        Some(Fault::Status(code)) => return error(*code, "Simulated failure."),
        Some(Fault::EchoSecret401) => {
            return error(401, &format!("Invalid clientKey {SECRET}"))
        }
        Some(Fault::TooMany(secs)) => {
            let mut r = error(429, "Too many requests.");
            r.headers_mut()
                .insert("retry-after", secs.to_string().parse().unwrap());
            return r;
        }
        Some(Fault::Hang(d)) => {
            tokio::time::sleep(*d).await;
            return error(500, "Too slow.");
        }
        _ => {}
    }
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(expected_auth().as_str())
        && body["appId"] == APP_ID
        && body["clientKey"] == SECRET;
    if !authorized {
        return error(401, "Invalid appId or clientKey.");
    }
    if query.contains_key("appId") || query.contains_key("clientKey") {
        return error(400, "Keys belong in the body.");
    }
    if query.get("action").map(String::as_str) != Some("multi")
        || query.get("apiVersion").map(String::as_str) != Some("1.0.6")
    {
        return error(400, "Unknown action or version.");
    }
    let Some(actions) = body["data"].as_array().cloned() else {
        return error(400, "Missing data.");
    };
    let users: HashSet<&str> = actions
        .iter()
        .filter_map(|a| a["userId"].as_str())
        .collect();
    if users.len() > 50 || actions.len() > 500 {
        return error(403, "Too many users in one call.");
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut s = state.lock().unwrap();
    let mut answers = Vec::new();
    let mut applied_any = false;
    for (i, action) in actions.iter().enumerate() {
        if matches!(fault, Some(Fault::FailOdd)) && i % 2 == 1 {
            answers.push(json!({"success": false,
                                "error": {"message": "Internal error"}}));
            continue;
        }
        let user = action["userId"].as_str().unwrap_or("").to_owned();
        let known = s.known.as_ref().is_none_or(|k| k.contains(&user));
        if !known {
            answers.push(json!({"success": true,
                                "warning": {"message": "User not found"}}));
            continue;
        }
        let attributes = action["userAttributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (name, value) in attributes {
            applied_any = true;
            if let Some(b) = value.as_bool() {
                s.sets
                    .entry((user.clone(), name.clone()))
                    .or_default()
                    .push(b);
            }
            s.attributes
                .entry(user.clone())
                .or_default()
                .insert(name, value);
        }
        answers.push(json!({"success": true}));
    }
    if applied_any {
        s.applied_calls += 1;
    }
    Json(json!({"response": answers})).into_response()
}

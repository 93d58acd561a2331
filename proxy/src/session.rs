//! Who is asking: session cookies, demo accounts and CSRF checks.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use sync_model::api::{
    Account, Role, CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE,
};

use crate::error::Failure;

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A fresh unguessable token (128 bits, hex).
pub fn new_token() -> String {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .expect("the OS random source is available");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A `Set-Cookie` value scoped to the whole site.
pub fn set_cookie(name: &str, value: &str, http_only: bool) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; SameSite=Strict");
    if http_only {
        cookie.push_str("; HttpOnly");
    }
    HeaderValue::from_str(&cookie).expect("tokens are ASCII")
}

/// A `Set-Cookie` value that removes a cookie.
pub fn clear_cookie(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Max-Age=0; SameSite=Strict"
    ))
    .expect("ASCII")
}

/// Refuses a state-changing request whose CSRF header does not repeat
/// the CSRF cookie.
pub fn check_csrf(method: &Method, headers: &HeaderMap) -> Result<(), Failure> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let cookie = cookie(headers, CSRF_COOKIE);
    let header = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    match (cookie, header) {
        (Some(c), Some(h)) if !c.is_empty() && c == h => Ok(()),
        _ => Err(Failure::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "The request lacks a valid CSRF token; reload the page and try again.",
        )),
    }
}

/// The account behind the session cookie, if any.
pub fn account_of(accounts: &[Account], id: Option<&str>) -> Option<Account> {
    let id = id?;
    accounts.iter().find(|a| a.id == id).cloned()
}

/// Refuses anyone but a project admin.
pub fn require_admin(account: Option<&Account>) -> Result<&Account, Failure> {
    match account {
        Some(a) if a.role == Role::Admin => Ok(a),
        Some(_) => Err(Failure::admin_only()),
        None => Err(Failure::unauthenticated()),
    }
}

/// Name of the session cookie (re-exported for the routes).
pub const SESSION: &str = SESSION_COOKIE;

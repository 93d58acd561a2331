//! The one typed client of the proxy's JSON API.
//!
//! Every answer is decoded into the shared `sync_model::api` types; every
//! failure becomes a [`ClientError`] with words a person can act on.

mod stream;

pub use stream::{yield_to_browser, LineStream};

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sync_model::api::{ErrorBody, CSRF_HEADER};
use web_sys::RequestCredentials;

/// Why a call to the proxy did not give the expected answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// The proxy could not be reached at all.
    Unreachable,
    /// The proxy answered with an error body.
    Api {
        /// HTTP status.
        status: u16,
        /// Stable machine code.
        code: String,
        /// The proxy's message.
        message: String,
        /// Request field at fault.
        field: Option<String>,
    },
    /// The proxy answered something this console cannot read.
    Unreadable {
        /// HTTP status.
        status: u16,
    },
}

impl ClientError {
    /// What to tell the person, in words.
    pub fn message(&self) -> String {
        match self {
            Self::Unreachable => "The proxy cannot be reached. Check your \
                                  connection and that the proxy is running."
                .to_string(),
            Self::Api { message, .. } => message.clone(),
            Self::Unreadable { status: 502..=504 } => "The proxy is \
                unavailable right now. Check that it is running, then retry."
                .to_string(),
            Self::Unreadable { status } => format!(
                "The proxy answered with an unexpected response \
                 (HTTP {status})."
            ),
        }
    }

    /// The machine code, when the proxy gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Decodes an error answer from its status and body text.
    pub fn from_answer(status: u16, body: &str) -> Self {
        match serde_json::from_str::<ErrorBody>(body) {
            Ok(b) => Self::Api {
                status,
                code: b.error.code,
                message: b.error.message,
                field: b.error.field,
            },
            Err(_) => Self::Unreadable { status },
        }
    }
}

/// Client of the proxy at one base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiClient {
    base: String,
}

impl ApiClient {
    /// A client of the API at `base` (such as `/api`).
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    /// Full URL of an endpoint path such as `/cohorts`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn prepare(&self, builder: RequestBuilder) -> RequestBuilder {
        // Cookies carry the session even when the proxy is on another
        // origin.
        builder.credentials(RequestCredentials::Include)
    }

    /// `GET` a JSON resource.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<T, ClientError> {
        let request = self.prepare(Request::get(&self.url(path)));
        let response =
            request.send().await.map_err(|_| ClientError::Unreachable)?;
        decode(response).await
    }

    /// Sends a state-changing request with a JSON body and the CSRF token.
    pub async fn send<B: Serialize, T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        csrf: &str,
        body: Option<&B>,
        extra_headers: &[(&str, &str)],
    ) -> Result<T, ClientError> {
        let url = self.url(path);
        let mut builder = match method {
            "DELETE" => Request::delete(&url),
            "PUT" => Request::put(&url),
            _ => Request::post(&url),
        };
        builder = self.prepare(builder).header(CSRF_HEADER, csrf);
        for (name, value) in extra_headers {
            builder = builder.header(name, value);
        }
        let request = match body {
            Some(b) => builder.json(b),
            None => builder.build(),
        }
        .map_err(|_| ClientError::Unreadable { status: 0 })?;
        let response =
            request.send().await.map_err(|_| ClientError::Unreachable)?;
        decode(response).await
    }
}

async fn decode<T: DeserializeOwned>(
    response: Response,
) -> Result<T, ClientError> {
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|_| ClientError::Unreadable { status })?;
    if !(200..300).contains(&status) {
        return Err(ClientError::from_answer(status, &text));
    }
    // A 204 carries no body; `null` decodes into `()`.
    let text = if text.trim().is_empty() {
        "null"
    } else {
        &text
    };
    serde_json::from_str(text).map_err(|_| ClientError::Unreadable { status })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_api_errors_with_their_message() {
        let e = ClientError::from_answer(
            403,
            r#"{"error":{"code":"forbidden","message":"Admins only.","field":null}}"#,
        );
        assert_eq!(e.code(), Some("forbidden"));
        assert_eq!(e.message(), "Admins only.");
    }

    #[test]
    fn unreadable_error_bodies_name_the_status() {
        let e = ClientError::from_answer(500, "<html>Oops</html>");
        assert_eq!(e, ClientError::Unreadable { status: 500 });
        assert_eq!(
            e.message(),
            "The proxy answered with an unexpected response (HTTP 500)."
        );
    }

    #[test]
    fn gateway_errors_say_the_proxy_is_unavailable() {
        for status in [502, 503, 504] {
            let e =
                ClientError::from_answer(status, "<html>Bad gateway</html>");
            assert_eq!(e, ClientError::Unreadable { status });
            assert_eq!(
                e.message(),
                "The proxy is unavailable right now. Check that it is \
                 running, then retry."
            );
        }
    }

    #[test]
    fn urls_join_the_base_and_the_path() {
        let c = ApiClient::new("https://p.example.com/api");
        assert_eq!(c.url("/cohorts"), "https://p.example.com/api/cohorts");
    }
}

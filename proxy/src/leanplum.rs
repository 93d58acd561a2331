//! Leanplum's HTTP API as the proxy uses it: checking a credential pair
//! and sending `multi` batches, retrying the faults that may pass.
//!
//! Keys travel in the JSON body and the `Authorization` header, never in
//! the URL; every text passed on is scrubbed of the secret.

use std::time::{Duration, Instant};

use axum::http::header::{AUTHORIZATION, RETRY_AFTER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sync_model::check_credentials;
use sync_model::plan::{MultiBatch, LEANPLUM_API_VERSION};

/// User ID the credential check addresses; Leanplum answers "user not
/// found" for it, which still proves the keys are good.
pub const PROBE_USER_ID: &str = "cohort-sync-credential-check";

/// A Leanplum App ID and API secret. Debug output hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The App ID, the Basic-auth user name.
    pub app_id: String,
    /// The API secret, the Basic-auth password.
    pub api_secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("app_id", &self.app_id)
            .field("api_secret", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// Replaces every occurrence of the secret in `text`.
    pub fn scrub(&self, text: &str) -> String {
        scrub(text, &self.api_secret)
    }
}

/// `text` with every occurrence of `secret` replaced by `[redacted]`.
pub fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        return text.to_owned();
    }
    text.replace(secret, "[redacted]")
}

/// How often and how long calls are retried.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub tries: u32,
    /// Delay before the first retry; doubled for each later one.
    pub base_delay: Duration,
    /// No retry starts later than this after the first attempt.
    pub budget: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            tries: 5,
            base_delay: Duration::from_secs(1),
            budget: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
        }
    }
}

/// Why a call did not get an answer to act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeanplumError {
    /// Leanplum refused the request (400, 401, 403, 404, or an error
    /// answer); retrying will not help.
    Refused {
        /// HTTP status of the refusal.
        status: u16,
        /// Leanplum's reason, scrubbed of the secret.
        reason: String,
    },
    /// Leanplum could not be reached or kept failing (connection error,
    /// timeout, 5xx or 429 after every retry).
    Unreachable(String),
}

impl LeanplumError {
    /// True when Leanplum refused the keys themselves (401 or 403).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Self::Refused {
                status: 401 | 403,
                ..
            }
        )
    }
}

impl std::fmt::Display for LeanplumError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused { reason, .. } | Self::Unreachable(reason) => {
                f.write_str(reason)
            }
        }
    }
}

/// One attempt's outcome.
enum Attempt {
    Answer(Value),
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    Refused {
        status: u16,
        reason: String,
    },
}

/// Client for one Leanplum API base URL.
#[derive(Clone, Debug)]
pub struct LeanplumClient {
    http: reqwest::Client,
    base: String,
    retry: RetryPolicy,
}

impl LeanplumClient {
    /// A client for `base` (such as `https://api.leanplum.com/api`).
    pub fn new(base: impl Into<String>, retry: RetryPolicy) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: base.into(),
            retry,
        }
    }

    /// The API base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Asks Leanplum whether it accepts the pair, with a
    /// `setUserAttributes` that never creates its probe user.
    pub async fn verify(
        &self,
        credentials: &Credentials,
    ) -> Result<(), LeanplumError> {
        let body = json!({
            "appId": credentials.app_id,
            "clientKey": credentials.api_secret,
            "apiVersion": LEANPLUM_API_VERSION,
            "time": crate::unix_now(),
            "data": [{
                "action": "setUserAttributes",
                "userId": PROBE_USER_ID,
                "userAttributes": {},
                "createDisposition": "CreateNever",
            }],
        });
        let answer = self.multi_call(credentials, &body).await?;
        let first = answer
            .get("response")
            .and_then(Value::as_array)
            .and_then(|items| items.first());
        match first
            .and_then(|i| i.get("success"))
            .and_then(Value::as_bool)
        {
            Some(true) => Ok(()),
            Some(false) => Err(LeanplumError::Refused {
                status: 200,
                reason: credentials.scrub(
                    &error_message(&answer).unwrap_or_else(|| {
                        "Leanplum refused the App ID and API secret.".into()
                    }),
                ),
            }),
            None => Err(LeanplumError::Unreachable(
                "Leanplum's answer to the credential check was not \
                 understood."
                    .into(),
            )),
        }
    }

    /// Sends one batch and returns Leanplum's answer for `fold_response`.
    pub async fn send_batch(
        &self,
        credentials: &Credentials,
        batch: &MultiBatch,
    ) -> Result<Value, LeanplumError> {
        let time = crate::unix_now().max(0) as u64;
        let body =
            batch.to_json(&credentials.app_id, &credentials.api_secret, time);
        self.multi_call(credentials, &body).await
    }

    /// POSTs an `action=multi` body, retrying 5xx, 429 and timeouts.
    async fn multi_call(
        &self,
        credentials: &Credentials,
        body: &Value,
    ) -> Result<Value, LeanplumError> {
        let check =
            check_credentials(&credentials.app_id, &credentials.api_secret);
        let Some(authorization) = check.basic_authorization() else {
            return Err(LeanplumError::Refused {
                status: 400,
                reason: "The stored App ID or API secret is malformed; \
                         connect Leanplum again."
                    .into(),
            });
        };
        let url = format!(
            "{}?action=multi&apiVersion={LEANPLUM_API_VERSION}",
            self.base
        );
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.attempt(&url, &authorization, body).await;
            let (reason, after) = match outcome {
                Attempt::Answer(value) => return Ok(value),
                Attempt::Refused { status, reason } => {
                    return Err(LeanplumError::Refused {
                        status,
                        reason: credentials.scrub(&reason),
                    })
                }
                Attempt::Retry { reason, after } => (reason, after),
            };
            let reason = credentials.scrub(&reason);
            let delay = after.unwrap_or_else(|| self.backoff(attempt));
            let late = started.elapsed() + delay > self.retry.budget;
            if attempt >= self.retry.tries || late {
                return Err(LeanplumError::Unreachable(format!(
                    "{reason} (gave up after {attempt} attempts)"
                )));
            }
            tracing::warn!(attempt, %reason, "leanplum call will be retried");
            tokio::time::sleep(delay).await;
        }
    }

    /// Exponential backoff with up to 50% jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.retry.base_delay * 2u32.saturating_pow(attempt - 1);
        let mut byte = [0u8; 1];
        let _ = getrandom::getrandom(&mut byte);
        base + base.mul_f64(f64::from(byte[0]) / 510.0)
    }

    async fn attempt(
        &self,
        url: &str,
        authorization: &str,
        body: &Value,
    ) -> Attempt {
        let sent = self
            .http
            .post(url)
            .header(AUTHORIZATION, authorization)
            .timeout(self.retry.timeout)
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let reason = if e.is_timeout() {
                    format!(
                        "Leanplum did not answer within {} ms",
                        self.retry.timeout.as_millis()
                    )
                } else {
                    "Leanplum could not be reached".to_owned()
                };
                return Attempt::Retry {
                    reason,
                    after: None,
                };
            }
        };
        let status = response.status();
        let after = retry_after(response.headers());
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) if e.is_timeout() => {
                return Attempt::Retry {
                    reason: "Leanplum's answer did not arrive in time".into(),
                    after: None,
                }
            }
            Err(_) => String::new(),
        };
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        classify(status, value, after)
    }
}

fn classify(
    status: StatusCode,
    value: Value,
    after: Option<Duration>,
) -> Attempt {
    if status.is_success() {
        return Attempt::Answer(value);
    }
    let message = error_message(&value);
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Attempt::Retry {
            reason: format!(
                "Leanplum answered {}{}",
                status.as_u16(),
                message.map(|m| format!(": {m}")).unwrap_or_default()
            ),
            after,
        };
    }
    let reason = message.unwrap_or_else(|| match status.as_u16() {
        401 | 403 => "Leanplum refused the App ID and API secret.".into(),
        404 => "Leanplum does not know this API endpoint or app.".into(),
        code => format!("Leanplum refused the request ({code})."),
    });
    Attempt::Refused {
        status: status.as_u16(),
        reason,
    }
}

/// The first error message in a Leanplum answer, if any.
pub fn error_message(answer: &Value) -> Option<String> {
    let from_item = |item: &Value| {
        item.get("error")?
            .get("message")?
            .as_str()
            .map(str::to_owned)
    };
    if let Some(m) = from_item(answer) {
        return Some(m);
    }
    answer
        .get("response")?
        .as_array()?
        .iter()
        .find_map(from_item)
}

/// `Retry-After` in seconds, capped so one answer cannot stall a run.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs.min(30)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_every_copy_of_the_secret() {
        assert_eq!(
            scrub("bad key prod_x, really prod_x", "prod_x"),
            "bad key [redacted], really [redacted]"
        );
    }

    #[test]
    fn error_message_reads_the_first_failed_item() {
        let answer = json!({"response": [
            {"success": true},
            {"success": false, "error": {"message": "Invalid key"}}
        ]});
        assert_eq!(error_message(&answer).as_deref(), Some("Invalid key"));
    }

    #[test]
    fn server_errors_and_throttling_are_retried() {
        let retry = |s: u16| {
            matches!(
                classify(StatusCode::from_u16(s).unwrap(), Value::Null, None),
                Attempt::Retry { .. }
            )
        };
        assert!(retry(500) && retry(503) && retry(429));
        assert!(!retry(401) && !retry(400) && !retry(404));
    }
}

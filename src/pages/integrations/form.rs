//! The connect form's rules: what the admin typed, which problems to show
//! under which field, and what a failed connect attempt means.
//!
//! Plain data so it is tested natively; the dialog only renders it.

use sync_model::api::ConnectRequest;
use sync_model::{check_credentials, CredentialCheck, CredentialField};

use crate::client::ClientError;

/// How serious a problem shown under a field is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Blocks connecting.
    Error,
    /// Worth a look; does not block.
    Warning,
}

/// One problem to show under a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownIssue {
    /// Error or warning.
    pub severity: Severity,
    /// The sentence to show.
    pub message: String,
}

/// The two values in the connect dialog and which ones were typed in.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CredentialForm {
    app_id: String,
    api_secret: String,
    app_id_touched: bool,
    api_secret_touched: bool,
}

impl std::fmt::Debug for CredentialForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialForm")
            .field("app_id", &self.app_id)
            .field("api_secret", &"<redacted>")
            .finish()
    }
}

impl CredentialForm {
    /// The raw text of a field, as typed.
    pub fn value(&self, field: CredentialField) -> &str {
        match field {
            CredentialField::AppId => &self.app_id,
            CredentialField::ApiSecret => &self.api_secret,
        }
    }

    /// Records what the admin typed into a field; from now on its
    /// problems are shown.
    pub fn set(&mut self, field: CredentialField, text: String) {
        match field {
            CredentialField::AppId => {
                self.app_id = text;
                self.app_id_touched = true;
            }
            CredentialField::ApiSecret => {
                self.api_secret = text;
                self.api_secret_touched = true;
            }
        }
    }

    /// True once the admin typed in the field. Leaving an untouched
    /// field shows nothing: a message appearing on blur would move the
    /// button being clicked out from under the pointer.
    pub fn touched(&self, field: CredentialField) -> bool {
        match field {
            CredentialField::AppId => self.app_id_touched,
            CredentialField::ApiSecret => self.api_secret_touched,
        }
    }

    /// The sync model's verdict on both values.
    pub fn check(&self) -> CredentialCheck {
        check_credentials(&self.app_id, &self.api_secret)
    }

    /// Problems to show under a field: none until it was touched, so an
    /// empty dialog is not all red; errors first, then warnings.
    pub fn shown_issues(&self, field: CredentialField) -> Vec<ShownIssue> {
        if !self.touched(field) {
            return Vec::new();
        }
        let check = self.check();
        let errors = check.errors_for(field).map(|i| ShownIssue {
            severity: Severity::Error,
            message: i.message.clone(),
        });
        let warnings = check.warnings_for(field).map(|i| ShownIssue {
            severity: Severity::Warning,
            message: i.message.clone(),
        });
        errors.chain(warnings).collect()
    }

    /// True when a field has an error the admin can see.
    pub fn shows_error(&self, field: CredentialField) -> bool {
        self.shown_issues(field)
            .iter()
            .any(|i| i.severity == Severity::Error)
    }

    /// A note when surrounding whitespace was removed from a field.
    pub fn trimmed_note(&self, field: CredentialField) -> Option<String> {
        self.check().trimmed.contains(&field).then(|| {
            format!(
                "Spaces or line breaks around the {} were removed.",
                field.label()
            )
        })
    }

    /// The request to send, trimmed, when there is no error at all.
    pub fn request(&self) -> Option<ConnectRequest> {
        let check = self.check();
        check.is_valid().then(|| ConnectRequest {
            app_id: check.app_id.clone(),
            api_secret: check.api_secret.clone(),
        })
    }
}

/// Why a connect attempt failed, as the dialog presents it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectFailure {
    /// Leanplum refused the pair; the message carries its reason.
    Rejected(String),
    /// Leanplum could not be reached; worth a retry.
    LeanplumUnreachable(String),
    /// The proxy could not be reached; worth a retry.
    ProxyUnreachable(String),
    /// The proxy found a problem with one field.
    Invalid {
        /// The field at fault, if the proxy named one.
        field: Option<CredentialField>,
        /// The proxy's message.
        message: String,
    },
    /// Anything else, such as a missing permission.
    Other(String),
}

impl ConnectFailure {
    /// Classifies a failed connect call.
    pub fn from_error(error: &ClientError) -> Self {
        match error {
            ClientError::Api { code, message, .. }
                if code == "leanplum_rejected" =>
            {
                Self::Rejected(message.clone())
            }
            ClientError::Api { code, message, .. }
                if code == "leanplum_unreachable" =>
            {
                Self::LeanplumUnreachable(message.clone())
            }
            ClientError::Api {
                code,
                message,
                field,
                ..
            } if code == "invalid_credentials" => Self::Invalid {
                field: match field.as_deref() {
                    Some("app_id") => Some(CredentialField::AppId),
                    Some("api_secret") => Some(CredentialField::ApiSecret),
                    _ => None,
                },
                message: message.clone(),
            },
            ClientError::Unreachable
            | ClientError::Unreadable { status: 502..=504 } => {
                Self::ProxyUnreachable(error.message())
            }
            other => Self::Other(other.message()),
        }
    }

    /// True when trying the same values again may work.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            Self::LeanplumUnreachable(_) | Self::ProxyUnreachable(_)
        )
    }

    /// The headline shown above the message.
    pub fn headline(&self) -> &'static str {
        match self {
            Self::Rejected(_) => "Leanplum did not accept these credentials.",
            Self::LeanplumUnreachable(_) => "Could not reach Leanplum.",
            Self::ProxyUnreachable(_) => "Could not reach the proxy.",
            Self::Invalid { .. } => "These credentials are not valid.",
            Self::Other(_) => "Could not connect.",
        }
    }

    /// The detail: Leanplum's or the proxy's words.
    pub fn message(&self) -> &str {
        match self {
            Self::Rejected(m)
            | Self::LeanplumUnreachable(m)
            | Self::ProxyUnreachable(m)
            | Self::Other(m) => m,
            Self::Invalid { message, .. } => message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_ID: &str = "app_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const SECRET: &str = "prod_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

    fn filled(app_id: &str, secret: &str) -> CredentialForm {
        let mut form = CredentialForm::default();
        form.set(CredentialField::AppId, app_id.to_string());
        form.set(CredentialField::ApiSecret, secret.to_string());
        form
    }

    #[test]
    fn an_untouched_form_shows_nothing_and_cannot_be_sent() {
        let form = CredentialForm::default();
        assert!(form.shown_issues(CredentialField::AppId).is_empty());
        assert!(form.shown_issues(CredentialField::ApiSecret).is_empty());
        assert_eq!(form.request().map(|r| r.app_id), None);
    }

    #[test]
    fn only_the_touched_field_shows_its_errors() {
        let mut form = CredentialForm::default();
        form.set(CredentialField::AppId, "prod_x".to_string());
        let shown = form.shown_issues(CredentialField::AppId);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].severity, Severity::Error);
        assert!(shown[0].message.starts_with("This is the production key"));
        assert!(form.shown_issues(CredentialField::ApiSecret).is_empty());
        assert!(form.request().is_none());
    }

    #[test]
    fn a_field_emptied_after_typing_shows_that_it_is_needed() {
        let mut form = CredentialForm::default();
        assert!(!form.shows_error(CredentialField::ApiSecret));
        form.set(CredentialField::ApiSecret, "p".into());
        form.set(CredentialField::ApiSecret, String::new());
        assert!(form.shows_error(CredentialField::ApiSecret));
    }

    #[test]
    fn a_development_key_warns_but_can_be_sent() {
        let form = filled(APP_ID, &SECRET.replacen("prod_", "dev_", 1));
        let shown = form.shown_issues(CredentialField::ApiSecret);
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].severity, Severity::Warning);
        assert!(!form.shows_error(CredentialField::ApiSecret));
        assert!(form.request().is_some());
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_and_noted() {
        let form = filled(&format!("  {APP_ID}\n"), SECRET);
        let request = form.request().expect("valid after trimming");
        assert_eq!(request.app_id, APP_ID);
        assert_eq!(
            form.trimmed_note(CredentialField::AppId).as_deref(),
            Some("Spaces or line breaks around the App ID were removed.")
        );
        assert_eq!(form.trimmed_note(CredentialField::ApiSecret), None);
    }

    #[test]
    fn debug_output_never_holds_the_secret() {
        let form = filled(APP_ID, SECRET);
        assert!(!format!("{form:?}").contains(SECRET));
    }

    fn api(status: u16, code: &str, field: Option<&str>) -> ClientError {
        ClientError::Api {
            status,
            code: code.to_string(),
            message: format!("{code} message"),
            field: field.map(str::to_string),
        }
    }

    #[test]
    fn rejection_keeps_leanplums_reason_and_is_not_retried() {
        let f =
            ConnectFailure::from_error(&api(422, "leanplum_rejected", None));
        assert_eq!(
            f,
            ConnectFailure::Rejected("leanplum_rejected message".into())
        );
        assert!(!f.can_retry());
    }

    #[test]
    fn an_unreachable_leanplum_or_proxy_can_be_retried() {
        let e = api(502, "leanplum_unreachable", None);
        let leanplum = ConnectFailure::from_error(&e);
        assert_eq!(leanplum.headline(), "Could not reach Leanplum.");
        assert!(leanplum.can_retry());
        let down = ConnectFailure::from_error(&ClientError::Unreachable);
        assert_eq!(down.headline(), "Could not reach the proxy.");
        assert!(down.can_retry());
        let gateway = ClientError::Unreadable { status: 502 };
        assert!(ConnectFailure::from_error(&gateway).can_retry());
    }

    #[test]
    fn invalid_credentials_name_their_field() {
        let e = api(400, "invalid_credentials", Some("api_secret"));
        assert_eq!(
            ConnectFailure::from_error(&e),
            ConnectFailure::Invalid {
                field: Some(CredentialField::ApiSecret),
                message: "invalid_credentials message".into(),
            }
        );
    }

    #[test]
    fn a_forbidden_answer_is_shown_in_the_proxys_words() {
        let f = ConnectFailure::from_error(&api(403, "forbidden", None));
        assert_eq!(f, ConnectFailure::Other("forbidden message".into()));
    }
}

//! Checks the Leanplum App ID and API secret an admin pastes in, and
//! builds the HTTP Basic credentials from them. Messages never contain
//! the secret's value.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the admin finds the credentials this console needs.
const WHERE_TO_FIND: &str =
    "Copy it from Leanplum → Partner Integrations → Mixpanel.";

/// Longest value accepted in either field, in characters.
pub const MAX_CREDENTIAL_CHARS: usize = 256;

/// Characters after the prefix in a well-formed App ID or key.
pub const ID_BODY_CHARS: usize = 43;

/// Prefix every Leanplum App ID starts with.
pub const APP_ID_PREFIX: &str = "app_";

/// One of the two credential inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialField {
    /// The Leanplum App ID, sent as the Basic-auth user name.
    AppId,
    /// The Leanplum API key, sent as the Basic-auth password.
    ApiSecret,
}

impl CredentialField {
    /// The field's name as shown to the admin.
    pub fn label(self) -> &'static str {
        match self {
            Self::AppId => "App ID",
            Self::ApiSecret => "API secret",
        }
    }
}

/// One problem with one field, as a sentence the admin can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldIssue {
    /// The field the problem is in.
    pub field: CredentialField,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// The kinds of Leanplum API key, recognised by their prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `prod_`: the production key, the one a sync needs.
    Production,
    /// `dev_`: the development key.
    Development,
    /// `exp_`: the data export key.
    DataExport,
    /// `cro_`: the content read-only key.
    ContentReadOnly,
}

impl KeyKind {
    /// Every kind with its prefix.
    pub const ALL: [(KeyKind, &'static str); 4] = [
        (KeyKind::Production, "prod_"),
        (KeyKind::Development, "dev_"),
        (KeyKind::DataExport, "exp_"),
        (KeyKind::ContentReadOnly, "cro_"),
    ];

    /// The kind of key `secret` is, judged by its prefix.
    pub fn of(secret: &str) -> Option<KeyKind> {
        Self::ALL
            .iter()
            .find(|(_, prefix)| secret.starts_with(prefix))
            .map(|(kind, _)| *kind)
    }

    /// The prefix keys of this kind start with.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Production => "prod_",
            Self::Development => "dev_",
            Self::DataExport => "exp_",
            Self::ContentReadOnly => "cro_",
        }
    }

    /// The kind's name in a sentence, e.g. "a development key".
    pub fn description(self) -> &'static str {
        match self {
            Self::Production => "the production key",
            Self::Development => "a development key",
            Self::DataExport => "a data export key",
            Self::ContentReadOnly => "a content read-only key",
        }
    }
}

/// The outcome of checking both credential fields.
///
/// Errors block connecting; warnings are shown but do not block. A value
/// that has the right prefix but the wrong length or characters after it
/// only gets a warning, since Leanplum itself is the final judge and a
/// false block would be worse than a failed test call.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialCheck {
    /// The App ID with surrounding whitespace removed.
    pub app_id: String,
    /// The API secret with surrounding whitespace removed.
    pub api_secret: String,
    /// Fields that had surrounding whitespace removed.
    pub trimmed: Vec<CredentialField>,
    /// Problems that must be fixed before connecting.
    pub errors: Vec<FieldIssue>,
    /// Problems worth a look that do not block connecting.
    pub warnings: Vec<FieldIssue>,
}

impl CredentialCheck {
    /// True when there are no errors (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Errors, then warnings, for one field.
    pub fn issues_for(
        &self,
        field: CredentialField,
    ) -> impl Iterator<Item = &FieldIssue> {
        self.errors_for(field).chain(self.warnings_for(field))
    }

    /// Errors for one field.
    pub fn errors_for(
        &self,
        field: CredentialField,
    ) -> impl Iterator<Item = &FieldIssue> {
        self.errors.iter().filter(move |issue| issue.field == field)
    }

    /// Warnings for one field.
    pub fn warnings_for(
        &self,
        field: CredentialField,
    ) -> impl Iterator<Item = &FieldIssue> {
        self.warnings
            .iter()
            .filter(move |issue| issue.field == field)
    }

    /// The `Authorization` header value (`Basic` + base64 of
    /// `app_id:api_secret`), or `None` while there are errors.
    pub fn basic_authorization(&self) -> Option<String> {
        if !self.is_valid() {
            return None;
        }
        let pair = format!("{}:{}", self.app_id, self.api_secret);
        Some(format!("Basic {}", base64_encode(pair.as_bytes())))
    }
}

impl fmt::Debug for CredentialCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialCheck")
            .field("app_id", &self.app_id)
            .field("api_secret", &"<redacted>")
            .field("trimmed", &self.trimmed)
            .field("errors", &self.errors)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// Checks both fields and reports every problem at once.
pub fn check_credentials(app_id: &str, api_secret: &str) -> CredentialCheck {
    let mut check = CredentialCheck {
        app_id: app_id.trim().to_owned(),
        api_secret: api_secret.trim().to_owned(),
        trimmed: Vec::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    if check.app_id.len() != app_id.len() {
        check.trimmed.push(CredentialField::AppId);
    }
    if check.api_secret.len() != api_secret.len() {
        check.trimmed.push(CredentialField::ApiSecret);
    }
    let mut issues = Issues::default();
    check_app_id(&check.app_id, &mut issues);
    check_api_secret(&check.api_secret, &mut issues);
    check.errors = issues.errors;
    check.warnings = issues.warnings;
    check
}

#[derive(Default)]
struct Issues {
    errors: Vec<FieldIssue>,
    warnings: Vec<FieldIssue>,
}

impl Issues {
    fn error(&mut self, field: CredentialField, message: String) {
        self.errors.push(FieldIssue { field, message });
    }

    fn warning(&mut self, field: CredentialField, message: String) {
        self.warnings.push(FieldIssue { field, message });
    }

    fn has_errors(&self, field: CredentialField) -> bool {
        self.errors.iter().any(|issue| issue.field == field)
    }
}

/// Errors every field shares: length, whitespace and control characters.
fn check_common(value: &str, field: CredentialField, issues: &mut Issues) {
    let label = field.label();
    let chars = value.chars().count();
    if chars > MAX_CREDENTIAL_CHARS {
        issues.error(
            field,
            format!(
                "The {label} is {chars} characters long, which is more \
                 than any Leanplum {label} ({MAX_CREDENTIAL_CHARS} at most). \
                 Paste just the {label}."
            ),
        );
    }
    if value.chars().any(char::is_whitespace) {
        issues.error(
            field,
            format!(
                "The {label} contains a space, tab or line break. Remove \
                 it; Leanplum values never contain whitespace."
            ),
        );
    }
    if value.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        issues.error(
            field,
            format!(
                "The {label} contains an invisible control character. \
                 Type or paste it again."
            ),
        );
    }
}

fn has_id_shape(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|body| {
        body.len() == ID_BODY_CHARS
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

fn check_app_id(app_id: &str, issues: &mut Issues) {
    let field = CredentialField::AppId;
    if app_id.is_empty() {
        issues.error(field, format!("Enter the App ID. {WHERE_TO_FIND}"));
        return;
    }
    check_common(app_id, field, issues);
    if app_id.contains(':') {
        issues.error(
            field,
            "The App ID can't contain a colon (:), because it is sent as \
             the HTTP Basic user name. Check that you pasted only the App \
             ID."
            .to_owned(),
        );
    }
    if !app_id.starts_with(APP_ID_PREFIX) {
        let message = match KeyKind::of(app_id) {
            Some(kind) => format!(
                "This is {}, not an App ID. Paste it into the API secret \
                 field, and put the App ID (it starts with \"app_\") here.",
                kind.description()
            ),
            None => {
                format!("Leanplum App IDs start with \"app_\". {WHERE_TO_FIND}")
            }
        };
        issues.error(field, message);
    }
    if !issues.has_errors(field) && !has_id_shape(app_id, APP_ID_PREFIX) {
        issues.warning(
            field,
            format!(
                "This doesn't look like a Leanplum App ID, which is \
                 \"app_\" followed by {ID_BODY_CHARS} letters, digits, \
                 '-' or '_'. Check that you copied all of it."
            ),
        );
    }
}

fn check_api_secret(secret: &str, issues: &mut Issues) {
    let field = CredentialField::ApiSecret;
    if secret.is_empty() {
        issues.error(
            field,
            format!(
                "Enter the API secret: the production key (it starts with \
                 \"prod_\"). {WHERE_TO_FIND}"
            ),
        );
        return;
    }
    check_common(secret, field, issues);
    let right_key = "Syncs need the production key (it starts with \
                     \"prod_\"), found in Leanplum → Partner Integrations → \
                     Mixpanel.";
    match KeyKind::of(secret) {
        Some(KeyKind::Production) => {}
        Some(kind) => issues.warning(
            field,
            format!(
                "This is {} (it starts with \"{}\"). {right_key}",
                kind.description(),
                kind.prefix()
            ),
        ),
        None if secret.starts_with(APP_ID_PREFIX) => issues.warning(
            field,
            format!("This looks like an App ID, not an API key. {right_key}"),
        ),
        None => issues.warning(
            field,
            format!("This doesn't look like a Leanplum API key. {right_key}"),
        ),
    }
    let shaped = KeyKind::of(secret)
        .is_some_and(|kind| has_id_shape(secret, kind.prefix()));
    if KeyKind::of(secret).is_some() && !shaped && !issues.has_errors(field) {
        issues.warning(
            field,
            format!(
                "This doesn't look like a complete Leanplum API key, which \
                 is a prefix followed by {ID_BODY_CHARS} letters, digits, \
                 '-' or '_'. Check that you copied all of it."
            ),
        );
    }
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648 §4) with `=` padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        let b0 = group[0];
        let b1 = group.get(1).copied().unwrap_or(0);
        let b2 = group.get(2).copied().unwrap_or(0);
        let n = u32::from(b0) << 16 | u32::from(b1) << 8 | u32::from(b2);
        let sextet = |shift: u32| {
            char::from(BASE64_ALPHABET[((n >> shift) & 0x3f) as usize])
        };
        out.push(sextet(18));
        out.push(sextet(12));
        out.push(if group.len() > 1 { sextet(6) } else { '=' });
        out.push(if group.len() > 2 { sextet(0) } else { '=' });
    }
    out
}

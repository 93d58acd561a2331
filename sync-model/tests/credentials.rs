use sync_model::credentials::{
    base64_encode, check_credentials, CredentialField, KeyKind,
};

const APP_ID: &str = "app_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
const PROD_KEY: &str = "prod_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
const DEV_KEY: &str = "dev_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

fn messages(
    check: &sync_model::CredentialCheck,
    field: CredentialField,
) -> Vec<String> {
    check.issues_for(field).map(|i| i.message.clone()).collect()
}

#[test]
fn base64_matches_rfc_4648_test_vectors() {
    let vectors = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, encoded) in vectors {
        assert_eq!(base64_encode(plain.as_bytes()), encoded);
    }
}

#[test]
fn base64_uses_plus_and_slash_for_high_sextets() {
    assert_eq!(base64_encode(&[0xfb, 0xff, 0xbf]), "+/+/");
}

#[test]
fn well_formed_credentials_have_no_issues() {
    let check = check_credentials(APP_ID, PROD_KEY);
    assert!(check.is_valid());
    assert!(check.errors.is_empty());
    assert!(check.warnings.is_empty());
    assert!(check.trimmed.is_empty());
}

#[test]
fn basic_authorization_encodes_app_id_colon_secret() {
    let check = check_credentials("app_x", "prod_y");
    assert_eq!(
        check.basic_authorization().as_deref(),
        Some("Basic YXBwX3g6cHJvZF95")
    );
}

#[test]
fn basic_authorization_is_withheld_while_there_are_errors() {
    let check = check_credentials("", PROD_KEY);
    assert_eq!(check.basic_authorization(), None);
}

#[test]
fn surrounding_whitespace_is_trimmed_and_recorded() {
    let check =
        check_credentials(&format!("  {APP_ID}\n"), &format!("\t{PROD_KEY} "));
    assert_eq!(check.app_id, APP_ID);
    assert_eq!(check.api_secret, PROD_KEY);
    assert_eq!(
        check.trimmed,
        vec![CredentialField::AppId, CredentialField::ApiSecret]
    );
    assert!(check.is_valid());
}

#[test]
fn empty_fields_ask_for_a_value() {
    let check = check_credentials("   ", "");
    assert_eq!(
        messages(&check, CredentialField::AppId),
        vec![
            "Enter the App ID. Copy it from Leanplum → Partner \
             Integrations → Mixpanel."
        ]
    );
    assert_eq!(
        messages(&check, CredentialField::ApiSecret),
        vec![
            "Enter the API secret: the production key (it starts with \
             \"prod_\"). Copy it from Leanplum → Partner Integrations → \
             Mixpanel."
        ]
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let check = check_credentials("ap p:1", "");
    let app_id: Vec<_> = check
        .errors_for(CredentialField::AppId)
        .map(|i| i.message.as_str())
        .collect();
    assert_eq!(app_id.len(), 3);
    assert!(app_id[0].contains("space, tab or line break"));
    assert!(app_id[1].contains("colon"));
    assert!(app_id[2].contains("start with \"app_\""));
    assert_eq!(check.errors_for(CredentialField::ApiSecret).count(), 1);
}

#[test]
fn a_colon_in_the_app_id_is_an_error() {
    let check = check_credentials("app_a:b", PROD_KEY);
    assert_eq!(
        messages(&check, CredentialField::AppId),
        vec![
            "The App ID can't contain a colon (:), because it is sent as \
             the HTTP Basic user name. Check that you pasted only the App \
             ID."
        ]
    );
}

#[test]
fn a_colon_in_the_secret_is_allowed_by_basic_auth() {
    let check = check_credentials(APP_ID, "prod_a:b");
    assert!(check.is_valid());
}

#[test]
fn an_app_id_without_the_app_prefix_is_an_error() {
    let check = check_credentials("xyz", PROD_KEY);
    assert_eq!(
        messages(&check, CredentialField::AppId),
        vec![
            "Leanplum App IDs start with \"app_\". Copy it from Leanplum → \
             Partner Integrations → Mixpanel."
        ]
    );
}

#[test]
fn a_key_pasted_as_app_id_is_named_as_a_key() {
    let check = check_credentials(PROD_KEY, PROD_KEY);
    assert_eq!(
        messages(&check, CredentialField::AppId),
        vec![
            "This is the production key, not an App ID. Paste it into the \
             API secret field, and put the App ID (it starts with \"app_\") \
             here."
        ]
    );
}

#[test]
fn control_characters_inside_are_an_error() {
    let check = check_credentials(APP_ID, "prod_a\u{7}b");
    assert_eq!(
        messages(&check, CredentialField::ApiSecret),
        vec![
            "The API secret contains an invisible control character. Type \
             or paste it again."
        ]
    );
}

#[test]
fn values_over_256_characters_are_an_error() {
    let long = format!("app_{}", "a".repeat(253));
    let check = check_credentials(&long, PROD_KEY);
    assert_eq!(
        messages(&check, CredentialField::AppId),
        vec![
            "The App ID is 257 characters long, which is more than any \
             Leanplum App ID (256 at most). Paste just the App ID."
        ]
    );
}

#[test]
fn an_oddly_shaped_app_id_only_warns() {
    let check = check_credentials("app_short", PROD_KEY);
    assert!(check.is_valid());
    assert_eq!(
        messages(&check, CredentialField::AppId),
        vec![
            "This doesn't look like a Leanplum App ID, which is \"app_\" \
             followed by 43 letters, digits, '-' or '_'. Check that you \
             copied all of it."
        ]
    );
}

#[test]
fn a_development_key_warns_and_points_to_the_production_key() {
    let check = check_credentials(APP_ID, DEV_KEY);
    assert!(check.is_valid());
    assert_eq!(
        messages(&check, CredentialField::ApiSecret),
        vec![
            "This is a development key (it starts with \"dev_\"). Syncs \
             need the production key (it starts with \"prod_\"), found in \
             Leanplum → Partner Integrations → Mixpanel."
        ]
    );
}

#[test]
fn data_export_and_content_read_only_keys_are_named() {
    let export = check_credentials(APP_ID, "exp_abc");
    let read_only = check_credentials(APP_ID, "cro_abc");
    assert!(export.warnings[0]
        .message
        .starts_with("This is a data export"));
    assert!(read_only.warnings[0]
        .message
        .starts_with("This is a content read-only key"));
}

#[test]
fn a_secret_with_no_known_prefix_warns() {
    let check = check_credentials(APP_ID, "hunter2");
    assert!(check.is_valid());
    assert_eq!(
        messages(&check, CredentialField::ApiSecret),
        vec![
            "This doesn't look like a Leanplum API key. Syncs need the \
             production key (it starts with \"prod_\"), found in Leanplum \
             → Partner Integrations → Mixpanel."
        ]
    );
}

#[test]
fn a_truncated_production_key_warns() {
    let check = check_credentials(APP_ID, "prod_abc");
    assert_eq!(check.warnings.len(), 1);
    assert!(check.warnings[0]
        .message
        .starts_with("This doesn't look like a complete Leanplum API key"));
}

#[test]
fn debug_output_redacts_the_secret() {
    let check = check_credentials(APP_ID, "prod_s3cr3t value");
    let printed = format!("{check:?}");
    assert!(printed.contains("api_secret: \"<redacted>\""));
    assert!(!printed.contains("s3cr3t"));
}

#[test]
fn messages_never_contain_the_secret() {
    let secret = "dev_s3cr3t:\u{1}with spaces";
    let check = check_credentials(secret, secret);
    for issue in check.errors.iter().chain(&check.warnings) {
        assert!(!issue.message.contains("s3cr3t"), "{}", issue.message);
    }
}

#[test]
fn key_kinds_are_recognised_by_prefix() {
    assert_eq!(KeyKind::of("prod_x"), Some(KeyKind::Production));
    assert_eq!(KeyKind::of("dev_x"), Some(KeyKind::Development));
    assert_eq!(KeyKind::of("exp_x"), Some(KeyKind::DataExport));
    assert_eq!(KeyKind::of("cro_x"), Some(KeyKind::ContentReadOnly));
    assert_eq!(KeyKind::of("production"), None);
}

#[test]
fn credential_fields_serialize_in_snake_case() {
    let json = serde_json::to_string(&CredentialField::ApiSecret).unwrap();
    assert_eq!(json, "\"api_secret\"");
}

//! The API's sessions, refusals, streams, ingestion and demo mode, over
//! real HTTP to the proxy binary.

mod common;

use common::{ids, temp_db, Client, Proxy, TestData, APP_ID, SECRET};
use serde_json::json;
use sync_model::members::decode_members;

fn plain_proxy(data: &TestData) -> (tempfile::TempDir, Proxy) {
    let (dir, db) = temp_db();
    data.import(dir.path(), &db);
    let proxy =
        Proxy::start(&db, &["--leanplum-url", "http://127.0.0.1:9/api"]);
    (dir, proxy)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_signs_a_new_visitor_in_as_the_admin() {
    let (_dir, db) = temp_db();
    let proxy = Proxy::start(&db, &["--demo"]);
    let client = Client::new(&proxy.base).await;
    let session = client.get("/api/session").await.json();
    assert_eq!(session["account"]["id"], "ada");
    assert_eq!(session["is_admin"], true);
    assert_eq!(session["demo"], true);
    assert_eq!(session["leanplum_sandbox"], true);
    assert_eq!(session["csrf_token"], client.csrf());
    assert_eq!(session["demo_accounts"].as_array().unwrap().len(), 2);
    let cohorts = client.get("/api/cohorts").await.json();
    assert_eq!(cohorts["cohorts"].as_array().unwrap().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_sandbox_accepts_only_the_demo_pair() {
    let (_dir, db) = temp_db();
    let proxy = Proxy::start(&db, &["--demo"]);
    let printed = proxy.printed();
    let app_id = cohort_proxy::sandbox::SANDBOX_APP_ID;
    let secret = cohort_proxy::sandbox::SANDBOX_API_SECRET;
    assert!(printed.contains(app_id) && printed.contains(secret));
    let client = Client::new(&proxy.base).await;
    let wrong = client
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": APP_ID, "api_secret": SECRET}),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert_eq!(wrong.code(), "leanplum_rejected");
    let right = client
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": app_id, "api_secret": secret}),
        )
        .await;
    assert_eq!(right.status, 200, "{}", right.text);
    assert_eq!(right.json()["sandbox"], true);
    let id = client.start_sync("vip", "one_time").await.json()["id"]
        .as_i64()
        .unwrap();
    let runs = client.wait_runs(id, 1).await;
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["totals"]["added"], 23);
    assert_eq!(runs[0]["totals"]["skipped_anonymous"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_switches_accounts_and_signing_out_ends_the_session() {
    let (_dir, proxy) = plain_proxy(&TestData::default());
    let client = Client::new(&proxy.base).await;
    let anonymous = client.get("/api/session").await.json();
    assert_eq!(anonymous["account"], json!(null));
    let unknown = client
        .post("/api/session", json!({"account_id": "eve"}))
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.code(), "unknown_account");
    assert_eq!(unknown.json()["error"]["field"], "account_id");
    client
        .post("/api/session", json!({"account_id": "max"}))
        .await;
    let member = client.get("/api/session").await.json();
    assert_eq!(member["account"]["id"], "max");
    assert_eq!(member["is_admin"], false);
    let out = client.finish_delete("/api/session").await;
    assert_eq!(out, 204);
    assert_eq!(
        client.get("/api/session").await.json()["account"],
        json!(null)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_without_the_csrf_header_are_403() {
    let (_dir, proxy) = plain_proxy(&TestData::default());
    let admin = Client::signed_in(&proxy.base, "ada").await;
    for path in [
        "/api/integrations/leanplum/connect",
        "/api/integrations/leanplum/disconnect",
        "/api/syncs",
        "/api/syncs/1/stop",
        "/api/ingest/profiles",
        "/api/session",
    ] {
        let answer = admin.post_without_csrf(path, json!({})).await;
        assert_eq!(answer.status, 403, "{path}");
        assert_eq!(answer.code(), "csrf", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_may_read_but_not_change_the_integration_or_syncs() {
    let (_dir, proxy) = plain_proxy(&TestData::default());
    let member = Client::signed_in(&proxy.base, "max").await;
    for (path, body) in [
        (
            "/api/integrations/leanplum/connect",
            json!({"app_id": APP_ID, "api_secret": SECRET}),
        ),
        ("/api/integrations/leanplum/disconnect", json!({})),
        ("/api/syncs", json!({"cohort_id": "c", "kind": "dynamic"})),
        ("/api/syncs/1/stop", json!({})),
    ] {
        let answer = member.post(path, body).await;
        assert_eq!(answer.status, 403, "{path}: {}", answer.text);
        assert_eq!(answer.code(), "forbidden");
        assert!(answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("admin"));
    }
    assert_eq!(member.get("/api/integrations").await.status, 200);
    assert_eq!(member.get("/api/syncs").await.status, 200);
    assert_eq!(member.get("/api/cohorts").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_without_a_session_are_401() {
    let (_dir, proxy) = plain_proxy(&TestData::default());
    let nobody = Client::new(&proxy.base).await;
    let answer = nobody
        .post("/api/integrations/leanplum/disconnect", json!({}))
        .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), "unauthenticated");
    let answer = nobody.post("/api/ingest/events", json!([])).await;
    assert_eq!(answer.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_stream_in_the_member_line_format() {
    let mut data = TestData::default();
    data.person("p")
        .profile("s", json!({"$leanplum_user_id": "lp\tx"}))
        .profile("v", json!({"$leanplum_user_id": true}))
        .profile("a", json!({}));
    let mut members = ids("m", 25_000);
    members.extend(["p", "s", "v", "a", "ghost"].map(String::from));
    data.cohort("c", &members);
    let (_dir, proxy) = plain_proxy(&data);
    let client = Client::new(&proxy.base).await;
    let answer = client.get("/api/cohorts/c/members").await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(answer.header("x-line-count").as_deref(), Some("25005"));
    let decoded = decode_members(answer.text.as_bytes()).unwrap();
    assert_eq!(decoded, data.members("c"));
    assert!(answer
        .text
        .ends_with("S\ts\tlp\\tx\nV\tv\ttrue\nA\ta\nA\tghost\n"));
    let missing = client.get("/api/cohorts/nope/members").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cohort_never_synced_has_an_empty_snapshot() {
    let mut data = TestData::default();
    data.person("p").cohort("c", &["p".into()]);
    let (_dir, proxy) = plain_proxy(&data);
    let client = Client::new(&proxy.base).await;
    let answer = client.get("/api/cohorts/c/snapshot").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-line-count").as_deref(), Some("0"));
    assert_eq!(answer.text, "");
    assert_eq!(client.get("/api/cohorts/x/snapshot").await.status, 404);
    let cohorts = client.get("/api/cohorts").await.json();
    assert_eq!(cohorts["cohorts"][0]["sync"]["state"], "none");
    assert_eq!(cohorts["cohorts"][0]["sync_id"], json!(null));
    assert_eq!(
        cohorts["cohorts"][0]["leanplum_attribute"],
        "Mixpanel: Cohort c"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingested_profiles_change_members_and_record_aliases() {
    let mut data = TestData::default();
    data.profile("u1", json!({})).cohort("c", &["u1".into()]);
    let (_dir, proxy) = plain_proxy(&data);
    let client = Client::signed_in(&proxy.base, "max").await;
    let answer = client
        .post(
            "/api/ingest/profiles",
            json!([{"$distinct_id": "u1",
                    "$set": {"$leanplum_user_id": "lp-1"}}]),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    assert_eq!(answer.json(), json!({"accepted": 1}));
    let members = client.get("/api/cohorts/c/members").await;
    assert_eq!(members.text, "S\tu1\tlp-1\n");
    let events = client
        .post(
            "/api/ingest/events",
            json!([{"event": "(Leanplum) Email Open",
                    "properties": {"distinct_id": "lp-1", "time": 1_796_083_300,
                                   "$source": "leanplum"}},
                   {"event": "App Open",
                    "properties": {"distinct_id": "u1",
                                   "time": 1_796_083_400}}]),
        )
        .await;
    assert_eq!(events.json(), json!({"accepted": 2}));
    let summary = client
        .get("/api/events/leanplum?month=2026-12")
        .await
        .json();
    assert_eq!(summary["month"], "2026-12");
    assert_eq!(summary["people_with_events"], 1, "the alias joins them");
    assert_eq!(summary["mtu"], 1);
    assert_eq!(
        summary["leanplum_events"][0]["name"],
        "(Leanplum) Email Open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_a_malformed_item_stores_nothing() {
    let mut data = TestData::default();
    data.profile("u1", json!({})).cohort("c", &["u1".into()]);
    let (_dir, proxy) = plain_proxy(&data);
    let client = Client::signed_in(&proxy.base, "ada").await;
    let answer = client
        .post(
            "/api/ingest/profiles",
            json!([{"$distinct_id": "u1", "$set": {"plan": "pro"}},
                   {"$distinct_id": "", "$set": {}},
                   {"$set": {}}]),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "invalid_items");
    assert_eq!(answer.json()["error"]["field"], "[1]");
    let message = answer.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("item 1") && message.contains("item 2"),
        "{message}"
    );
    let members = client.get("/api/cohorts/c/members").await;
    assert_eq!(members.text, "A\tu1\n", "nothing half-applied");
    let events = client
        .post(
            "/api/ingest/events",
            json!([{"event": "x", "properties": {}}]),
        )
        .await;
    assert_eq!(events.code(), "invalid_items");
    assert_eq!(events.json()["error"]["field"], "[0]");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leanplum_events_default_to_this_month_and_reject_bad_months() {
    let (_dir, proxy) = plain_proxy(&TestData::default());
    let client = Client::new(&proxy.base).await;
    let now = client.get("/api/events/leanplum").await;
    assert_eq!(now.status, 200);
    let month = now.json()["month"].as_str().unwrap().to_owned();
    assert_eq!(month.len(), 7);
    let bad = client.get("/api/events/leanplum?month=2026-13").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "invalid_month");
    assert_eq!(bad.json()["error"]["field"], "month");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_things_and_malformed_bodies_get_error_bodies() {
    let (_dir, proxy) = plain_proxy(&TestData::default());
    let admin = Client::signed_in(&proxy.base, "ada").await;
    for path in [
        "/api/syncs/999",
        "/api/syncs/abc",
        "/api/syncs/999/runs",
        "/api/runs/999/csv",
        "/api/nothing",
    ] {
        let answer = admin.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_eq!(answer.code(), "not_found", "{path}");
    }
    let bad = admin.post("/api/syncs", json!({"cohort_id": 1})).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), "bad_request");
    let kind = admin
        .post("/api/syncs", json!({"cohort_id": "c", "kind": "weekly"}))
        .await;
    assert_eq!(kind.code(), "bad_request");
    let method = admin.post("/api/cohorts", json!({})).await;
    assert_eq!(method.status, 405);
    assert_eq!(method.code(), "method_not_allowed");
}

#[test]
fn help_documents_every_option() {
    let out = std::process::Command::new(common::binary())
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--database",
        "--listen",
        "--leanplum-url",
        "--demo",
        "--static-dir",
        "--sync-interval-secs",
        "--retry-base-ms",
        "--leanplum-timeout-ms",
    ] {
        assert!(help.contains(option), "{option} missing from --help");
    }
}

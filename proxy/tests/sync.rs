//! Connecting Leanplum and running syncs against a fake Leanplum, over
//! real HTTP to the proxy binary.

mod common;

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::fake_leanplum::{FakeLeanplum, Fault};
use common::{
    eventually, ids, temp_db, Client, Proxy, TestData, APP_ID, SECRET,
};
use serde_json::json;
use sync_model::plan::attribute_name;

struct World {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
    fake: FakeLeanplum,
    proxy: Proxy,
    admin: Client,
}

fn args<'a>(fake: &'a FakeLeanplum, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "--leanplum-url",
        fake.url.as_str(),
        "--retry-base-ms",
        "20",
        "--leanplum-timeout-ms",
        "1000",
    ];
    if !extra.contains(&"--sync-interval-secs") {
        a.extend(["--sync-interval-secs", "1"]);
    }
    a.extend_from_slice(extra);
    a
}

async fn world(data: &TestData, extra: &[&str]) -> World {
    let (dir, db) = temp_db();
    data.import(dir.path(), &db);
    let fake = FakeLeanplum::start().await;
    let proxy = Proxy::start(&db, &args(&fake, extra));
    let admin = Client::signed_in(&proxy.base, "ada").await;
    World {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        db,
        fake,
        proxy,
        admin,
    }
}

impl World {
    fn assert_no_secret(&self) {
        assert!(!self.proxy.logs().contains(SECRET), "secret in the logs");
        assert!(!self.proxy.printed().contains(SECRET), "secret on stdout");
        let seen = self.admin.seen.lock().unwrap().clone();
        assert!(!seen.contains(SECRET), "secret in a response");
    }
}

/// A mixed cohort: plain profiles, `$leanplum_user_id` strings, a
/// non-string and a blank one, an anonymous profile and a member with
/// no profile at all.
fn mixed_data() -> TestData {
    let mut data = TestData::default();
    for id in ids("plain", 60) {
        data.person(&id);
    }
    data.profile("aliased", json!({"$leanplum_user_id": "lp-aliased"}))
        .profile("numeric", json!({"$leanplum_user_id": 42}))
        .profile("blank", json!({"$leanplum_user_id": "  "}))
        .profile("anon", json!({}));
    let mut members = ids("plain", 60);
    for m in ["aliased", "numeric", "blank", "anon", "nobody"] {
        members.push(m.to_owned());
    }
    data.cohort("mixed", &members);
    data
}

fn expected_holders(data: &TestData, cohort: &str) -> HashSet<String> {
    sync_model::resolve(data.members(cohort))
        .resolved
        .into_iter()
        .map(|r| r.leanplum_id)
        .collect()
}

fn sync_id(answer: &common::Answer) -> i64 {
    answer.json()["id"].as_i64().expect("a sync id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_stores_a_pair_leanplum_accepts() {
    let w = world(&TestData::default(), &[]).await;
    let answer = w.admin.connect().await;
    let status = &answer.json()["status"];
    assert_eq!(status["state"], "connected");
    assert_eq!(status["app_id"], APP_ID);
    assert_eq!(answer.json()["sandbox"], false);
    let list = w.admin.get("/api/integrations").await.json();
    assert_eq!(list["integrations"][0]["status"]["state"], "connected");
    let query = w.fake.lock().queries.join(" ");
    assert!(query.contains("multi") && !query.contains(SECRET));
    w.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_refused_by_leanplum_is_422_and_stores_nothing() {
    let w = world(&TestData::default(), &[]).await;
    w.fake.fail_next(&[Fault::EchoSecret401]);
    let answer = w
        .admin
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": APP_ID, "api_secret": SECRET}),
        )
        .await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.code(), "leanplum_rejected");
    assert!(answer.text.contains("Invalid clientKey"));
    let list = w.admin.get("/api/integrations").await.json();
    assert_eq!(list["integrations"][0]["status"]["state"], "not_connected");
    w.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_with_a_wrong_secret_is_422() {
    let w = world(&TestData::default(), &[]).await;
    let other = "prod_OTHERotherOTHERotherOTHERotherOTHERother12";
    let answer = w
        .admin
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": APP_ID, "api_secret": other}),
        )
        .await;
    assert_eq!(answer.status, 422, "{}", answer.text);
    assert!(!answer.text.contains(other));
    assert!(!w.proxy.logs().contains(other));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_when_leanplum_is_unreachable_is_502() {
    let (_dir, db) = temp_db();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api", closed.local_addr().unwrap());
    drop(closed);
    let proxy =
        Proxy::start(&db, &["--leanplum-url", &url, "--retry-base-ms", "10"]);
    let admin = Client::signed_in(&proxy.base, "ada").await;
    let answer = admin
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": APP_ID, "api_secret": SECRET}),
        )
        .await;
    assert_eq!(answer.status, 502, "{}", answer.text);
    assert_eq!(answer.code(), "leanplum_unreachable");
    let list = admin.get("/api/integrations").await.json();
    assert_eq!(list["integrations"][0]["status"]["state"], "not_connected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_when_leanplum_keeps_failing_with_5xx_is_502() {
    let w = world(&TestData::default(), &[]).await;
    w.fake.fail_next(&[Fault::Status(503); 5]);
    let answer = w
        .admin
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": APP_ID, "api_secret": SECRET}),
        )
        .await;
    assert_eq!(answer.status, 502, "{}", answer.text);
    assert_eq!(answer.code(), "leanplum_unreachable");
    assert_eq!(w.fake.lock().calls, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_credentials_are_400_on_the_field_at_fault() {
    let w = world(&TestData::default(), &[]).await;
    let answer = w
        .admin
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": "prod_wrongfield", "api_secret": SECRET}),
        )
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(answer.code(), "invalid_credentials");
    assert_eq!(answer.json()["error"]["field"], "app_id");
    let answer = w
        .admin
        .post(
            "/api/integrations/leanplum/connect",
            json!({"app_id": format!("  {APP_ID} "), "api_secret": ""}),
        )
        .await;
    assert_eq!(answer.json()["error"]["field"], "api_secret");
    assert_eq!(w.fake.lock().calls, 0, "Leanplum is not asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_a_sync_before_connecting_is_409() {
    let mut data = TestData::default();
    data.person("a").cohort("c", &["a".into()]);
    let w = world(&data, &[]).await;
    let answer = w.admin.start_sync("c", "one_time").await;
    assert_eq!(answer.status, 409);
    assert_eq!(answer.code(), "not_connected");
    w.admin.connect().await;
    let answer = w.admin.start_sync("nope", "one_time").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json()["error"]["field"], "cohort_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_time_export_sets_the_attribute_on_every_resolved_member() {
    let data = mixed_data();
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let started = w.admin.start_sync("mixed", "one_time").await;
    assert_eq!(started.status, 201, "{}", started.text);
    let id = sync_id(&started);
    let runs = w.admin.wait_runs(id, 1).await;
    let attribute = attribute_name("Cohort mixed");
    assert_eq!(w.fake.holders(&attribute), expected_holders(&data, "mixed"));
    let run = &runs[0];
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["members"], 65);
    assert_eq!(
        run["totals"],
        json!({"added": 63, "removed": 0, "not_found": 0,
               "skipped_anonymous": 2, "invalid": 0, "failed": 0})
    );
    let sync = w.admin.wait_status(id, "done").await;
    assert_eq!(sync["attribute"], attribute);
    let cohorts = w.admin.get("/api/cohorts").await.json();
    let mixed = &cohorts["cohorts"][0];
    assert_eq!(mixed["sync"]["state"], "export_done");
    assert_eq!(mixed["sync_id"], id);
    let snapshot = w.admin.get("/api/cohorts/mixed/snapshot").await;
    assert_eq!(snapshot.header("x-line-count").as_deref(), Some("63"));
    assert!(snapshot.text.contains("lp-aliased\taliased\n"));
    let run_id = run["id"].as_i64().unwrap();
    let csv = w.admin.get(&format!("/api/runs/{run_id}/csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let rows = sync_model::plan::parse_csv(&csv.text).unwrap();
    assert_eq!(rows.len(), 63);
    assert!(rows.iter().all(|r| r.operation == "add"));
    w.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_leanplum_does_not_know_are_counted_not_found() {
    let mut data = TestData::default();
    for id in ids("u", 10) {
        data.person(&id);
    }
    data.cohort("c", &ids("u", 10));
    let w = world(&data, &[]).await;
    w.fake.lock().known = Some(ids("u", 4).into_iter().collect());
    w.admin.connect().await;
    let id = sync_id(&w.admin.start_sync("c", "one_time").await);
    let runs = w.admin.wait_runs(id, 1).await;
    assert_eq!(runs[0]["totals"]["added"], 4);
    assert_eq!(runs[0]["totals"]["not_found"], 6);
    let snapshot = w.admin.get("/api/cohorts/c/snapshot").await;
    assert_eq!(snapshot.header("x-line-count").as_deref(), Some("4"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_cohort_is_sent_in_calls_of_at_most_fifty_users() {
    let mut data = TestData::default();
    for id in ids("big", 260) {
        data.person(&id);
    }
    data.cohort("big", &ids("big", 260));
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let id = sync_id(&w.admin.start_sync("big", "one_time").await);
    let runs = w.admin.wait_runs(id, 1).await;
    assert_eq!(runs[0]["totals"]["added"], 260, "{}", runs[0]);
    assert_eq!(w.fake.lock().applied_calls, 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_sync_sends_only_what_changed() {
    let mut data = TestData::default();
    for id in ids("d", 30) {
        data.person(&id);
    }
    data.cohort("dyn", &ids("d", 20));
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let id = sync_id(&w.admin.start_sync("dyn", "dynamic").await);
    w.admin.wait_runs(id, 1).await;
    let attribute = attribute_name("Cohort dyn");
    assert_eq!(w.fake.holders(&attribute), expected_holders(&data, "dyn"));

    let members: Vec<String> = ids("d", 30)[10..].to_vec();
    data.cohort("dyn", &members);
    data.cohorts.remove(0);
    data.import(&w.dir, &w.db);
    let expected = expected_holders(&data, "dyn");
    let fake = w.fake.clone();
    eventually("the next run", || fake.holders(&attribute) == expected).await;
    let runs = w.admin.wait_runs(id, 2).await;
    let changed = runs
        .iter()
        .find(|r| r["totals"]["removed"] != 0)
        .expect("a run removed users");
    assert_eq!(changed["totals"]["added"], 10);
    assert_eq!(changed["totals"]["removed"], 10);
    assert_eq!(w.fake.sets_of("d-0015", &attribute), vec![true]);
    assert_eq!(w.fake.sets_of("d-0005", &attribute), vec![true, false]);
    assert_eq!(w.fake.sets_of("d-0025", &attribute), vec![true]);
    w.assert_no_secret();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_dynamic_sync_on_a_cohort_returns_the_first() {
    let mut data = TestData::default();
    data.person("a").cohort("c", &["a".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let first = w.admin.start_sync("c", "dynamic").await;
    assert_eq!(first.status, 201);
    let second = w.admin.start_sync("c", "dynamic").await;
    assert_eq!(second.status, 200);
    assert_eq!(sync_id(&first), sync_id(&second));
    let list = w.admin.get("/api/syncs").await.json();
    assert_eq!(list["syncs"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_idempotency_key_starts_one_export() {
    let mut data = TestData::default();
    data.person("a").cohort("c", &["a".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let body = json!({"cohort_id": "c", "kind": "one_time"});
    let key = [("idempotency-key", "click-1")];
    let (a, b) = tokio::join!(
        w.admin.post_with("/api/syncs", body.clone(), &key),
        w.admin.post_with("/api/syncs", body.clone(), &key)
    );
    assert_eq!(a.status, 201);
    assert_eq!(b.status, 201);
    assert_eq!(a.text, b.text);
    let other = w
        .admin
        .post_with("/api/syncs", body, &[("idempotency-key", "click-2")])
        .await;
    assert_ne!(sync_id(&other), sync_id(&a));
    let list = w.admin.get("/api/syncs").await.json();
    assert_eq!(list["syncs"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_one_dynamic_syncs_exceed_the_limit() {
    let mut data = TestData::default();
    data.person("a");
    for i in 0..61 {
        data.cohort(&format!("c{i:02}"), &["a".into()]);
    }
    let w = world(&data, &["--sync-interval-secs", "3600"]).await;
    w.admin.connect().await;
    for i in 0..60 {
        let answer = w.admin.start_sync(&format!("c{i:02}"), "dynamic").await;
        assert_eq!(answer.status, 201, "{}", answer.text);
    }
    let answer = w.admin.start_sync("c60", "dynamic").await;
    assert_eq!(answer.status, 422);
    assert_eq!(answer.code(), "limit_exceeded");
    let answer = w.admin.start_sync("c60", "one_time").await;
    assert_eq!(answer.status, 201, "one-time exports are not limited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_and_server_errors_are_retried() {
    let mut data = TestData::default();
    for id in ids("r", 5) {
        data.person(&id);
    }
    data.cohort("c", &ids("r", 5));
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    w.fake.fail_next(&[Fault::TooMany(1), Fault::Status(500)]);
    let started = Instant::now();
    let id = sync_id(&w.admin.start_sync("c", "one_time").await);
    let runs = w.admin.wait_runs(id, 1).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After kept"
    );
    assert_eq!(runs[0]["status"], "succeeded", "{}", runs[0]);
    assert_eq!(runs[0]["totals"]["added"], 5);
    assert_eq!(w.fake.lock().calls, 4, "check, 429, 500, success");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_slower_than_the_timeout_is_retried() {
    let mut data = TestData::default();
    data.person("t").cohort("c", &["t".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    w.fake
        .fail_next(&[Fault::Hang(Duration::from_millis(1500))]);
    let id = sync_id(&w.admin.start_sync("c", "one_time").await);
    let runs = w.admin.wait_runs(id, 1).await;
    assert_eq!(runs[0]["status"], "succeeded", "{}", runs[0]);
    assert_eq!(w.fake.sets_of("t", &attribute_name("Cohort c")), vec![true]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_keeps_failing_fails_without_moving_the_snapshot() {
    let mut data = TestData::default();
    data.person("f").cohort("c", &["f".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    w.fake.fail_next(&[Fault::Status(500); 5]);
    let id = sync_id(&w.admin.start_sync("c", "one_time").await);
    let runs = w.admin.wait_runs(id, 1).await;
    assert_eq!(runs[0]["status"], "failed");
    assert!(runs[0]["error"].as_str().unwrap().contains("500"));
    let sync = w.admin.wait_status(id, "failed").await;
    assert!(sync["status"]["reason"].as_str().is_some());
    let snapshot = w.admin.get("/api/cohorts/c/snapshot").await;
    assert_eq!(snapshot.header("x-line-count").as_deref(), Some("0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_during_a_sync_pauses_it_and_marks_the_connection_failing() {
    let mut data = TestData::default();
    data.person("p").cohort("c", &["p".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    w.fake.fail_next(&[Fault::EchoSecret401]);
    let id = sync_id(&w.admin.start_sync("c", "dynamic").await);
    let sync = w.admin.wait_status(id, "paused").await;
    let reason = sync["status"]["reason"].as_str().unwrap();
    assert!(reason.contains("Invalid clientKey"), "{reason}");
    let list = w.admin.get("/api/integrations").await.json();
    assert_eq!(list["integrations"][0]["status"]["state"], "failing");
    let runs = w.admin.wait_runs(id, 1).await;
    assert_eq!(runs[0]["status"], "failed");
    w.assert_no_secret();

    w.admin.connect().await;
    w.admin.wait_runs(id, 2).await;
    assert_eq!(w.fake.sets_of("p", &attribute_name("Cohort c")), vec![true]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_failures_are_counted_and_retried_next_run() {
    let mut data = TestData::default();
    for id in ids("x", 10) {
        data.person(&id);
    }
    data.cohort("c", &ids("x", 10));
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    w.fake.fail_next(&[Fault::FailOdd]);
    let id = sync_id(&w.admin.start_sync("c", "dynamic").await);
    let runs = w.admin.wait_runs(id, 1).await;
    let first = runs.last().unwrap();
    assert_eq!(first["totals"]["added"], 5);
    assert_eq!(first["totals"]["failed"], 5);
    let attribute = attribute_name("Cohort c");
    let expected = expected_holders(&data, "c");
    let fake = w.fake.clone();
    eventually("the failed half", || fake.holders(&attribute) == expected)
        .await;
    for user in ids("x", 10) {
        assert_eq!(w.fake.sets_of(&user, &attribute), vec![true], "{user}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_pauses_syncs_until_the_same_app_is_connected() {
    let mut data = TestData::default();
    data.person("a").cohort("c", &["a".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let id = sync_id(&w.admin.start_sync("c", "dynamic").await);
    w.admin.wait_runs(id, 1).await;
    let answer = w
        .admin
        .post("/api/integrations/leanplum/disconnect", json!({}))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["status"]["state"], "not_connected");
    let sync = w.admin.wait_status(id, "paused").await;
    assert_eq!(sync["status"]["reason"], "disconnected");
    let cohorts = w.admin.get("/api/cohorts").await.json();
    assert_eq!(cohorts["cohorts"][0]["sync"]["state"], "paused");
    w.admin.connect().await;
    w.admin.wait_status(id, "active").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_a_sync_ends_its_schedule() {
    let mut data = TestData::default();
    data.person("a").cohort("c", &["a".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let id = sync_id(&w.admin.start_sync("c", "dynamic").await);
    w.admin.wait_runs(id, 1).await;
    let member = Client::signed_in(&w.proxy.base, "max").await;
    let refused = member
        .post(&format!("/api/syncs/{id}/stop"), json!({}))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "forbidden");
    let stopped = w
        .admin
        .post(&format!("/api/syncs/{id}/stop"), json!({}))
        .await;
    assert_eq!(stopped.status, 200);
    w.admin.wait_status(id, "stopped").await;
    let runs_before = w.admin.wait_runs(id, 1).await.len();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let runs_after = w.admin.wait_runs(id, 1).await.len();
    assert_eq!(runs_before, runs_after);
    let missing = w.admin.post("/api/syncs/999/stop", json!({})).await;
    assert_eq!(missing.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_killed_mid_sync_loses_and_doubles_nothing() {
    let mut data = TestData::default();
    for id in ids("k", 600) {
        data.person(&id);
    }
    data.cohort("k", &ids("k", 600));
    let mut w = world(&data, &[]).await;
    w.admin.connect().await;
    w.fake.lock().delay = Duration::from_millis(150);
    let id = sync_id(&w.admin.start_sync("k", "dynamic").await);
    let fake = w.fake.clone();
    eventually("some batches", || fake.lock().applied_calls >= 3).await;
    w.proxy.kill();
    let applied = w.fake.lock().applied_calls;
    assert!(applied < 12, "killed before the end ({applied} calls)");

    let proxy = Proxy::start(&w.db, &args(&w.fake, &[]));
    let admin = Client::signed_in(&proxy.base, "ada").await;
    let runs = admin.wait_runs(id, 2).await;
    let interrupted = runs.last().unwrap();
    assert_eq!(interrupted["status"], "failed");
    assert_eq!(interrupted["error"], "interrupted by a restart");
    let attribute = attribute_name("Cohort k");
    let expected = expected_holders(&data, "k");
    eventually("every user", || fake.holders(&attribute) == expected).await;
    for user in ids("k", 600) {
        assert_eq!(fake.sets_of(&user, &attribute), vec![true], "{user}");
    }
    let snapshot = admin.get("/api/cohorts/k/snapshot").await;
    assert_eq!(snapshot.header("x-line-count").as_deref(), Some("600"));
    assert!(!proxy.logs().contains(SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_run_is_logged_with_its_counts() {
    let mut data = TestData::default();
    data.person("a").cohort("c", &["a".into()]);
    let w = world(&data, &[]).await;
    w.admin.connect().await;
    let id = sync_id(&w.admin.start_sync("c", "one_time").await);
    w.admin.wait_runs(id, 1).await;
    let logs = w.proxy.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("sync run") && l.contains("added=1"))
        .unwrap_or_else(|| panic!("no run line in {logs}"));
    assert!(line.contains(&format!("sync_id={id}")), "{line}");
    w.assert_no_secret();
}

//! Shared fixtures: the proxy binary as a child process, a cookie-aware
//! API client, datasets written as NDJSON, and a fake Leanplum.

#![allow(dead_code)]

pub mod fake_leanplum;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A valid-looking App ID the fake Leanplum accepts.
pub const APP_ID: &str = "app_testTESTtestTESTtestTESTtestTESTtest1234567";
/// The API secret the fake Leanplum accepts.
pub const SECRET: &str = "prod_SECRETsecretSECRETsecretSECRETsecret12345";

/// The proxy binary.
pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_cohort-proxy")
}

/// A running proxy; killed when dropped.
pub struct Proxy {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stderr: Arc<Mutex<String>>,
    stdout: Arc<Mutex<String>>,
}

impl Proxy {
    /// Starts `cohort-proxy --database DB --listen 127.0.0.1:0 ARGS`.
    pub fn start(db: &Path, args: &[&str]) -> Proxy {
        let mut child = Command::new(binary())
            .arg("--database")
            .arg(db)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the proxy starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let stdout = Arc::new(Mutex::new(String::new()));
        let err_pipe = child.stderr.take().expect("stderr");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let out_pipe = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = stdout.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out_pipe).lines().map_while(Result::ok) {
                if let Some(addr) =
                    line.strip_prefix("cohort-proxy listening on ")
                {
                    let _ = tx.send(addr.to_owned());
                }
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let base = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!("no listening line; stderr: {}", stderr.lock().unwrap());
            }
        };
        Proxy {
            child,
            base,
            stderr,
            stdout,
        }
    }

    /// Everything the proxy logged so far.
    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Everything the proxy printed on stdout so far.
    pub fn printed(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    /// Kills the proxy with SIGKILL and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.kill();
    }
}

/// An HTTP answer, read whole.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body text.
    pub text: String,
}

impl Answer {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The error code of an error body.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// A browser-like client: keeps cookies and sends the CSRF header.
pub struct Client {
    http: reqwest::Client,
    base: String,
    cookies: Mutex<BTreeMap<String, String>>,
    /// Every body received, to look for leaks.
    pub seen: Mutex<String>,
}

impl Client {
    /// A client that has fetched `/api/session` (and so holds a CSRF
    /// cookie, and in demo mode a session).
    pub async fn new(base: &str) -> Client {
        let client = Client {
            http: reqwest::Client::new(),
            base: base.to_owned(),
            cookies: Mutex::new(BTreeMap::new()),
            seen: Mutex::new(String::new()),
        };
        let session = client.get("/api/session").await;
        assert_eq!(session.status, 200, "{}", session.text);
        client
    }

    /// A client signed in as `account` (`ada` admin or `max` member).
    pub async fn signed_in(base: &str, account: &str) -> Client {
        let client = Client::new(base).await;
        let answer = client
            .post("/api/session", json!({"account_id": account}))
            .await;
        assert_eq!(answer.status, 204, "{}", answer.text);
        client
    }

    /// The CSRF token held in the cookie.
    pub fn csrf(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .get("cohort_sync_csrf")
            .cloned()
            .unwrap_or_default()
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn finish(&self, request: reqwest::RequestBuilder) -> Answer {
        let response = request
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("the proxy answers");
        for value in response.headers().get_all("set-cookie") {
            let text = value.to_str().unwrap_or("");
            let pair = text.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                let mut cookies = self.cookies.lock().unwrap();
                if v.is_empty() {
                    cookies.remove(k);
                } else {
                    cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        self.seen.lock().unwrap().push_str(&text);
        Answer {
            status,
            headers,
            text,
        }
    }

    /// GET a path.
    pub async fn get(&self, path: &str) -> Answer {
        self.finish(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    /// POST JSON with the CSRF header.
    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.post_with(path, body, &[]).await
    }

    /// POST JSON with the CSRF header and extra headers.
    pub async fn post_with(
        &self,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", self.csrf())
            .json(&body);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.finish(request).await
    }

    /// DELETE with the CSRF header; returns the status.
    pub async fn finish_delete(&self, path: &str) -> u16 {
        let request = self
            .http
            .delete(format!("{}{path}", self.base))
            .header("x-csrf-token", self.csrf());
        self.finish(request).await.status
    }

    /// POST JSON without the CSRF header.
    pub async fn post_without_csrf(&self, path: &str, body: Value) -> Answer {
        self.finish(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    /// Connects Leanplum with the test pair; panics unless it works.
    pub async fn connect(&self) -> Answer {
        let answer = self
            .post(
                "/api/integrations/leanplum/connect",
                json!({"app_id": APP_ID, "api_secret": SECRET}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer
    }

    /// Starts a sync; returns the answer.
    pub async fn start_sync(&self, cohort: &str, kind: &str) -> Answer {
        self.post("/api/syncs", json!({"cohort_id": cohort, "kind": kind}))
            .await
    }

    /// Waits until the sync has at least `n` finished runs; returns the
    /// runs, newest first.
    pub async fn wait_runs(&self, sync_id: i64, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let runs = self.get(&format!("/api/syncs/{sync_id}/runs")).await;
            let list =
                runs.json()["runs"].as_array().cloned().unwrap_or_default();
            let done = list.iter().filter(|r| r["status"] != "running").count();
            if done >= n {
                return list;
            }
            assert!(
                Instant::now() < deadline,
                "sync {sync_id} did not finish {n} run(s): {}",
                runs.text
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the sync's status is `state`; returns the sync.
    pub async fn wait_status(&self, sync_id: i64, state: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let sync = self.get(&format!("/api/syncs/{sync_id}")).await.json();
            if sync["status"]["state"] == state {
                return sync;
            }
            assert!(
                Instant::now() < deadline,
                "sync {sync_id} never became {state}: {sync}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One profile of a test dataset.
#[derive(Clone, Debug)]
pub struct TestProfile {
    /// Distinct ID.
    pub distinct_id: String,
    /// Properties (empty = anonymous).
    pub properties: Value,
}

/// A dataset to import: profiles and cohorts.
#[derive(Clone, Debug, Default)]
pub struct TestData {
    /// Profiles.
    pub profiles: Vec<TestProfile>,
    /// Cohorts: (id, name, members).
    pub cohorts: Vec<(String, String, Vec<String>)>,
}

impl TestData {
    /// Adds an identified profile without `$leanplum_user_id`.
    pub fn person(&mut self, id: &str) -> &mut Self {
        self.profiles.push(TestProfile {
            distinct_id: id.into(),
            properties: json!({"$name": id}),
        });
        self
    }

    /// Adds a profile with these properties.
    pub fn profile(&mut self, id: &str, properties: Value) -> &mut Self {
        self.profiles.push(TestProfile {
            distinct_id: id.into(),
            properties,
        });
        self
    }

    /// Adds a cohort.
    pub fn cohort(&mut self, id: &str, members: &[String]) -> &mut Self {
        self.cohorts.push((
            id.into(),
            format!("Cohort {id}"),
            members.to_vec(),
        ));
        self
    }

    /// The members of a cohort as the sync model sees them.
    pub fn members(&self, cohort: &str) -> Vec<sync_model::Member> {
        let (_, _, ids) = self
            .cohorts
            .iter()
            .find(|(id, _, _)| id == cohort)
            .expect("cohort exists");
        ids.iter()
            .map(|id| {
                let props = self
                    .profiles
                    .iter()
                    .rev()
                    .find(|p| &p.distinct_id == id)
                    .and_then(|p| p.properties.as_object());
                sync_model::Member::from_profile(id.clone(), props)
            })
            .collect()
    }

    /// Writes NDJSON files and runs `cohort-proxy import` on `db`.
    pub fn import(&self, dir: &Path, db: &Path) {
        let profiles = dir.join(format!("profiles-{}.ndjson", unique()));
        let cohorts = dir.join(format!("cohorts-{}.ndjson", unique()));
        let mut f = std::fs::File::create(&profiles).unwrap();
        for p in &self.profiles {
            let line = json!({"distinct_id": p.distinct_id,
                              "properties": p.properties});
            writeln!(f, "{line}").unwrap();
        }
        let mut f = std::fs::File::create(&cohorts).unwrap();
        for (id, name, members) in &self.cohorts {
            let line = json!({"id": id, "name": name, "description": "",
                              "members": members});
            writeln!(f, "{line}").unwrap();
        }
        let out = Command::new(binary())
            .arg("--database")
            .arg(db)
            .arg("import")
            .arg("--profiles")
            .arg(&profiles)
            .arg("--cohorts")
            .arg(&cohorts)
            .output()
            .expect("import runs");
        assert!(
            out.status.success(),
            "import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// A temporary folder with a database path in it.
pub fn temp_db() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("proxy.sqlite");
    (dir, db)
}

/// `n` user ids with a prefix.
pub fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:04}")).collect()
}

/// Waits until `check` holds, polling.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

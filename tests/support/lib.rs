//! `spawn_app()`: the real application on port 0 with its own fresh, migrated database and the
//! demo tenants from `tenants/`, plus typed helpers for the calls tests make.

pub mod auth;
pub mod citizens;
pub mod html;
pub mod operators;
pub mod registration;
pub mod requests;
pub mod staff;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use store::test_support::{TestDatabase, fresh_database};
use tokio::sync::oneshot;
use web::{AppState, Config};

pub const DEMO: &str = "demo.localhost";
pub const NONGBUA: &str = "nongbua.localhost";

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub database: TestDatabase,
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    served: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Boots the app after `adjust` has changed the test configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let database = fresh_database().await;
    let data_dir = tempfile::tempdir().expect("data dir");
    let mut config = Config::default();
    config.database_url = web::config::Secret::new(database.url.clone());
    config.db_max_connections = 5;
    config.data_dir = data_dir.path().to_path_buf();
    config.mail.transport = notify::MailTransport::File { dir: data_dir.path().join("mail") };
    config.storage = web::config::Storage::Local { dir: data_dir.path().join("files") };
    config.tenants_dir = repo_root().join("tenants");
    config.tenant_cache_ttl_secs = 1;
    config.demo_staff = false;
    adjust(&mut config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    config.listen = addr;
    let state = web::build(config).await.expect("app builds");
    let (stop, stopped) = oneshot::channel::<()>();
    let serve_state = state.clone();
    let served = tokio::spawn(web::serve(listener, serve_state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    TestApp { addr, state, database, client, data_dir, stop: Some(stop), served: Some(served) }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A GET to `path` on the site named by `host` (sent as the Host header).
    pub fn get(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client.get(self.url(path)).header("Host", host)
    }

    pub fn post(&self, host: &str, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.url(path)).header("Host", host)
    }

    /// The body of a GET that must succeed.
    pub async fn page(&self, host: &str, path: &str) -> String {
        let response = self.get(host, path).send().await.expect("request");
        assert_eq!(response.status(), 200, "GET {host}{path}");
        response.text().await.expect("body")
    }

    pub fn db(&self) -> &store::Db {
        &self.database.db
    }

    /// Sends the stop signal (as SIGTERM does) and waits until `serve` has returned.
    pub async fn stop_serving(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.served.take() {
            Some(served) => served.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

/// Polls `check` until it returns true or the deadline passes.
pub async fn eventually<F, Fut>(deadline: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = tokio::time::Instant::now();
    loop {
        if check().await {
            return true;
        }
        if start.elapsed() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

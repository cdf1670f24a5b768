//! Signing in as tests do it: `Browser` keeps one visitor's cookies for one site and fills in the
//! CSRF token of every form it posts; `api_login` gets a bearer token; `delivered_mail` runs the
//! outbox worker once and returns what the file transport wrote.

use crate::citizens::TestCitizen;
use crate::TestApp;
use reqwest::header::{COOKIE, SET_COOKIE};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

/// One visitor of one site (Host), with its own cookie jar.
pub struct Browser<'a> {
    app: &'a TestApp,
    /// Where the server listens (the Host header says which site).
    pub addr: std::net::SocketAddr,
    pub host: &'a str,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp, host: &'a str) -> Self {
        Self { app, addr: app.addr, host, client: app.client.clone(), cookies: BTreeMap::new() }
    }

    /// A visitor whose connections come from `ip` (any 127.x.y.z on Linux), as the server sees it.
    pub fn from_ip(app: &'a TestApp, host: &'a str, ip: &str) -> Self {
        let ip: IpAddr = ip.parse().expect("an IP address");
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .local_address(ip)
            .build()
            .expect("client");
        Self { app, addr: app.addr, host, client, cookies: BTreeMap::new() }
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.get(name).map(String::as_str)
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn remember(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(SET_COOKIE) {
            let value = value.to_str().expect("ascii cookie");
            let (pair, attributes) = value.split_once(';').unwrap_or((value, ""));
            let (name, cookie) = pair.split_once('=').expect("name=value");
            if cookie.is_empty() || attributes.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), cookie.to_owned());
            }
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> reqwest::Response {
        let request = if self.cookies.is_empty() { request } else { request.header(COOKIE, self.cookie_header()) };
        let response = request.header("Host", self.host).send().await.expect("request");
        self.remember(&response);
        response
    }

    /// A POST to `path` from this visitor, to finish (body, headers) and pass to `send`, which adds
    /// the Host and the cookies.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client.post(self.app.url(path))
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let request = self.client.get(self.app.url(path));
        self.send(request).await
    }

    /// The CSRF token forms must repeat (fetching a page first if there is no cookie yet).
    pub async fn csrf(&mut self) -> String {
        if self.cookie("csrf").is_none() {
            let page = self.get("/login").await;
            assert_eq!(page.status(), 200, "GET /login");
        }
        self.cookie("csrf").expect("a csrf cookie").to_owned()
    }

    /// POSTs a form with this visitor's CSRF token added.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let csrf = self.csrf().await;
        let mut form: Vec<(&str, &str)> = vec![("csrf_token", csrf.as_str())];
        form.extend_from_slice(fields);
        let request = self.post(path).form(&form);
        self.send(request).await
    }

    /// POSTs a form exactly as given (no CSRF token added).
    pub async fn post_raw_form(&mut self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let request = self.post(path).form(fields);
        self.send(request).await
    }

    pub async fn login(&mut self, national_id: &str, password: &str) -> reqwest::Response {
        self.post_form("/login", &[("username", national_id), ("password", password)]).await
    }

    /// Opens a password-reset link as a browser does: the link answers with a redirect to the bare
    /// page (the token moves from the address into a cookie), which shows the form.
    pub async fn open_reset_link(&mut self, token: &str) -> reqwest::Response {
        let first = self.get(&format!("/password/reset?token={token}")).await;
        assert_eq!(first.status(), 303, "the link redirects");
        assert_eq!(first.headers()["location"], "/password/reset", "to an address without the token");
        assert_eq!(first.headers()["referrer-policy"], "no-referrer");
        self.get("/password/reset").await
    }

    /// Logs in through the form and checks that it worked.
    pub async fn login_as(&mut self, citizen: &TestCitizen) {
        let response = self.login(&citizen.national_id, &citizen.password).await;
        assert_eq!(response.status(), 303, "login of {}", citizen.national_id);
        assert!(self.cookie("sid").is_some(), "a session cookie");
    }
}

/// `POST /api/v1/auth/login`; the raw response.
pub async fn api_login(app: &TestApp, host: &str, username: &str, password: &str) -> reqwest::Response {
    api_login_on_device(app, host, username, password, None).await
}

/// `POST /api/v1/auth/login` presenting the `device_token` an earlier answer gave.
pub async fn api_login_on_device(app: &TestApp, host: &str, username: &str, password: &str, device: Option<&str>) -> reqwest::Response {
    app.post(host, "/api/v1/auth/login")
        .json(&serde_json::json!({ "username": username, "password": password, "device_token": device }))
        .send()
        .await
        .expect("api login")
}

/// A bearer token for `citizen`.
pub async fn api_token(app: &TestApp, host: &str, citizen: &TestCitizen) -> String {
    let response = api_login(app, host, &citizen.national_id, &citizen.password).await;
    assert_eq!(response.status(), 200, "api login");
    let body: serde_json::Value = response.json().await.expect("json");
    body["token"].as_str().expect("a token").to_owned()
}

/// Delivers what the outbox holds (one worker pass) and returns every message in the mailbox,
/// newest first.
pub async fn delivered_mail(app: &TestApp) -> Vec<notify::dev_mailbox::MailView> {
    notify::drain_once(&app.state.db, &app.state.mailer, &notify::WorkerOptions::default(), chrono::Utc::now())
        .await
        .expect("outbox drained");
    let dir = app.state.mailer.mailbox_dir().expect("the test app writes mail to files").to_owned();
    tokio::task::spawn_blocking(move || {
        notify::dev_mailbox::list(&dir, 1000)
            .into_iter()
            .filter_map(|summary| notify::dev_mailbox::read(&dir, &summary.id))
            .collect()
    })
    .await
    .expect("mailbox read")
}

/// The first `http(s)://…` link in `text` that contains `needle`.
pub fn link_in(text: &str, needle: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
        .find(|word| (word.starts_with("http://") || word.starts_with("https://")) && word.contains(needle))
        .map(str::to_owned)
}

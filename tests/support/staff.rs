//! Staff as tests make them: a member with a password and TOTP on, the next valid code for each
//! sign-in (a code's 30-second step is accepted once), sign-in in the browser and by the API.

use crate::TestApp;
use crate::auth::Browser;
use access::authz::Role;
use std::sync::Mutex;
use uuid::Uuid;

pub struct StaffMember {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub secret: String,
    last_step: Mutex<i64>,
}

fn now_step() -> i64 {
    chrono::Utc::now().timestamp() / 30
}

impl StaffMember {
    pub fn new(id: Uuid, email: &str, password: &str, secret: &str) -> Self {
        Self { id, email: email.to_owned(), password: password.to_owned(), secret: secret.to_owned(), last_step: Mutex::new(0) }
    }

    /// A code of a step no earlier sign-in used, waiting for the next step when needed.
    pub async fn next_code(&self) -> String {
        let step = loop {
            let now = now_step();
            let wanted = now.max(*self.last_step.lock().expect("lock") + 1);
            if wanted <= now + 1 {
                break wanted;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        };
        *self.last_step.lock().expect("lock") = step;
        access::totp::code_at(&self.secret, u64::try_from(step * 30).expect("time")).expect("a code")
    }
}

pub async fn tenant_record(app: &TestApp, slug: &str) -> store::tenants::TenantRecord {
    store::tenants::find_by_slug(app.db(), slug).await.expect("db").expect("tenant exists")
}

/// A member of `slug` with `role`, password set and TOTP enabled.
pub async fn add_staff(app: &TestApp, slug: &str, role: Role) -> StaffMember {
    let tenant = tenant_record(app, slug).await;
    let email = format!("{}.{}@{slug}.example", role.as_str(), &Uuid::new_v4().simple().to_string()[..8]);
    let password = "Office-desk-2569-stamp".to_owned();
    let (member, secret) = app::staff::manage::create_demo(&app.state.app, &tenant, &email, "เจ้าหน้าที่ ทดสอบ", role, &password)
        .await
        .expect("staff created");
    StaffMember { id: member.id, email, password, secret, last_step: Mutex::new(0) }
}

/// `POST /api/v1/backoffice/auth/login` with the next code; the raw response.
pub async fn staff_api_login(app: &TestApp, host: &str, member: &StaffMember) -> reqwest::Response {
    let code = member.next_code().await;
    app.post(host, "/api/v1/backoffice/auth/login")
        .json(&serde_json::json!({ "email": member.email, "password": member.password, "totp_code": code }))
        .send()
        .await
        .expect("staff api login")
}

pub async fn staff_token(app: &TestApp, host: &str, member: &StaffMember) -> String {
    let response = staff_api_login(app, host, member).await;
    assert_eq!(response.status(), 200, "staff api login of {}", member.email);
    let body: serde_json::Value = response.json().await.expect("json");
    body["token"].as_str().expect("a token").to_owned()
}

/// The value of the first `name="csrf_token"` field of a page.
pub fn form_csrf(html: &str) -> String {
    let start = html.find("name=\"csrf_token\" value=\"").expect("a csrf field") + "name=\"csrf_token\" value=\"".len();
    html[start..].split('"').next().expect("its value").to_owned()
}

/// Signs in through `/staff/login` and the code page; panics unless it ends on `/staff`.
pub async fn staff_browser_login(browser: &mut Browser<'_>, member: &StaffMember) {
    let response = browser.post_form("/staff/login", &[("email", &member.email), ("password", &member.password)]).await;
    assert_eq!(response.status(), 303, "password step");
    let page = browser.get("/staff/login").await.text().await.expect("code page");
    let csrf = form_csrf(&page);
    let code = member.next_code().await;
    let response = browser.post_raw_form("/staff/login/code", &[("csrf_token", &csrf), ("code", &code)]).await;
    assert_eq!(response.status(), 303, "code step");
    assert_eq!(response.headers()["location"], "/staff");
}

/// The CSRF token of the signed-in staff session, read from a back-office page.
pub async fn staff_csrf(browser: &mut Browser<'_>) -> String {
    let page = browser.get("/staff").await.text().await.expect("dashboard");
    form_csrf(&page)
}

/// Permission `P` in `slug`, held by a fresh admin with a live session (no password, no HTTP):
/// for tests that need the back office's use cases to set the scene.
pub async fn granted<P: access::authz::Permission>(app: &TestApp, slug: &str) -> access::authz::Granted<P> {
    let tenant = tenant_record(app, slug).await;
    let scope = tenant.scope();
    let email = format!("scene.{}@{slug}.example", &Uuid::new_v4().simple().to_string()[..8]);
    let new = store::staff::NewStaff { email, name: "เจ้าหน้าที่ ทดสอบ".into(), password_hash: None, invite: None };
    let member = store::staff::create(app.db(), scope, new).await.expect("staff");
    access::authz::Authorizer::assign_role(app.db(), scope, member.id, Role::Admin).await.expect("role");
    app.state.app.authz.invalidate(scope).await;
    let stage = access::staff::Stage::Full;
    let started = access::staff::start_session(app.db(), scope, member.id, access::staff::API, stage, "127.0.0.1", "tests")
        .await
        .expect("session");
    let who = access::staff::authenticate(app.db(), scope, &started.token, access::staff::API, "127.0.0.1", chrono::Utc::now())
        .await
        .expect("db")
        .expect("a live session");
    app.state.app.authz.grant::<P>(&who).await.expect("an admin may")
}

/// The value of the first `name="<name>"` field of a page.
pub fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("a {name} field")) + marker.len();
    html[start..].split('"').next().expect("its value").to_owned()
}

/// `GET path` with a bearer token (empty: none): the status and the JSON body (null if none).
pub async fn get_json(app: &TestApp, host: &str, token: &str, path: &str) -> (u16, serde_json::Value) {
    let request = app.get(host, path);
    let request = if token.is_empty() { request } else { request.bearer_auth(token) };
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

/// `POST path` with a JSON body and a bearer token: the status and the JSON body (null if none).
pub async fn post_json(app: &TestApp, host: &str, token: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let response = app.post(host, path).bearer_auth(token).json(&body).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

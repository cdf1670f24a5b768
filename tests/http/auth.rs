//! Login, logout, sessions, rate limits and password reset: HTML and API.

use chrono::{Duration, Utc};
use eservice_tests::auth::{Browser, api_login, api_login_on_device, api_token, delivered_mail, link_in};
use eservice_tests::html::summary_links;
use eservice_tests::citizens::TestCitizen;
use eservice_tests::{DEMO, NONGBUA, TestApp, spawn_app, spawn_app_with};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use store::Scope;
use store::entities::{outbox, password_reset, session};

async fn scope(app: &TestApp, slug: &str) -> Scope {
    store::tenants::find_by_slug(app.db(), slug).await.expect("db").expect("tenant").scope()
}

/// The session row behind a token, looked up as the server does (by the token's hash).
async fn live_session(app: &TestApp, slug: &str, token: &str, kind: &str) -> Option<store::sessions::Session> {
    let hash = access::token::hash_token(token);
    store::sessions::lookup(app.db(), scope(app, slug).await, &hash, kind, Utc::now()).await.expect("db").map(|(s, _)| s)
}

async fn sessions_of(app: &TestApp, citizen: uuid::Uuid) -> u64 {
    session::Entity::find().filter(session::Column::CitizenId.eq(citizen)).count(app.db()).await.expect("db")
}

async fn queued_mail(app: &TestApp) -> u64 {
    outbox::Entity::find().count(app.db()).await.expect("db")
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

fn location(response: &reqwest::Response) -> &str {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// Asks for a reset link for `email` through the form and returns the link the e-mail carries.
async fn reset_link(app: &TestApp, host: &str, email: &str) -> String {
    let mut browser = Browser::new(app, host);
    let response = browser.post_form("/password/forgot", &[("email", email)]).await;
    assert_eq!(response.status(), 303);
    let mail = delivered_mail(app).await;
    let message = mail.iter().find(|m| m.to.contains(email)).expect("a reset e-mail");
    link_in(message.text.as_deref().unwrap_or_default(), "/password/reset?token=").expect("a reset link")
}

fn token_of(link: &str) -> String {
    link.split_once("token=").map(|(_, t)| t.to_owned()).expect("token in link")
}

// ---- login page and sessions ----

#[tokio::test]
async fn the_login_page_asks_for_the_national_id_and_password_in_thai() {
    let app = spawn_app().await;
    let page = app.page(DEMO, "/login").await;
    for text in ["เข้าสู่ระบบ", "เลขบัตรประจำตัวประชาชน", "รหัสผ่าน", "ลืมรหัสผ่าน", r#"href="/password/forgot""#, r#"name="csrf_token""#] {
        assert!(page.contains(text), "login page lacks {text}");
    }
    assert!(page.contains(r#"name="viewport""#), "made for phones too");
    let english = app.get(DEMO, "/login").header("Accept-Language", "en").send().await.expect("get").text().await.expect("body");
    assert!(english.contains("National ID number") && english.contains("Forgot your password?"));
}

#[tokio::test]
async fn a_citizen_logs_in_right_after_registering() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    let response = browser.login(&citizen.national_id, &citizen.password).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/register/identity", "photos are still required");
    let cookie = set_cookie(&response, "sid").expect("a session cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(!cookie.contains("Secure"), "plain http in tests");
    let signed_in = browser.get("/login").await.text().await.expect("body");
    assert!(signed_in.contains("สมชาย ใจดี") && signed_in.contains("ออกจากระบบ"), "the login page knows who is signed in");
}

#[tokio::test]
async fn login_goes_to_next_or_welcome_and_never_off_site() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let scope = scope(&app, "demo").await;
    store::citizens::set_identity_status(app.db(), scope, stored.id, store::citizens::identity_status::PENDING, None).await.expect("db");

    let mut browser = Browser::new(&app, DEMO);
    let page = browser.get("/login?next=/requests").await.text().await.expect("body");
    assert!(page.contains(r#"name="next" value="/requests""#), "next is carried by the form");
    for (next, expected) in [("/requests?page=2", "/requests?page=2"), ("https://evil.example/", "/welcome"), ("//evil.example", "/welcome"), ("", "/welcome")] {
        let response = browser
            .post_form("/login", &[("username", &citizen.national_id), ("password", &citizen.password), ("next", next)])
            .await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), expected, "next={next}");
    }
}

#[tokio::test]
async fn session_cookies_are_secure_over_https() {
    let app = spawn_app_with(|c| {
        c.https = true;
    }).await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let response = Browser::new(&app, DEMO).login(&citizen.national_id, &citizen.password).await;
    let cookie = set_cookie(&response, "sid").expect("a session cookie");
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
}

#[tokio::test]
async fn sessions_are_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let token = browser.cookie("sid").expect("sid").to_owned();
    let rows = session::Entity::find().filter(session::Column::CitizenId.eq(stored.id)).all(app.db()).await.expect("db");
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].id_hash, token);
    assert_eq!(rows[0].id_hash, access::token::hash_token(&token));
    assert!(!format!("{rows:?}").contains(&token), "the cookie value is nowhere in the table");
    assert_eq!(rows[0].kind, "web");
}

#[tokio::test]
async fn login_rotates_the_session() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let first = browser.cookie("sid").expect("sid").to_owned();
    let first_csrf = browser.cookie("csrf").expect("csrf").to_owned();
    browser.login_as(&citizen).await;
    let second = browser.cookie("sid").expect("sid").to_owned();
    assert_ne!(first, second);
    assert_ne!(first_csrf, browser.cookie("csrf").expect("csrf"), "the CSRF token is renewed at login");
    assert!(live_session(&app, "demo", &first, "web").await.is_none(), "the session presented at login is ended");
    assert!(live_session(&app, "demo", &second, "web").await.is_some());
    assert_eq!(sessions_of(&app, stored.id).await, 1);
}

#[tokio::test]
async fn wrong_password_and_unknown_id_get_the_same_answer() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let unknown = TestCitizen::new();
    let mut browser = Browser::new(&app, DEMO);

    let wrong = browser.login(&citizen.national_id, "not-the-password-1").await;
    assert_eq!(wrong.status(), 401);
    let wrong = wrong.text().await.expect("body");
    let nobody = browser.login(&unknown.national_id, "not-the-password-1").await;
    assert_eq!(nobody.status(), 401);
    let nobody = nobody.text().await.expect("body");

    assert!(wrong.contains("เลขบัตรประจำตัวประชาชนหรือรหัสผ่านไม่ถูกต้อง"));
    assert!(wrong.contains(&format!(r#"value="{}""#, citizen.national_id)), "the ID typed is kept");
    assert_eq!(wrong.replace(&citizen.national_id, "ID"), nobody.replace(&unknown.national_id, "ID"), "the same page");
    assert!(browser.cookie("sid").is_none());

    let malformed = browser.login("1234", "x").await;
    assert_eq!(malformed.status(), 422);
    assert!(malformed.text().await.expect("body").contains("กรุณากรอกเลขบัตรประจำตัวประชาชน 13 หลักให้ถูกต้อง"));
}

#[tokio::test]
async fn logout_ends_the_session_in_the_database() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let token = browser.cookie("sid").expect("sid").to_owned();

    let refused = browser.post_raw_form("/logout", &[]).await;
    assert_eq!(refused.status(), 403, "logout needs the CSRF token");
    assert!(live_session(&app, "demo", &token, "web").await.is_some());

    let response = browser.post_form("/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert!(set_cookie(&response, "sid").is_some_and(|c| c.contains("Max-Age=0")), "the cookie is cleared");
    assert!(live_session(&app, "demo", &token, "web").await.is_none());

    // The old cookie, sent again, no longer signs anyone in.
    browser.cookies.insert("sid".into(), token);
    let page = browser.get("/login").await.text().await.expect("body");
    assert!(!page.contains("ออกจากระบบ"));
}

#[tokio::test]
async fn login_without_the_csrf_token_is_refused() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.csrf().await;
    let response = browser.post_raw_form("/login", &[("username", &citizen.national_id), ("password", &citizen.password)]).await;
    assert_eq!(response.status(), 403);
    assert!(browser.cookie("sid").is_none());
    let forged = browser
        .post_raw_form("/login", &[("csrf_token", "forged"), ("username", &citizen.national_id), ("password", &citizen.password)])
        .await;
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn idle_and_absolute_expiry_end_sessions() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let past = Utc::now() - Duration::minutes(1);
    for column in [session::Column::IdleExpiresAt, session::Column::ExpiresAt] {
        let mut browser = Browser::new(&app, DEMO);
        browser.login_as(&citizen).await;
        let token = browser.cookie("sid").expect("sid").to_owned();
        assert!(browser.get("/login").await.text().await.expect("body").contains("ออกจากระบบ"));
        session::Entity::update_many()
            .col_expr(column, Expr::value(past))
            .filter(session::Column::CitizenId.eq(stored.id))
            .exec(app.db())
            .await
            .expect("db");
        assert!(live_session(&app, "demo", &token, "web").await.is_none(), "{column:?}");
        assert!(!browser.get("/login").await.text().await.expect("body").contains("ออกจากระบบ"), "{column:?}");
    }

    let bearer = api_token(&app, DEMO, &citizen).await;
    session::Entity::update_many()
        .col_expr(session::Column::ExpiresAt, Expr::value(past))
        .filter(session::Column::CitizenId.eq(stored.id))
        .exec(app.db())
        .await
        .expect("db");
    let response = app.post(DEMO, "/api/v1/auth/logout").bearer_auth(&bearer).send().await.expect("logout");
    assert_eq!(response.status(), 401, "an expired bearer token is refused");
}

// ---- brute force ----

#[tokio::test]
async fn a_strangers_failures_hold_back_only_the_strangers_client() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut stranger = Browser::new(&app, DEMO);
    for _ in 0..5 {
        assert_eq!(stranger.login(&citizen.national_id, "wrong-password-123").await.status(), 401);
    }
    let locked = stranger.login(&citizen.national_id, &citizen.password).await;
    assert_eq!(locked.status(), 429, "even the right password waits, from that client");
    let retry: u64 = locked.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(locked.text().await.expect("body").contains("ระงับการเข้าสู่ระบบไว้ชั่วคราว"));
    assert!(stranger.cookie("sid").is_none());
    let api = api_login(&app, DEMO, &citizen.national_id, &citizen.password).await;
    assert_eq!(api.status(), 429, "the API from the same address");
    assert_eq!(api.json::<serde_json::Value>().await.expect("json")["error"]["code"], "too_many_requests");

    let mut owner = Browser::from_ip(&app, DEMO, "127.0.0.2");
    assert_eq!(owner.login(&citizen.national_id, &citizen.password).await.status(), 303, "the owner elsewhere is not held");

    // An unknown ID is held the same way, so being held says nothing about who is registered.
    let unknown = TestCitizen::new();
    for _ in 0..5 {
        assert_eq!(owner.login(&unknown.national_id, "wrong-password-123").await.status(), 401);
    }
    assert_eq!(owner.login(&unknown.national_id, "wrong-password-123").await.status(), 429);

    // Other accounts of the same tenant are not affected, nor the same ID in another tenant.
    let other = TestCitizen::new();
    other.insert(&app, "demo").await;
    assert_eq!(Browser::new(&app, DEMO).login(&other.national_id, &other.password).await.status(), 303);
    let mut twin = citizen.clone();
    twin.email = format!("twin.{}", citizen.email);
    twin.insert(&app, "nongbua").await;
    assert_eq!(Browser::new(&app, NONGBUA).login(&twin.national_id, &twin.password).await.status(), 303);
}

#[tokio::test]
async fn guesses_from_many_addresses_never_lock_the_owner_out_of_a_known_device() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut laptop = Browser::new(&app, DEMO);
    let first = laptop.login(&citizen.national_id, &citizen.password).await;
    assert_eq!(first.status(), 303);
    let device = set_cookie(&first, "device").expect("a device cookie");
    assert!(device.contains("HttpOnly") && device.contains("SameSite=Lax") && device.contains("Max-Age=31536000"), "{device}");
    let phone: serde_json::Value = api_login(&app, DEMO, &citizen.national_id, &citizen.password).await.json().await.expect("json");
    let phone = phone["device_token"].as_str().expect("a device token for the app").to_owned();

    // A stranger guesses from the laptop's own address and from 19 others (the national ID is
    // printed on every copy of the card).
    for octet in 1..=20 {
        let mut stranger = Browser::from_ip(&app, DEMO, &format!("127.0.0.{octet}"));
        assert_eq!(stranger.login(&citizen.national_id, "wrong-password-123").await.status(), 401);
    }
    let mut new_device = Browser::from_ip(&app, DEMO, "127.0.1.1");
    assert_eq!(
        new_device.login(&citizen.national_id, &citizen.password).await.status(),
        429,
        "unknown devices wait once guesses came from many addresses"
    );

    assert_eq!(laptop.login(&citizen.national_id, &citizen.password).await.status(), 303, "the known browser signs in");
    let app_login = api_login_on_device(&app, DEMO, &citizen.national_id, &citizen.password, Some(&phone)).await;
    assert_eq!(app_login.status(), 200, "the known app signs in");
    assert_eq!(app_login.json::<serde_json::Value>().await.expect("json")["device_token"], phone.as_str(), "and stays known");

    // A device token of another account, or a made-up one, counts as an unknown device.
    let other = TestCitizen::new();
    other.insert(&app, "demo").await;
    let mut borrowed = Browser::from_ip(&app, DEMO, "127.0.1.2");
    borrowed.login_as(&other).await;
    assert_eq!(borrowed.login(&citizen.national_id, &citizen.password).await.status(), 429);
    let forged = api_login_on_device(&app, DEMO, &citizen.national_id, &citizen.password, Some("made-up")).await;
    assert_eq!(forged.status(), 429);

    // The known device's own wrong guesses hold back that device only.
    for _ in 0..5 {
        assert_eq!(laptop.login(&citizen.national_id, "wrong-password-123").await.status(), 401);
    }
    assert_eq!(laptop.login(&citizen.national_id, &citizen.password).await.status(), 429);
    let app_login = api_login_on_device(&app, DEMO, &citizen.national_id, &citizen.password, Some(&phone)).await;
    assert_eq!(app_login.status(), 200);
}

#[tokio::test]
async fn after_a_password_reset_the_owner_signs_in_whatever_strangers_tried() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let mut old_laptop = Browser::from_ip(&app, DEMO, "127.0.2.1");
    old_laptop.login_as(&citizen).await;
    for octet in 1..=20 {
        let mut stranger = Browser::from_ip(&app, DEMO, &format!("127.0.0.{octet}"));
        assert_eq!(stranger.login(&citizen.national_id, "wrong-password-123").await.status(), 401);
    }
    // The owner, on a new phone behind the same carrier address as one of the guesses.
    let mut phone = Browser::new(&app, DEMO);
    assert_eq!(phone.login(&citizen.national_id, &citizen.password).await.status(), 429);

    let token = token_of(&reset_link(&app, DEMO, &citizen.email).await);
    assert_eq!(phone.open_reset_link(&token).await.status(), 200);
    let new_password = "Sunflower-paddy-2569";
    let done = phone.post_form("/password/reset", &[("token", &token), ("password", new_password), ("password_confirm", new_password)]).await;
    assert_eq!(done.status(), 303);
    assert!(set_cookie(&done, "device").is_some(), "the phone that made the reset is now a known device");
    assert_eq!(phone.login(&citizen.national_id, new_password).await.status(), 303, "the owner signs in at once");

    let known: u64 = store::entities::known_device::Entity::find()
        .filter(store::entities::known_device::Column::CitizenId.eq(stored.id))
        .count(app.db())
        .await
        .expect("db");
    assert_eq!(known, 1, "the devices from before the reset are forgotten; the phone is known");
    assert_eq!(old_laptop.login(&citizen.national_id, new_password).await.status(), 303, "a new address is not held either");
}

#[tokio::test]
async fn many_failures_from_one_ip_lock_that_ip() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    for _ in 0..20 {
        let guess = TestCitizen::new();
        assert_eq!(browser.login(&guess.national_id, "wrong-password-123").await.status(), 401);
    }
    assert_eq!(browser.login(&citizen.national_id, &citizen.password).await.status(), 429);
    let mut elsewhere = Browser::from_ip(&app, DEMO, "127.0.0.3");
    assert_eq!(elsewhere.login(&citizen.national_id, &citizen.password).await.status(), 303);
}

#[tokio::test]
async fn a_successful_login_forgives_earlier_failures_of_the_account() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    for _ in 0..4 {
        assert_eq!(browser.login(&citizen.national_id, "wrong-password-123").await.status(), 401);
    }
    browser.login_as(&citizen).await;
    for _ in 0..4 {
        assert_eq!(browser.login(&citizen.national_id, "wrong-password-123").await.status(), 401);
    }
    assert_eq!(browser.login(&citizen.national_id, &citizen.password).await.status(), 303);
}

// ---- JSON API: login and logout ----

#[tokio::test]
async fn the_api_gives_a_bearer_token_and_logout_ends_it() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let response = api_login(&app, DEMO, &citizen.national_id, &citizen.password).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let token = body["token"].as_str().expect("token").to_owned();
    let expires_at: chrono::DateTime<Utc> = body["expires_at"].as_str().expect("expires_at").parse().expect("a time");
    assert!(expires_at > Utc::now() + Duration::days(29), "API sessions last 30 days at most");
    let row = live_session(&app, "demo", &token, "api").await.expect("an api session");
    assert_eq!(row.citizen_id, stored.id);
    assert!(live_session(&app, "nongbua", &token, "api").await.is_none(), "the token belongs to its tenant");

    let on_other_tenant = app.post(NONGBUA, "/api/v1/auth/logout").bearer_auth(&token).send().await.expect("logout");
    assert_eq!(on_other_tenant.status(), 401);
    let logout = app.post(DEMO, "/api/v1/auth/logout").bearer_auth(&token).send().await.expect("logout");
    assert_eq!(logout.status(), 204);
    assert!(live_session(&app, "demo", &token, "api").await.is_none());
    let again = app.post(DEMO, "/api/v1/auth/logout").bearer_auth(&token).send().await.expect("logout");
    assert_eq!(again.status(), 401, "the token no longer works");
}

#[tokio::test]
async fn the_api_login_refuses_bad_credentials_alike_and_names_bad_fields() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let wrong = api_login(&app, DEMO, &citizen.national_id, "wrong-password-123").await;
    assert_eq!(wrong.status(), 401);
    let wrong: serde_json::Value = wrong.json().await.expect("json");
    let unknown = api_login(&app, DEMO, &TestCitizen::new().national_id, "wrong-password-123").await;
    assert_eq!(unknown.status(), 401);
    assert_eq!(wrong, unknown.json::<serde_json::Value>().await.expect("json"));
    assert_eq!(wrong["error"]["code"], "invalid_credentials");
    assert_eq!(wrong["error"]["message"], "เลขบัตรประจำตัวประชาชนหรือรหัสผ่านไม่ถูกต้อง");

    let missing = app.post(DEMO, "/api/v1/auth/login").json(&serde_json::json!({})).send().await.expect("login");
    assert_eq!(missing.status(), 422);
    let missing: serde_json::Value = missing.json().await.expect("json");
    let fields: Vec<(&str, &str)> = missing["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| (f["field"].as_str().unwrap_or_default(), f["code"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(fields, vec![("username", "required"), ("password", "required")]);

    let mut bad_digit = citizen.national_id.clone();
    let last = bad_digit.pop().and_then(|c| c.to_digit(10)).expect("digit");
    bad_digit.push(char::from_digit((last + 1) % 10, 10).expect("digit"));
    let malformed = api_login(&app, DEMO, &bad_digit, "whatever").await;
    assert_eq!(malformed.status(), 422);
    let malformed: serde_json::Value = malformed.json().await.expect("json");
    assert_eq!(malformed["error"]["fields"][0]["field"], "username");
    assert_eq!(malformed["error"]["fields"][0]["code"], "checksum");

    let not_json = app.post(DEMO, "/api/v1/auth/login").header("content-type", "application/json").body("{").send().await.expect("login");
    assert_eq!(not_json.status(), 400);
}

// ---- forgotten password ----

#[tokio::test]
async fn forgot_password_answers_alike_whether_or_not_the_address_is_registered() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    let page = browser.get("/password/forgot").await.text().await.expect("body");
    assert!(page.contains("ลืมรหัสผ่าน") && page.contains("อีเมล") && page.contains("ถัดไป"));

    let known = browser.post_form("/password/forgot", &[("email", &citizen.email)]).await;
    let unknown = browser.post_form("/password/forgot", &[("email", "nobody.here@example.com")]).await;
    assert_eq!(known.status(), 303);
    assert_eq!(unknown.status(), 303);
    assert_eq!(location(&known), "/password/forgot/sent");
    assert_eq!(location(&unknown), location(&known));
    assert_eq!(set_cookie(&known, "sid"), set_cookie(&unknown, "sid"));
    assert_eq!(known.text().await.expect("body"), unknown.text().await.expect("body"));
    let sent = browser.get("/password/forgot/sent").await.text().await.expect("body");
    assert!(sent.contains("กรุณาตรวจสอบอีเมลของท่าน") && sent.contains("จดหมายขยะ"));

    // The same work either way: one e-mail each, so neither answer comes back sooner.
    assert_eq!(queued_mail(&app).await, 2);
    let mail = delivered_mail(&app).await;
    let link = mail.iter().find(|m| m.to.contains(&citizen.email)).expect("the registered address's e-mail");
    assert!(link.text.as_deref().unwrap_or_default().contains("/password/reset?token="));
    let note = mail.iter().find(|m| m.to.contains("nobody.here@example.com")).expect("a note to the unknown address");
    let note_text = note.text.as_deref().unwrap_or_default();
    assert!(note.subject.contains("คำขอเปลี่ยนรหัสผ่าน") && note.subject.contains("Password reset request"), "{}", note.subject);
    assert!(note_text.contains("ไม่พบบัญชีที่ลงทะเบียนด้วยอีเมลนี้") && note_text.contains("no account is registered"), "{note_text}");
    assert!(note_text.contains(&format!("{}/register", app.state.tenant_origin(&eservice_tests::staff::tenant_record(&app, "demo").await))), "where to register");
    assert!(!note_text.contains("token="), "nothing that resets anything");

    let malformed = browser.post_form("/password/forgot", &[("email", "not an address")]).await;
    assert_eq!(malformed.status(), 422);
    assert!(malformed.text().await.expect("body").contains(r#"value="not an address""#), "what was typed is kept");
    let without_csrf = browser.post_raw_form("/password/forgot", &[("email", &citizen.email)]).await;
    assert_eq!(without_csrf.status(), 403);
}

#[tokio::test]
async fn the_reset_email_is_thai_first_branded_and_links_to_the_tenant() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.post_form("/password/forgot", &[("email", &citizen.email)]).await;
    let mail = delivered_mail(&app).await;
    let message = mail.first().expect("one e-mail");
    assert!(message.subject.contains("แจ้งเปลี่ยนรหัสผ่าน"), "{}", message.subject);
    let html = message.html.as_deref().expect("an HTML part");
    let text = message.text.as_deref().expect("a text part");
    for part in [html, text] {
        assert!(part.contains("เทศบาลเมืองตัวอย่าง") && part.contains("Tua Yang Town Municipality"));
        assert!(part.contains("เปลี่ยนรหัสผ่าน") && part.contains("Change password"));
        let thai = part.find("เปลี่ยนรหัสผ่าน").unwrap_or(usize::MAX);
        assert!(thai < part.find("Change password").unwrap_or(0), "Thai comes first");
        assert!(part.contains("043 000 111"), "the tenant's contact");
        assert!(!part.contains("องค์การบริหารส่วนตำบลหนองบัว"));
    }
    assert!(html.contains("#1a4f8b"), "the tenant's colour");
    let link = link_in(text, "/password/reset?token=").expect("a link in the text");
    assert!(link.starts_with(&format!("{}/password/reset?token=", app.state.tenant_origin(&eservice_tests::staff::tenant_record(&app, "demo").await))), "{link}");
    assert!(html.contains(&format!(r#"href="{link}""#)), "the same link in the HTML");
    let token = token_of(&link);
    assert_eq!(token.len(), 43);

    let rows = password_reset::Entity::find().all(app.db()).await.expect("db");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].token_hash, access::token::hash_token(&token), "stored hashed");
    let lifetime = rows[0].expires_at - rows[0].created_at;
    assert_eq!(lifetime, Duration::minutes(30));
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let mut phone = Browser::new(&app, DEMO);
    phone.login_as(&citizen).await;
    let bearer = api_token(&app, DEMO, &citizen).await;
    assert_eq!(sessions_of(&app, stored.id).await, 2);

    let link = reset_link(&app, DEMO, &citizen.email).await;
    let mut browser = Browser::new(&app, DEMO);
    let form = browser.open_reset_link(&token_of(&link)).await;
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["cache-control"], "no-store");
    assert_eq!(form.headers()["referrer-policy"], "no-referrer", "the token never leaves as a Referer");
    let form = form.text().await.expect("body");
    assert!(form.contains("คำแนะนำ") && form.contains(r#"name="password""#) && form.contains("ถัดไป"));
    assert!(form.contains(&format!(r#"value="{}""#, token_of(&link))), "the token rides along in the form");

    let new_password = "Sunflower-paddy-2569";
    let fields = [("token", token_of(&link)), ("password", new_password.to_owned()), ("password_confirm", new_password.to_owned())];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let done = browser.post_form("/password/reset", &fields).await;
    assert_eq!(done.status(), 303);
    assert_eq!(location(&done), "/password/reset/done");
    let done = browser.get("/password/reset/done").await.text().await.expect("body");
    assert!(done.contains("ดำเนินการสำเร็จ") && done.contains(r#"action="/login""#), "success, on the login screen");
    assert!(done.contains("รหัสผ่านใหม่ที่ท่านเพิ่งตั้ง"), "the login screen asks for the new password");
    assert!(!done.contains("ที่ตั้งไว้เมื่อลงทะเบียน"), "not the one chosen at registration");

    assert_eq!(sessions_of(&app, stored.id).await, 0, "every session is ended");
    let logout = app.post(DEMO, "/api/v1/auth/logout").bearer_auth(&bearer).send().await.expect("logout");
    assert_eq!(logout.status(), 401);

    let again = browser.post_form("/password/reset", &fields).await;
    assert_eq!(again.status(), 400, "a link works once");
    assert!(again.text().await.expect("body").contains("ลิงก์เปลี่ยนรหัสผ่านใช้ไม่ได้"));
    assert!(browser.cookie("reset_token").is_none(), "the token's cookie is cleared after the reset");
    assert_eq!(browser.get(&format!("/password/reset?token={}", token_of(&link))).await.status(), 303);
    assert_eq!(browser.get("/password/reset").await.status(), 400, "the used link shows as invalid");

    let mut fresh = Browser::new(&app, DEMO);
    assert_eq!(fresh.login(&citizen.national_id, &citizen.password).await.status(), 401, "the old password is gone");
    assert_eq!(fresh.login(&citizen.national_id, new_password).await.status(), 303, "the new one works");

    let mail = delivered_mail(&app).await;
    let changed = mail.iter().find(|m| m.subject.contains("รหัสผ่านของท่านถูกเปลี่ยนแล้ว")).expect("a password-changed e-mail");
    assert!(changed.to.contains(&citizen.email));
    assert!(changed.subject.contains("Your password was changed"));
    assert!(changed.text.as_deref().unwrap_or_default().contains("043 000 111"), "whom to call if it was not them");
}

#[tokio::test]
async fn a_reset_voids_every_other_open_link() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let first = token_of(&reset_link(&app, DEMO, &citizen.email).await);
    let second = token_of(&reset_link(&app, DEMO, &citizen.email).await);
    assert_ne!(first, second);
    let mut browser = Browser::new(&app, DEMO);
    assert_eq!(browser.open_reset_link(&first).await.status(), 200, "a new request voids nothing");
    assert_eq!(browser.open_reset_link(&second).await.status(), 200);
    let password = "Sunflower-paddy-2569";
    let done = browser.post_form("/password/reset", &[("token", &second), ("password", password), ("password_confirm", password)]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(browser.open_reset_link(&first).await.status(), 400, "the other link is void");
}

#[tokio::test]
async fn expired_forged_and_foreign_reset_links_are_refused() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut twin = citizen.clone();
    twin.email = format!("twin.{}", citizen.email);
    twin.insert(&app, "nongbua").await;
    let token = token_of(&reset_link(&app, DEMO, &citizen.email).await);

    let mut nongbua = Browser::new(&app, NONGBUA);
    let foreign = nongbua.open_reset_link(&token).await;
    assert_eq!(foreign.status(), 400, "a demo link means nothing on nongbua");
    let password = "Sunflower-paddy-2569";
    let foreign = nongbua.post_form("/password/reset", &[("token", &token), ("password", password), ("password_confirm", password)]).await;
    assert_eq!(foreign.status(), 400);

    let mut browser = Browser::new(&app, DEMO);
    let forged = browser.open_reset_link(&access::token::new_token()).await;
    assert_eq!(forged.status(), 400);
    let forged = forged.text().await.expect("body");
    assert!(forged.contains("ลิงก์เปลี่ยนรหัสผ่านใช้ไม่ได้") && forged.contains(r#"href="/password/forgot""#), "a way to ask again");
    assert_eq!(Browser::new(&app, DEMO).get("/password/reset").await.status(), 400, "no token at all");

    password_reset::Entity::update_many()
        .col_expr(password_reset::Column::ExpiresAt, Expr::value(Utc::now() - Duration::seconds(1)))
        .exec(app.db())
        .await
        .expect("db");
    assert_eq!(browser.open_reset_link(&token).await.status(), 400, "expired");
    let expired = browser.post_form("/password/reset", &[("token", &token), ("password", password), ("password_confirm", password)]).await;
    assert_eq!(expired.status(), 400);
    assert_eq!(Browser::new(&app, DEMO).login(&citizen.national_id, &citizen.password).await.status(), 303, "password unchanged");
}

#[tokio::test]
async fn a_weak_or_mistyped_new_password_is_refused_and_the_link_kept() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let token = token_of(&reset_link(&app, DEMO, &citizen.email).await);
    let mut browser = Browser::new(&app, DEMO);
    let with_id = format!("x{}x", citizen.national_id);
    let cases = [
        ("short", "short", "#password"),
        (with_id.as_str(), with_id.as_str(), "#password"),
        ("Sunflower-paddy-2569", "Sunflower-paddy-2570", "#password_confirm"),
    ];
    for (password, confirm, wrong) in cases {
        let response = browser.post_form("/password/reset", &[("token", &token), ("password", password), ("password_confirm", confirm)]).await;
        assert_eq!(response.status(), 422, "{password}");
        let page = response.text().await.expect("body");
        assert!(page.contains(r#"data-testid="form-error""#) && page.contains("คำแนะนำ"), "{password}");
        assert_eq!(summary_links(&page), [wrong], "the summary links to the field at fault ({password})");
        assert!(page.contains(&format!(r#"value="{token}""#)), "the link is kept");
    }
    assert_eq!(browser.open_reset_link(&token).await.status(), 200, "still usable");
    assert_eq!(queued_mail(&app).await, 1, "nothing but the reset e-mail");
}

#[tokio::test]
async fn forgot_password_is_limited_per_address_and_per_ip() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    for _ in 0..3 {
        assert_eq!(browser.post_form("/password/forgot", &[("email", &citizen.email)]).await.status(), 303);
    }
    let locked = browser.post_form("/password/forgot", &[("email", &citizen.email)]).await;
    assert_eq!(locked.status(), 429);
    assert!(locked.headers().contains_key("retry-after"));
    assert!(locked.text().await.expect("body").contains("กรุณารอสักครู่"));
    for _ in 0..3 {
        assert_eq!(browser.post_form("/password/forgot", &[("email", "nobody.here@example.com")]).await.status(), 303);
    }
    assert_eq!(browser.post_form("/password/forgot", &[("email", "nobody.here@example.com")]).await.status(), 429, "alike for unknown addresses");
    assert_eq!(queued_mail(&app).await, 6, "three links and three notes that no account uses the address");

    let mut other = Browser::from_ip(&app, DEMO, "127.0.0.4");
    for i in 0..10 {
        let email = format!("someone{i}@example.com");
        assert_eq!(other.post_form("/password/forgot", &[("email", &email)]).await.status(), 303);
    }
    assert_eq!(other.post_form("/password/forgot", &[("email", "someone.else@example.com")]).await.status(), 429, "per IP");
}

// ---- JSON API: forgotten password ----

#[tokio::test]
async fn the_api_resets_a_password_by_the_emailed_token() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let bearer = api_token(&app, DEMO, &citizen).await;

    let forgot = |email: &str| app.post(DEMO, "/api/v1/password/forgot").json(&serde_json::json!({ "email": email })).send();
    let known = forgot(&citizen.email).await.expect("forgot");
    let unknown = forgot("nobody.here@example.com").await.expect("forgot");
    assert_eq!(known.status(), 202);
    assert_eq!(unknown.status(), 202);
    assert_eq!(known.text().await.expect("body"), unknown.text().await.expect("body"));
    let malformed = forgot("not-an-address").await.expect("forgot");
    assert_eq!(malformed.status(), 422);
    assert_eq!(malformed.json::<serde_json::Value>().await.expect("json")["error"]["fields"][0]["field"], "email");

    let mail = delivered_mail(&app).await;
    assert_eq!(mail.len(), 2, "a link, and a note to the unknown address");
    let link = mail.iter().find(|m| m.to.contains(&citizen.email)).expect("the citizen's e-mail");
    let token = token_of(&link_in(link.text.as_deref().unwrap_or_default(), "token=").expect("link"));

    let reset = |token: &str, password: &str| {
        app.post(DEMO, "/api/v1/password/reset").json(&serde_json::json!({ "token": token, "password": password })).send()
    };
    let weak = reset(&token, "password").await.expect("reset");
    assert_eq!(weak.status(), 422);
    let weak: serde_json::Value = weak.json().await.expect("json");
    assert_eq!(weak["error"]["fields"][0]["field"], "password");
    assert!(weak["error"]["fields"][0]["code"].as_str().is_some_and(|c| c == "too_short" || c == "common"), "{weak}");

    let forged = reset(&access::token::new_token(), "Sunflower-paddy-2569").await.expect("reset");
    assert_eq!(forged.status(), 422);
    let forged: serde_json::Value = forged.json().await.expect("json");
    assert_eq!(forged["error"]["fields"][0]["field"], "token");
    assert_eq!(forged["error"]["fields"][0]["code"], "token_invalid");
    assert!(forged["error"]["fields"][0]["message"].as_str().is_some_and(|m| m.contains("ลิงก์")));

    let foreign = app
        .post(NONGBUA, "/api/v1/password/reset")
        .json(&serde_json::json!({ "token": token, "password": "Sunflower-paddy-2569" }))
        .send()
        .await
        .expect("reset");
    assert_eq!(foreign.status(), 422, "another tenant's token");

    let done = reset(&token, "Sunflower-paddy-2569").await.expect("reset");
    assert_eq!(done.status(), 200);
    let done: serde_json::Value = done.json().await.expect("json");
    assert_eq!(done["device_token"].as_str().map(str::len), Some(43), "the app is a known device: {done}");
    assert_eq!(reset(&token, "Sunflower-paddy-2570").await.expect("reset").status(), 422, "once only");
    assert_eq!(sessions_of(&app, stored.id).await, 0);
    let logout = app.post(DEMO, "/api/v1/auth/logout").bearer_auth(&bearer).send().await.expect("logout");
    assert_eq!(logout.status(), 401);
    assert_eq!(api_login(&app, DEMO, &citizen.national_id, "Sunflower-paddy-2569").await.status(), 200);
    assert_eq!(api_login(&app, DEMO, &citizen.national_id, &citizen.password).await.status(), 401);
    assert_eq!(queued_mail(&app).await, 3, "the reset link, the note to the unknown address and the password-changed notice");
}

// ---- dev mailbox ----

#[tokio::test]
async fn the_dev_mailbox_lists_and_shows_the_mail_written_to_files() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let link = reset_link(&app, DEMO, &citizen.email).await;

    let list = app.page(DEMO, "/dev/mailbox").await;
    assert!(list.contains("แจ้งเปลี่ยนรหัสผ่าน") && list.contains(&citizen.email));
    let id = list
        .split("href=\"/dev/mailbox/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the message")
        .to_owned();
    let message = app.page(DEMO, &format!("/dev/mailbox/{id}")).await;
    assert!(message.contains(&format!(r#"<a href="{link}">"#)), "the reset link can be followed");
    assert!(message.contains(r#"sandbox="#) && message.contains(&format!(r#"src="/dev/mailbox/{id}/html""#)));

    let html = app.get(DEMO, &format!("/dev/mailbox/{id}/html")).send().await.expect("html");
    assert_eq!(html.status(), 200);
    let csp = html.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    assert!(csp.contains("default-src 'none'") && csp.contains("sandbox"), "{csp}");
    assert!(html.text().await.expect("body").contains("#1a4f8b"));

    assert_eq!(app.get(DEMO, "/dev/mailbox/..%2Fetc%2Fpasswd").send().await.expect("get").status(), 404);
    assert_eq!(app.get(DEMO, "/dev/mailbox/00000000-0000-0000-0000-000000000000").send().await.expect("get").status(), 404);
}

#[tokio::test]
async fn the_dev_mailbox_is_absent_when_turned_off() {
    let app = spawn_app_with(|c| {
        c.dev_mailbox = false;
    }).await;
    assert_eq!(app.get(DEMO, "/dev/mailbox").send().await.expect("get").status(), 404);
}

/// `POST /api/v1/auth/login` as a proxy would pass it on, with `X-Forwarded-For: forwarded`.
async fn login_forwarded(app: &TestApp, forwarded: &str, citizen: &TestCitizen, password: &str) -> u16 {
    let body = serde_json::json!({ "username": citizen.national_id, "password": password });
    let response = app.post(DEMO, "/api/v1/auth/login").header("X-Forwarded-For", forwarded).json(&body).send().await.expect("login");
    response.status().as_u16()
}

#[tokio::test]
async fn a_forwarded_address_counts_only_when_the_proxy_is_trusted() {
    // Nothing trusted (the default): a stranger who varies the header is still one client.
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    for i in 0..5 {
        assert_eq!(login_forwarded(&app, &format!("198.51.100.{i}"), &citizen, "wrong-password-123").await, 401);
    }
    assert_eq!(login_forwarded(&app, "198.51.100.99", &citizen, &citizen.password).await, 429, "a spoofed header changes nothing");

    // Behind a trusted ingress (here 127.0.0.1): the address it forwards is the client.
    let app = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().expect("cidr")]).await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    for _ in 0..5 {
        assert_eq!(login_forwarded(&app, "198.51.100.1", &citizen, "wrong-password-123").await, 401);
    }
    assert_eq!(login_forwarded(&app, "198.51.100.1", &citizen, &citizen.password).await, 429, "that client is held");
    assert_eq!(login_forwarded(&app, "203.0.113.5", &citizen, &citizen.password).await, 200, "another client behind the ingress is not");
    let spoofed = "203.0.113.77, 198.51.100.1";
    assert_eq!(login_forwarded(&app, spoofed, &citizen, &citizen.password).await, 429, "a prefix the client wrote itself is ignored");
}

//! The platform operator: sign-in with password and TOTP on the platform's host only, the
//! municipalities with their usage, suspending and resuming one (audited in both trails), and
//! that no other kind of session works as an operator's or the other way round.

use access::authz::Role;
use eservice_tests::auth::{Browser, api_token};
use eservice_tests::citizens::TestCitizen;
use eservice_tests::operators::{PLATFORM, add_operator, operator_api_login, operator_token};
use eservice_tests::staff::{add_staff, form_csrf, get_json, post_json, staff_token};
use eservice_tests::{DEMO, NONGBUA, TestApp, spawn_app};
use serde_json::json;

async fn status_of(app: &TestApp, host: &str, path: &str) -> u16 {
    app.get(host, path).send().await.expect("request").status().as_u16()
}

#[tokio::test]
async fn an_operator_signs_in_and_suspends_and_resumes_a_municipality_in_the_console() {
    let app = spawn_app().await;
    let operator = add_operator(&app).await;
    let mut browser = Browser::new(&app, PLATFORM);

    // The console needs a session; its sign-in page is on the platform's host only.
    let console = browser.get("/operator").await;
    assert_eq!(console.status(), 303);
    assert_eq!(console.headers()["location"], "/operator/login");
    assert_eq!(status_of(&app, DEMO, "/operator/login").await, 404, "no operator console on a municipality's host");
    let page = browser.get("/operator/login").await.text().await.expect("login page");
    let csrf = form_csrf(&page);

    // A wrong code is refused with the one message for every wrong part; nothing is opened.
    let email = operator.account.email.clone();
    let password = operator.account.password.clone();
    let wrong = browser
        .post_raw_form("/operator/login", &[("csrf_token", &csrf), ("email", &email), ("password", &password), ("code", "000000")])
        .await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.expect("page").contains("อีเมล รหัสผ่าน หรือรหัสยืนยันไม่ถูกต้อง"));
    assert!(browser.cookie("op_sid").is_none());

    let code = operator.account.next_code().await;
    let signed_in =
        browser.post_raw_form("/operator/login", &[("csrf_token", &csrf), ("email", &email), ("password", &password), ("code", &code)]).await;
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/operator");
    assert!(browser.cookie("op_sid").is_some());

    // Both demo municipalities are listed with their usage.
    let citizen = TestCitizen::new();
    citizen.insert(&app, "nongbua").await;
    let list = browser.get("/operator").await;
    assert_eq!(list.status(), 200);
    let list = list.text().await.expect("list");
    for slug in ["demo", "nongbua"] {
        assert!(list.contains(&format!("data-tenant=\"{slug}\"")), "{slug} listed");
    }
    let searched = browser.get("/operator?q=nong").await.text().await.expect("search");
    assert!(searched.contains("data-tenant=\"nongbua\"") && !searched.contains("data-tenant=\"demo\""), "the search narrows the list");

    // Suspending needs a reason: the form comes back with the message and nothing changed.
    let detail = browser.get("/operator/tenants/demo").await.text().await.expect("detail");
    let csrf = form_csrf(&detail);
    let refused = browser.post_raw_form("/operator/tenants/demo/status", &[("csrf_token", &csrf), ("status", "suspended"), ("reason", " ")]).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.expect("page").contains("กรุณาระบุเหตุผลในการระงับ"));
    assert_eq!(status_of(&app, DEMO, "/").await, 200, "still in service");

    // A form without the session's CSRF token is refused.
    let forged = browser.post_raw_form("/operator/tenants/demo/status", &[("status", "suspended"), ("reason", "x")]).await;
    assert_eq!(forged.status(), 403);

    let suspended = browser
        .post_raw_form("/operator/tenants/demo/status", &[("csrf_token", &csrf), ("status", "suspended"), ("reason", "ค้างชำระค่าบริการ")])
        .await;
    assert_eq!(suspended.status(), 303);
    assert_eq!(suspended.headers()["location"], "/operator/tenants/demo?done=suspended");
    let after = browser.get("/operator/tenants/demo?done=suspended").await.text().await.expect("detail");
    assert!(after.contains("ระงับการให้บริการแล้ว"), "a confirmation");
    assert_eq!(status_of(&app, DEMO, "/").await, 503, "citizens see the unavailable page");
    assert_eq!(status_of(&app, NONGBUA, "/").await, 200, "only demo is suspended");

    let csrf = form_csrf(&after);
    let resumed = browser.post_raw_form("/operator/tenants/demo/status", &[("csrf_token", &csrf), ("status", "active"), ("reason", "")]).await;
    assert_eq!(resumed.status(), 303);
    assert_eq!(status_of(&app, DEMO, "/").await, 200, "back in service");

    // The municipality's admin reads who suspended them, when and why in their own trail.
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let admin_token = staff_token(&app, DEMO, &admin).await;
    let (status, audit) = get_json(&app, DEMO, &admin_token, "/api/v1/backoffice/audit?action=tenant.suspend").await;
    assert_eq!(status, 200);
    let row = &audit["items"][0];
    assert_eq!(row["actor_kind"], "operator", "{row}");
    assert_eq!(row["actor"], email.as_str(), "{row}");
    assert!(row["after"].to_string().contains("ค้างชำระค่าบริการ"), "{row}");
    let (_, nongbua_admin_view) = get_json(&app, NONGBUA, &staff_token(&app, NONGBUA, &add_staff(&app, "nongbua", Role::Admin).await).await, "/api/v1/backoffice/audit?action=tenant.suspend").await;
    assert_eq!(nongbua_admin_view["items"].as_array().map(Vec::len), Some(0), "another municipality's trail does not show it");

    // Signing out ends the session.
    let list = browser.get("/operator").await.text().await.expect("list");
    assert!(list.contains("tenant.suspend") && list.contains("operator.sign_in"), "the platform's latest actions");
    let csrf = form_csrf(&list);
    assert_eq!(browser.post_raw_form("/operator/logout", &[("csrf_token", &csrf)]).await.status(), 303);
    assert_eq!(browser.get("/operator").await.status(), 303, "signed out");
}

#[tokio::test]
async fn the_operator_api_lists_pages_and_refuses_bad_changes() {
    let app = spawn_app().await;
    let operator = add_operator(&app).await;
    let token = operator_token(&app, &operator).await;

    let (status, page) = get_json(&app, PLATFORM, &token, "/api/v1/operator/tenants?per_page=1").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(1));
    assert!(page["total"].as_u64().unwrap_or(0) >= 2, "{page}");
    assert_eq!(page["items"][0]["slug"], "demo", "by slug");

    let before = get_json(&app, PLATFORM, &token, "/api/v1/operator/tenants/nongbua").await.1;
    TestCitizen::new().insert(&app, "nongbua").await;
    let (status, after) = get_json(&app, PLATFORM, &token, "/api/v1/operator/tenants/nongbua").await;
    assert_eq!(status, 200);
    assert_eq!(after["citizens"].as_u64(), before["citizens"].as_u64().map(|n| n + 1), "usage counts the new citizen");
    assert_eq!(after["status"], "active");
    assert!(after["domains"].is_array(), "{after}");

    assert_eq!(get_json(&app, PLATFORM, &token, "/api/v1/operator/tenants/nowhere").await.0, 404);
    let path = "/api/v1/operator/tenants/nongbua/status";
    let (status, body) = post_json(&app, PLATFORM, &token, path, json!({ "status": "closed" })).await;
    assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("status")), "{body}");
    let (status, body) = post_json(&app, PLATFORM, &token, path, json!({ "status": "suspended" })).await;
    assert_eq!((status, body["error"]["fields"][0]["field"].as_str()), (422, Some("reason")), "{body}");
    let (status, body) = post_json(&app, PLATFORM, &token, path, json!({ "status": "suspended", "reason": "x".repeat(501) })).await;
    assert_eq!((status, body["error"]["fields"][0]["code"].as_str()), (422, Some("too_long")), "{body}");
    assert_eq!(status_of(&app, NONGBUA, "/").await, 200, "nothing half-applied");

    let (status, body) = post_json(&app, PLATFORM, &token, path, json!({ "status": "suspended", "reason": "ย้ายระบบ" })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("suspended")), "{body}");
    assert_eq!(status_of(&app, NONGBUA, "/api/v1/tenant").await, 503);
    let (status, body) = post_json(&app, PLATFORM, &token, path, json!({ "status": "active" })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("active")), "{body}");
    assert_eq!(status_of(&app, NONGBUA, "/api/v1/tenant").await, 200);

    // The operator's own document is served on the platform's host and lists these calls.
    let doc: serde_json::Value = app.get(PLATFORM, "/api/v1/openapi.json").send().await.expect("doc").json().await.expect("json");
    for path in ["/api/v1/operator/auth/login", "/api/v1/operator/tenants", "/api/v1/operator/tenants/{slug}", "/api/v1/operator/tenants/{slug}/status"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }

    // Logging out ends the token at once.
    assert_eq!(app.post(PLATFORM, "/api/v1/operator/auth/logout").bearer_auth(&token).send().await.expect("logout").status(), 204);
    assert_eq!(get_json(&app, PLATFORM, &token, "/api/v1/operator/tenants").await.0, 401);
}

#[tokio::test]
async fn codes_are_single_use_and_wrong_attempts_are_throttled() {
    let app = spawn_app().await;
    let operator = add_operator(&app).await;
    let email = operator.account.email.clone();
    let password = operator.account.password.clone();
    let login = |code: String| {
        let body = json!({ "email": email, "password": password, "code": code });
        app.post(PLATFORM, "/api/v1/operator/auth/login").json(&body).send()
    };

    // The same TOTP code twice: the second is a replay.
    let code = operator.account.next_code().await;
    assert_eq!(login(code.clone()).await.expect("login").status(), 200);
    let replay = login(code).await.expect("login");
    assert_eq!(replay.status(), 401);
    let body: serde_json::Value = replay.json().await.expect("json");
    assert_eq!(body["error"]["code"], "reused_code");

    // A recovery code works once.
    let recovery = operator.recovery_codes[0].clone();
    assert_eq!(login(recovery.clone()).await.expect("login").status(), 200);
    let again: serde_json::Value = login(recovery).await.expect("login").json().await.expect("json");
    assert_eq!(again["error"]["code"], "invalid_credentials");

    // A wrong password with a right code says nothing more than a wrong code would.
    let body = json!({ "email": operator.account.email, "password": "wrong-password-here", "code": operator.account.next_code().await });
    let response = app.post(PLATFORM, "/api/v1/operator/auth/login").json(&body).send().await.expect("login");
    let refusal: serde_json::Value = response.json().await.expect("json");
    assert_eq!(refusal["error"]["code"], "invalid_credentials");

    // Enough failures from one client hold that client back (429 with Retry-After).
    let mut last = 0;
    for _ in 0..8 {
        last = login("123456".into()).await.expect("login").status().as_u16();
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn no_other_session_works_as_an_operators_and_an_operators_works_nowhere_else() {
    let app = spawn_app().await;
    let operator = add_operator(&app).await;
    let operator_bearer = operator_token(&app, &operator).await;
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let admin_bearer = staff_token(&app, DEMO, &admin).await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let citizen_bearer = api_token(&app, DEMO, &citizen).await;

    for (who, token) in [("anonymous", ""), ("a staff admin", admin_bearer.as_str()), ("a citizen", citizen_bearer.as_str())] {
        for path in ["/api/v1/operator/tenants", "/api/v1/operator/tenants/demo"] {
            assert_eq!(get_json(&app, PLATFORM, token, path).await.0, 401, "{who}: GET {path}");
        }
        let (status, _) = post_json(&app, PLATFORM, token, "/api/v1/operator/tenants/demo/status", json!({ "status": "suspended", "reason": "x" })).await;
        assert_eq!(status, 401, "{who}: suspend");
    }
    assert_eq!(status_of(&app, DEMO, "/").await, 200);

    // The operator's token opens nothing on a municipality's host: not its API, not the back office.
    assert_eq!(get_json(&app, DEMO, &operator_bearer, "/api/v1/operator/tenants").await.0, 404, "no operator API there");
    assert_eq!(get_json(&app, DEMO, &operator_bearer, "/api/v1/backoffice/me").await.0, 401);
    assert_eq!(get_json(&app, DEMO, &operator_bearer, "/api/v1/me").await.0, 401);
    let staff_page = app.get(DEMO, "/staff").header("cookie", format!("op_sid={operator_bearer}")).send().await.expect("staff page");
    assert_eq!(staff_page.status(), 303, "the staff login, not the back office");

    // Nor does an operator's token make a staff sign-in on the platform's host.
    assert_eq!(status_of(&app, PLATFORM, "/staff/login").await, 404);

    // Deactivating the operator ends the session at once.
    assert_eq!(app::operator::deactivate(&app.state.app, &operator.account.email).await.expect("deactivate"), Some(1));
    assert_eq!(get_json(&app, PLATFORM, &operator_bearer, "/api/v1/operator/tenants").await.0, 401);
    assert_eq!(operator_api_login(&app, PLATFORM, &operator).await.status(), 401, "and it cannot sign in again");
}

#[tokio::test]
async fn an_operator_added_by_another_process_works_at_once_on_this_one() {
    let app = spawn_app().await;
    let first = add_operator(&app).await;
    let first_token = operator_token(&app, &first).await;
    assert_eq!(get_json(&app, PLATFORM, &first_token, "/api/v1/operator/tenants").await.0, 200, "the platform lines are cached now");

    // `eservice operator add` runs in its own process: its authorizer is not this server's.
    let elsewhere = app::App {
        authz: access::authz::Authorizer::new(app.state.db.clone(), std::time::Duration::from_secs(300)),
        ..app.state.app.clone()
    };
    let added = app::operator::add(&elsewhere, "ops.late@platform.example", "", "Platform-console-2569-key").await.expect("added");
    let second = eservice_tests::operators::TestOperator {
        account: eservice_tests::staff::StaffMember::new(added.operator.id, "ops.late@platform.example", "Platform-console-2569-key", &added.totp_secret),
        recovery_codes: added.recovery_codes,
    };
    let second_token = operator_token(&app, &second).await;
    assert_eq!(get_json(&app, PLATFORM, &second_token, "/api/v1/operator/tenants").await.0, 200, "not refused until the cache expires");
}

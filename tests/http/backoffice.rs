//! The back office from outside: staff sign-in with TOTP and recovery codes, identity checks,
//! request moves with version checks, documents, the audit trail, and who may call what.

use access::authz::Role;
use eservice_tests::auth::{Browser, api_token, delivered_mail};
use eservice_tests::citizens::TestCitizen;
use eservice_tests::requests::insert_request;
use eservice_tests::staff::{get_json, post_json, StaffMember, add_staff, form_csrf, staff_api_login, staff_browser_login, staff_csrf, staff_token, tenant_record};
use eservice_tests::{DEMO, NONGBUA, TestApp, spawn_app};
use serde_json::{Value, json};
use store::citizens::identity_status;

async fn stored_id(app: &TestApp, email: &str) -> uuid::Uuid {
    let tenant = tenant_record(app, "demo").await;
    store::staff::find_by_email(app.db(), tenant.scope(), email).await.expect("db").expect("member").id
}

async fn pending_citizen(app: &TestApp, slug: &str) -> (TestCitizen, store::citizens::Citizen) {
    let citizen = TestCitizen::new();
    let stored = citizen.insert(app, slug).await;
    let scope = stored.scope();
    store::citizens::set_identity_status(app.db(), scope, stored.id, identity_status::PENDING, None).await.expect("db");
    (citizen, stored)
}

#[tokio::test]
async fn an_officer_signs_in_with_password_and_totp_and_a_wrong_code_is_refused() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let mut browser = Browser::new(&app, DEMO);

    let anonymous = browser.get("/staff/requests").await;
    assert_eq!(anonymous.status(), 303);
    assert_eq!(anonymous.headers()["location"], "/staff/login");

    let wrong = browser.post_form("/staff/login", &[("email", &officer.email), ("password", "not-the-password")]).await;
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().await.expect("page").contains("อีเมลหรือรหัสผ่านไม่ถูกต้อง"));

    let step_one = browser.post_form("/staff/login", &[("email", &officer.email), ("password", &officer.password)]).await;
    assert_eq!(step_one.status(), 303);
    // Half signed in: no back-office page opens yet.
    let half = browser.get("/staff/requests").await;
    assert_eq!(half.status(), 303, "the password alone opens nothing");
    let page = browser.get("/staff/login").await.text().await.expect("code page");
    assert!(page.contains("รหัสยืนยัน 6 หลัก"));
    let csrf = form_csrf(&page);
    let bad = browser.post_raw_form("/staff/login/code", &[("csrf_token", &csrf), ("code", "000000")]).await;
    assert_eq!(bad.status(), 401);
    assert!(bad.text().await.expect("page").contains("รหัสยืนยันไม่ถูกต้อง"));
    let code = officer.next_code().await;
    let good = browser.post_raw_form("/staff/login/code", &[("csrf_token", &csrf), ("code", &code)]).await;
    assert_eq!(good.status(), 303);
    let dashboard = browser.get("/staff").await;
    assert_eq!(dashboard.status(), 200);
    assert!(dashboard.text().await.expect("page").contains("ภาพรวมงาน"));

    // The same code again (a replay) is refused even with the right password.
    let replay = app
        .post(DEMO, "/api/v1/backoffice/auth/login")
        .json(&json!({ "email": officer.email, "password": officer.password, "totp_code": code }))
        .send()
        .await
        .expect("request");
    assert_eq!(replay.status(), 401);

    // A staff cookie is no citizen session and the other way round.
    let citizen_page = browser.get("/requests").await;
    assert_eq!(citizen_page.status(), 303, "the staff cookie does not sign in a citizen");
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut citizen_browser = Browser::new(&app, DEMO);
    citizen_browser.login_as(&citizen).await;
    assert_eq!(citizen_browser.get("/staff").await.status(), 303, "a citizen session opens no back office");
    let citizen_token = api_token(&app, DEMO, &citizen).await;
    assert_eq!(get_json(&app, DEMO, &citizen_token, "/api/v1/backoffice/requests").await.0, 401);
}

#[tokio::test]
async fn an_invited_admin_sets_a_password_enrols_totp_and_each_recovery_code_works_once() {
    let app = spawn_app().await;
    let tenant = tenant_record(&app, "demo").await;
    let (_, link) = app::staff::manage::add_from_cli(&app.state.app, &tenant, "admin.new@demo.example", "ผู้ดูแล ใหม่", Role::Admin)
        .await
        .expect("added");
    let path = link.split_once("localhost").map(|(_, rest)| rest.trim_start_matches(|c: char| c == ':' || c.is_ascii_digit())).expect("a path");
    assert!(path.starts_with("/staff/invite/"), "{link}");
    let mut browser = Browser::new(&app, DEMO);
    let page = browser.get(path).await;
    assert_eq!(page.status(), 200);
    let weak = browser.post_form(path, &[("password", "short"), ("password_confirm", "short")]).await;
    assert_eq!(weak.status(), 422, "the password policy holds for staff");
    let password = "Town-hall-ledger-2569";
    let set = browser.post_form(path, &[("password", password), ("password_confirm", password)]).await;
    assert_eq!(set.status(), 200);
    let again = browser.post_form(path, &[("password", password), ("password_confirm", password)]).await;
    assert_eq!(again.status(), 404, "an invitation link works once");

    // Admins must use TOTP: the first sign-in goes to enrolment.
    let step_one = browser.post_form("/staff/login", &[("email", "admin.new@demo.example"), ("password", password)]).await;
    assert_eq!(step_one.headers()["location"], "/staff/enrol");
    assert_eq!(browser.get("/staff").await.status(), 303, "not signed in before enrolling");
    let enrol = browser.get("/staff/enrol").await.text().await.expect("enrol page");
    assert!(enrol.contains("data:image/svg+xml;base64,"), "a QR code");
    let secret = enrol.split("data-testid=\"totp-secret\">").nth(1).and_then(|s| s.split('<').next()).expect("the secret").to_owned();
    let member = StaffMember::new(stored_id(&app, "admin.new@demo.example").await, "admin.new@demo.example", password, &secret);
    let csrf = form_csrf(&enrol);
    let wrong = browser.post_raw_form("/staff/enrol", &[("csrf_token", &csrf), ("code", "123456")]).await;
    assert_eq!(wrong.status(), 422);
    let code = member.next_code().await;
    let done = browser.post_raw_form("/staff/enrol", &[("csrf_token", &csrf), ("code", &code)]).await;
    assert_eq!(done.status(), 200);
    let codes_page = done.text().await.expect("codes");
    let codes: Vec<String> = codes_page
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .map(str::to_owned)
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes");
    assert_eq!(browser.get("/staff/audit").await.status(), 200, "signed in as admin");

    // A recovery code instead of the app's code, once.
    for (attempt, expected) in [(1, 200), (2, 401)] {
        let response = app
            .post(DEMO, "/api/v1/backoffice/auth/login")
            .json(&json!({ "email": "admin.new@demo.example", "password": password, "totp_code": codes[0] }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), expected, "recovery code use {attempt}");
    }
    let stored = store::staff::find_by_email(app.db(), tenant.scope(), "admin.new@demo.example").await.expect("db").expect("member");
    let unused = store::staff::unused_recovery_codes(app.db(), tenant.scope(), stored.id).await.expect("db");
    assert_eq!(unused, 9);
    use sea_orm::EntityTrait;
    let rows = store::entities::staff_recovery_code::Entity::find().all(app.db()).await.expect("db");
    assert_eq!(rows.len(), 10);
    assert!(rows.iter().all(|r| !codes.contains(&r.code_hash)), "recovery codes are stored hashed");
}

#[tokio::test]
async fn identity_checks_reject_with_a_reason_then_approve_and_the_citizen_sees_it() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let token = staff_token(&app, DEMO, &officer).await;
    let (citizen, stored) = pending_citizen(&app, "demo").await;
    let citizen_token = api_token(&app, DEMO, &citizen).await;

    let (status, queue) = get_json(&app, DEMO, &token, "/api/v1/backoffice/identities").await;
    assert_eq!(status, 200);
    assert!(queue["items"].as_array().expect("items").iter().any(|c| c["id"] == stored.id.to_string()));

    let path = format!("/api/v1/backoffice/identities/{}/decision", stored.id);
    let (status, body) = post_json(&app, DEMO, &token, &path, json!({ "decision": "reject", "reason": "  " })).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    let (status, body) = post_json(&app, DEMO, &token, &path, json!({ "decision": "reject", "reason": "ภาพไม่ชัด" })).await;
    assert_eq!(status, 200, "{body}");
    let (_, me) = get_json(&app, DEMO, &citizen_token, "/api/v1/me").await;
    assert_eq!(me["identity_status"], "rejected");
    assert_eq!(me["identity_note"], "ภาพไม่ชัด");
    let (status, _) = post_json(&app, DEMO, &token, &path, json!({ "decision": "approve" })).await;
    assert_eq!(status, 409, "a decided identity is not decided again");

    // The citizen uploads again (back in the queue), and this time it is approved.
    store::citizens::set_identity_status(app.db(), stored.scope(), stored.id, identity_status::PENDING, None).await.expect("db");
    let (status, _) = post_json(&app, DEMO, &token, &path, json!({ "decision": "approve" })).await;
    assert_eq!(status, 200);
    let (_, me) = get_json(&app, DEMO, &citizen_token, "/api/v1/me").await;
    assert_eq!(me["identity_status"], "verified");
    let mut welcome = Browser::new(&app, DEMO);
    welcome.login_as(&citizen).await;
    let page = welcome.get("/welcome").await.text().await.expect("welcome");
    assert!(!page.contains("รอตรวจสอบ") || page.contains("ยืนยันตัวตนแล้ว"), "the welcome page follows the decision");

    let mail = delivered_mail(&app).await;
    let to_citizen: Vec<_> = mail.iter().filter(|m| m.to.contains(&citizen.email)).collect();
    assert!(to_citizen.iter().any(|m| m.subject.contains("กรุณาส่งภาพบัตรประชาชนใหม่")), "rejection mail");
    assert!(to_citizen.iter().any(|m| m.subject.contains("ยืนยันตัวตนเรียบร้อยแล้ว")), "approval mail");
    assert!(to_citizen.iter().any(|m| m.text.as_deref().is_some_and(|t| t.contains("ภาพไม่ชัด"))), "the reason is in the mail");

    // The audit trail names who decided, from where, before and after.
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let admin_token = staff_token(&app, DEMO, &admin).await;
    let (status, audit) = get_json(&app, DEMO, &admin_token, "/api/v1/backoffice/audit?action=identity.reject").await;
    assert_eq!(status, 200);
    let row = &audit["items"][0];
    assert_eq!(row["actor"], officer.email.as_str());
    assert_eq!(row["subject_id"], stored.id.to_string());
    assert_eq!(row["before"]["identity_status"], "pending");
    assert_eq!(row["after"]["reason"], "ภาพไม่ชัด");
    assert_eq!(row["ip"], "127.0.0.1");
}

#[tokio::test]
async fn requests_move_through_every_status_with_version_checks_and_the_completion_mail() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let token = staff_token(&app, DEMO, &officer).await;
    let (citizen, stored) = pending_citizen(&app, "demo").await;
    let request = insert_request(&app, "demo", stored.id, 30).await.request;
    let status_path = format!("/api/v1/backoffice/requests/{}/status", request.id);

    let (status, queue) = get_json(&app, DEMO, &token, "/api/v1/backoffice/requests?status=submitted").await;
    assert_eq!(status, 200);
    let row = queue["items"].as_array().expect("rows").iter().find(|r| r["reference"] == request.reference.as_str()).expect("in the queue").clone();
    assert_eq!(row["identity_verified"], false, "an unverified citizen is marked in the queue");

    let (status, body) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "completed", "version": 1 })).await;
    assert_eq!(status, 422, "submitted cannot jump to completed");
    assert_eq!(body["error"]["fields"][0]["code"], "transition_not_allowed");
    let (status, body) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "received", "version": 1 })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"]["code"], "received");
    assert_eq!(body["version"], 2);
    let (status, body) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "in_progress", "version": 1 })).await;
    assert_eq!(status, 409, "a stale version is refused");
    assert_eq!(body["error"]["code"], "stale");
    assert!(body["error"]["message"].as_str().expect("message").contains("เจ้าหน้าที่ ทดสอบ"), "names who changed it: {body}");
    let (status, _) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "in_progress", "version": 2 })).await;
    assert_eq!(status, 200);
    let (status, body) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "completed", "version": 3 })).await;
    assert_eq!(status, 422, "not completed while the identity is unverified");
    assert_eq!(body["error"]["fields"][0]["code"], "identity_not_verified");

    let decide = format!("/api/v1/backoffice/identities/{}/decision", stored.id);
    assert_eq!(post_json(&app, DEMO, &token, &decide, json!({ "decision": "approve" })).await.0, 200);
    let (status, body) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "completed", "version": 3, "note": "รับใบอนุญาตได้ที่สำนักงาน" })).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post_json(&app, DEMO, &token, &status_path, json!({ "to": "rejected", "version": 4, "note": "x" })).await;
    assert_eq!(status, 422, "a completed request is closed");

    let notes = format!("/api/v1/backoffice/requests/{}/notes", request.id);
    assert_eq!(post_json(&app, DEMO, &token, &notes, json!({ "body": "ภายใน: โทรตามแล้ว", "public": false })).await.0, 201);
    assert_eq!(post_json(&app, DEMO, &token, &notes, json!({ "body": "รับใบอนุญาตได้ในวันทำการ", "public": true })).await.0, 201);
    assert_eq!(post_json(&app, DEMO, &token, &notes, json!({ "body": "  ", "public": true })).await.0, 422);

    let citizen_token = api_token(&app, DEMO, &citizen).await;
    let (_, mine) = get_json(&app, DEMO, &citizen_token, &format!("/api/v1/requests/{}", request.reference)).await;
    assert_eq!(mine["status"]["code"], "completed", "{mine}");
    let seen: Vec<&str> = mine["notes"].as_array().expect("notes").iter().filter_map(|n| n["body"].as_str()).collect();
    assert_eq!(seen, ["รับใบอนุญาตได้ในวันทำการ"], "the citizen reads public notes only");
    let mail = delivered_mail(&app).await;
    assert!(
        mail.iter().any(|m| m.to.contains(&citizen.email) && m.subject.contains(&request.reference)),
        "the completion e-mail"
    );

    // A rejection needs a reason and the citizen reads it.
    let second = insert_request(&app, "demo", stored.id, 10).await.request;
    let path = format!("/api/v1/backoffice/requests/{}/status", second.id);
    let (status, body) = post_json(&app, DEMO, &token, &path, json!({ "to": "rejected", "version": 1 })).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["code"], "reason_required");
    let (status, _) = post_json(&app, DEMO, &token, &path, json!({ "to": "rejected", "version": 1, "note": "เอกสารไม่ครบ" })).await;
    assert_eq!(status, 200);
    let (_, mine) = get_json(&app, DEMO, &citizen_token, &format!("/api/v1/requests/{}", second.reference)).await;
    assert_eq!(mine["status"]["code"], "rejected");
}

#[tokio::test]
async fn two_officers_moving_the_same_request_at_once_cannot_both_win() {
    let app = spawn_app().await;
    let first = add_staff(&app, "demo", Role::Officer).await;
    let second = add_staff(&app, "demo", Role::Officer).await;
    let (a, b) = (staff_token(&app, DEMO, &first).await, staff_token(&app, DEMO, &second).await);
    let citizen = TestCitizen::new().insert(&app, "demo").await;
    let request = insert_request(&app, "demo", citizen.id, 5).await.request;
    let path = format!("/api/v1/backoffice/requests/{}/status", request.id);
    let (one, two) = tokio::join!(
        post_json(&app, DEMO, &a, &path, json!({ "to": "received", "version": 1 })),
        post_json(&app, DEMO, &b, &path, json!({ "to": "rejected", "version": 1, "note": "ซ้ำ" })),
    );
    let mut statuses = [one.0, two.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "exactly one wins: {one:?} {two:?}");
    let events = store::requests::track::events(app.db(), request.scope(), request.id).await.expect("db");
    assert_eq!(events.len(), 2, "one submitted event and one move");
}

#[tokio::test]
async fn documents_are_attached_sniffed_by_content_and_revoking_shows_on_the_verify_page() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let token = staff_token(&app, DEMO, &officer).await;
    let (citizen, stored) = pending_citizen(&app, "demo").await;
    let request = insert_request(&app, "demo", stored.id, 5).await.request;
    let path = format!("/api/v1/backoffice/requests/{}/documents", request.id);
    let form = |bytes: &'static [u8], name: &'static str| {
        reqwest::multipart::Form::new()
            .text("kind", "licence")
            .text("number", "ใบอนุญาต 12/2569")
            .text("title_th", "ใบอนุญาตก่อสร้างอาคาร")
            .text("title_en", "Building permit")
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name))
    };
    let fake = app.post(DEMO, &path).bearer_auth(&token).multipart(form(b"MZ\x90\x00 not a pdf", "licence.pdf")).send().await.expect("request");
    assert_eq!(fake.status(), 422, "the content decides, not the name");
    let body: Value = fake.json().await.expect("json");
    assert_eq!(body["error"]["fields"][0]["field"], "file");
    let pdf = app.post(DEMO, &path).bearer_auth(&token).multipart(form(b"%PDF-1.7\n%licence\n", "licence.pdf")).send().await.expect("request");
    assert_eq!(pdf.status(), 201);
    let doc: Value = pdf.json().await.expect("json");
    let code = doc["verification_code"].as_str().expect("code").to_owned();

    let citizen_token = api_token(&app, DEMO, &citizen).await;
    let (_, mine) = get_json(&app, DEMO, &citizen_token, &format!("/api/v1/requests/{}", request.reference)).await;
    assert!(mine.to_string().contains(&code), "the citizen sees the document at once");
    let page = app.page(DEMO, &format!("/verify/{code}")).await;
    assert!(page.contains("เอกสารนี้ถูกต้องและยังใช้ได้"));

    let revoke = format!("/api/v1/backoffice/documents/{}/revoke", doc["id"].as_str().expect("id"));
    assert_eq!(post_json(&app, DEMO, &token, &revoke, json!({ "reason": "" })).await.0, 422);
    assert_eq!(post_json(&app, DEMO, &token, &revoke, json!({ "reason": "ออกผิดแปลง" })).await.0, 200);
    assert_eq!(post_json(&app, DEMO, &token, &revoke, json!({ "reason": "again" })).await.0, 409);
    let page = app.page(DEMO, &format!("/verify/{code}")).await;
    assert!(page.contains("เอกสารนี้ถูกเพิกถอนแล้ว"));
    assert!(page.contains("ออกผิดแปลง"));
}

/// A valid body for each POST, so that what decides the answer is who asks.
fn body_for(path: &str) -> Value {
    match path.rsplit('/').next().unwrap_or_default() {
        "status" => json!({ "to": "received", "version": 1 }),
        "assign" => json!({ "to": "me" }),
        "notes" => json!({ "body": "ตรวจแล้ว" }),
        "decision" => json!({ "decision": "approve" }),
        "revoke" => json!({ "reason": "ออกผิด" }),
        "role" => json!({ "role": "officer" }),
        "categories" => json!({ "categories": [] }),
        _ => json!({}),
    }
}

/// Every back-office API call × who calls it → the status it must get.
#[tokio::test]
async fn every_back_office_call_is_allowed_forbidden_or_not_found_as_the_role_says() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let narrowed = add_staff(&app, "demo", Role::Officer).await;
    let deactivated = add_staff(&app, "demo", Role::Officer).await;
    let other_admin = add_staff(&app, "nongbua", Role::Admin).await;
    let target = add_staff(&app, "demo", Role::Officer).await;
    let (_, citizen) = pending_citizen(&app, "demo").await;
    let request = insert_request(&app, "demo", citizen.id, 5).await.request;
    let tokens = [
        ("officer", staff_token(&app, DEMO, &officer).await),
        ("admin", staff_token(&app, DEMO, &admin).await),
        ("narrowed", staff_token(&app, DEMO, &narrowed).await),
        ("deactivated", staff_token(&app, DEMO, &deactivated).await),
        ("other tenant's admin", staff_token(&app, NONGBUA, &other_admin).await),
        ("anonymous", String::new()),
    ];
    let scope = request.scope();
    // Narrow one officer to a category that is not the request's.
    let categories = store::services::catalogue(app.db(), scope).await.expect("catalogue");
    let request_category = categories.iter().find(|c| c.items.iter().any(|i| i.id == request.item_id)).expect("its category").category.id;
    let elsewhere = categories.iter().find(|c| c.category.id != request_category).expect("a second category").category.id;
    store::staff::set_categories(app.db(), scope, narrowed.id, &[elsewhere]).await.expect("db");
    // Deactivating ends every session at once.
    let admin_session = access::staff::authenticate(app.db(), scope, &tokens[1].1, access::staff::API, "127.0.0.1", chrono::Utc::now())
        .await
        .expect("db")
        .expect("admin session");
    let manage = app.state.app.authz.grant::<access::authz::ManageStaff>(&admin_session).await.expect("admin may manage staff");
    app::staff::manage::deactivate(&app.state.app, &manage, deactivated.id).await.expect("deactivated");
    assert_eq!(staff_api_login(&app, DEMO, &deactivated).await.status(), 401, "a deactivated member cannot sign in");

    let id = request.id.to_string();
    let cid = citizen.id.to_string();
    let staff_routes: Vec<(String, String)> =
        web::api::operations().into_iter().filter(|(_, p)| p.starts_with("/api/v1/backoffice/") || p.starts_with("/api/v1/admin/")).collect();
    assert!(staff_routes.len() >= 34, "the document lists the back-office and admin calls: {staff_routes:?}");
    for (method, template) in &staff_routes {
        if template.ends_with("/auth/login") || template.ends_with("/auth/logout") {
            continue;
        }
        let tid = target.id.to_string();
        let template = template.replace("{key}", "complaint");
        let path = template.replace(
            "{id}",
            if template.contains("/identities/") {
                &cid
            } else if template.contains("/staff/") {
                &tid
            } else {
                &id
            },
        );
        for (who, token) in &tokens {
            let expected: &[u16] = match (*who, path.as_str()) {
                // Only the permission is checked here; the admin tests change each setting.
                ("anonymous" | "deactivated" | "other tenant's admin", _) => &[401],
                ("officer" | "narrowed", p) if p.ends_with("/audit") || p.contains("/backoffice/staff") || p.starts_with("/api/v1/admin/") => &[403],
                // A logo is a multipart upload: sent here as JSON, it is a bad request once allowed.
                ("admin", "/api/v1/admin/logo" | "/api/v1/admin/identity/example") => &[400],
                ("narrowed", p) if p.contains("/requests/") => &[403],
                (_, p) if p.contains("/documents/") => &[404],
                _ => &[200, 201, 409, 422],
            };
            let builder = match method.as_str() {
                "GET" => app.get(DEMO, &path),
                _ if path.ends_with("/documents") => app.post(DEMO, &path).multipart(
                    reqwest::multipart::Form::new()
                        .text("kind", "receipt")
                        .text("number", "1/2569")
                        .text("title_th", "ใบเสร็จ")
                        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n".to_vec()).file_name("r.pdf")),
                ),
                _ => app.post(DEMO, &path).json(&body_for(&path)),
            };
            let builder = if token.is_empty() { builder } else { builder.bearer_auth(token) };
            let status = builder.send().await.expect("request").status().as_u16();
            assert!(expected.contains(&status), "{who} {method} {path}: got {status}, expected {expected:?}");
        }
    }

    // Another tenant's admin, on their own site, asking for this tenant's request or citizen: 404.
    let other = &tokens[4].1;
    let before = store::requests::process::find_by_id(app.db(), scope, request.id).await.expect("db").expect("request");
    for path in [format!("/api/v1/backoffice/requests/{id}"), format!("/api/v1/backoffice/identities/{cid}")] {
        assert_eq!(get_json(&app, NONGBUA, other, &path).await.0, 404, "{path}");
    }
    let move_path = format!("/api/v1/backoffice/requests/{id}/status");
    assert_eq!(post_json(&app, NONGBUA, other, &move_path, json!({ "to": "received", "version": 1 })).await.0, 404);
    let unchanged = store::requests::process::find_by_id(app.db(), scope, request.id).await.expect("db").expect("request");
    assert_eq!((unchanged.status, unchanged.version), (before.status, before.version), "nothing changed from the other tenant");

    // The narrowed officer does not see the request in any list either.
    let (_, queue) = get_json(&app, DEMO, &tokens[2].1, "/api/v1/backoffice/requests").await;
    assert_eq!(queue["total"], 0, "narrowing holds in the queue: {queue}");
}

#[tokio::test]
async fn the_staff_pages_take_an_officer_through_a_request_with_a_confirmation_after_each_step() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let mut browser = Browser::new(&app, DEMO);
    staff_browser_login(&mut browser, &officer).await;
    let (_, citizen) = pending_citizen(&app, "demo").await;
    let request = insert_request(&app, "demo", citizen.id, 60 * 24 * 3).await.request;

    let queue = browser.get("/staff/requests?q=สมชาย").await;
    assert_eq!(queue.status(), 200);
    let html = queue.text().await.expect("queue");
    assert!(html.contains(&request.reference));
    assert!(html.contains("data-testid=\"unverified\""), "unverified citizens stand out");

    let csrf = staff_csrf(&mut browser).await;
    let page_path = format!("/staff/requests/{}", request.id);
    let forged = browser.post_raw_form(&format!("{page_path}/status"), &[("csrf_token", "nope"), ("to", "received"), ("version", "1")]).await;
    assert_eq!(forged.status(), 403, "a form without the session's CSRF token is refused");
    let moved = browser.post_raw_form(&format!("{page_path}/status"), &[("csrf_token", &csrf), ("to", "received"), ("version", "1")]).await;
    assert_eq!(moved.status(), 303);
    let page = browser.get(moved.headers()["location"].to_str().expect("location")).await.text().await.expect("page");
    assert!(page.contains("บันทึกสถานะใหม่เรียบร้อยแล้ว"), "a confirmation");
    let stale = browser.post_raw_form(&format!("{page_path}/status"), &[("csrf_token", &csrf), ("to", "in_progress"), ("version", "1")]).await;
    assert_eq!(stale.status(), 409);
    assert!(stale.text().await.expect("page").contains("มีผู้แก้ไขรายการนี้ก่อนท่าน"));
    let noted = browser.post_raw_form(&format!("{page_path}/notes"), &[("csrf_token", &csrf), ("body", "โทรแจ้งแล้ว"), ("visibility", "internal")]).await;
    assert_eq!(noted.status(), 303);
    let page = browser.get(&page_path).await.text().await.expect("page");
    assert!(page.contains("โทรแจ้งแล้ว"));

    let export = browser.get("/staff/requests.csv?status=received").await;
    assert_eq!(export.status(), 200);
    let csv = export.bytes().await.expect("csv");
    assert!(csv.starts_with("\u{feff}".as_bytes()), "a BOM so Excel reads Thai");
    let text = String::from_utf8(csv.to_vec()).expect("utf-8");
    assert!(text.contains(&request.reference) && text.contains("เลขที่คำร้อง"), "{text}");
    let identity = browser.get(&format!("/staff/identities/{}", citizen.id)).await;
    assert_eq!(identity.status(), 200);
    let approve = browser.post_raw_form(&format!("/staff/identities/{}/decision", citizen.id), &[("csrf_token", &csrf), ("decision", "approve")]).await;
    assert_eq!(approve.status(), 303);
    let page = browser.get(approve.headers()["location"].to_str().expect("location")).await.text().await.expect("page");
    assert!(page.contains("ยืนยันตัวตนเรียบร้อยแล้ว"));
}

#[tokio::test]
async fn an_admin_invites_by_e_mail_narrows_and_deactivates_and_a_deactivated_token_stops_at_once() {
    let app = spawn_app().await;
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let admin_token = staff_token(&app, DEMO, &admin).await;
    let officer_token = staff_token(&app, DEMO, &officer).await;

    let (status, body) = post_json(&app, DEMO, &admin_token, "/api/v1/backoffice/staff", json!({ "email": "not-an-email", "name": "x", "role": "officer" })).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["fields"][0]["field"], "email");
    let invite = json!({ "email": "somsri@tuayang.example", "name": "สมศรี ใจงาม", "role": "officer" });
    let (status, member) = post_json(&app, DEMO, &admin_token, "/api/v1/backoffice/staff", invite.clone()).await;
    assert_eq!(status, 201, "{member}");
    assert_eq!(member["invited"], true);
    assert_eq!(post_json(&app, DEMO, &admin_token, "/api/v1/backoffice/staff", invite).await.0, 409, "one account per e-mail");
    let mail = delivered_mail(&app).await;
    let letter = mail.iter().find(|m| m.to.contains("somsri@tuayang.example")).expect("the invitation e-mail");
    assert!(letter.text.as_deref().is_some_and(|t| t.contains("/staff/invite/")), "with its set-password link");

    // Narrow the officer to a category, then deactivate: the token stops working at once.
    let scope = tenant_record(&app, "demo").await.scope();
    let category = store::services::catalogue(app.db(), scope).await.expect("catalogue")[0].category.id;
    let path = format!("/api/v1/backoffice/staff/{}/categories", officer.id);
    let (status, narrowed) = post_json(&app, DEMO, &admin_token, &path, json!({ "categories": [category] })).await;
    assert_eq!(status, 200);
    assert_eq!(narrowed["categories"][0], category.to_string());
    assert_eq!(get_json(&app, DEMO, &officer_token, "/api/v1/backoffice/requests").await.0, 200);
    let own = format!("/api/v1/backoffice/staff/{}/deactivate", admin.id);
    assert_eq!(post_json(&app, DEMO, &admin_token, &own, json!({})).await.0, 409, "an admin cannot lock themself out");
    let path = format!("/api/v1/backoffice/staff/{}/deactivate", officer.id);
    let (status, gone) = post_json(&app, DEMO, &admin_token, &path, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(gone["active"], false);
    assert_eq!(get_json(&app, DEMO, &officer_token, "/api/v1/backoffice/requests").await.0, 401, "its session ended");
    let (_, audit) = get_json(&app, DEMO, &admin_token, "/api/v1/backoffice/audit").await;
    let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().filter_map(|r| r["action"].as_str()).collect();
    assert!(actions.iter().any(|a| a.starts_with("staff.") && a.contains("deactivate")), "{actions:?}");
}

#[tokio::test]
async fn requests_past_their_service_time_in_working_days_are_overdue_in_the_queue_and_the_dashboard() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let token = staff_token(&app, DEMO, &officer).await;
    let citizen = TestCitizen::new().insert(&app, "demo").await;
    // The demo's first service is the building permit, 45 working days.
    let old = insert_request(&app, "demo", citizen.id, 60 * 24 * 90).await.request;
    let fresh = insert_request(&app, "demo", citizen.id, 60).await.request;

    let (status, all) = get_json(&app, DEMO, &token, "/api/v1/backoffice/requests").await;
    assert_eq!(status, 200);
    let row = |reference: &str| all["items"].as_array().expect("rows").iter().find(|r| r["reference"] == reference).cloned().expect("row");
    assert_eq!(row(&old.reference)["service_days"], 45);
    assert_eq!(row(&old.reference)["overdue"], true);
    assert_eq!(row(&fresh.reference)["overdue"], false);
    assert!(row(&old.reference)["days_open"].as_i64().expect("days") < 90 * 5 / 7 + 1, "weekends and holidays do not count");

    let (_, overdue) = get_json(&app, DEMO, &token, "/api/v1/backoffice/requests?overdue=1").await;
    let references: Vec<&str> = overdue["items"].as_array().expect("rows").iter().filter_map(|r| r["reference"].as_str()).collect();
    assert_eq!(references, [old.reference.as_str()]);
    let (_, board) = get_json(&app, DEMO, &token, "/api/v1/backoffice/dashboard").await;
    assert_eq!(board["overdue"], 1);

    // A completed request is never overdue.
    let path = format!("/api/v1/backoffice/requests/{}/status", old.id);
    assert_eq!(post_json(&app, DEMO, &token, &path, json!({ "to": "rejected", "version": 1, "note": "หมดอายุคำขอ" })).await.0, 200);
    let (_, board) = get_json(&app, DEMO, &token, "/api/v1/backoffice/dashboard").await;
    assert_eq!(board["overdue"], 0);
}

#[tokio::test]
async fn an_admin_manages_staff_on_the_team_page_and_an_officer_may_not() {
    let app = spawn_app().await;
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let mut officer_browser = Browser::new(&app, DEMO);
    staff_browser_login(&mut officer_browser, &officer).await;
    assert_eq!(officer_browser.get("/staff/team").await.status(), 403);

    let mut browser = Browser::new(&app, DEMO);
    staff_browser_login(&mut browser, &admin).await;
    let page = browser.get("/staff/team").await.text().await.expect("team page");
    assert!(page.contains(&officer.email) && page.contains(&admin.email));
    let csrf = form_csrf(&page);
    let bad = browser
        .post_raw_form("/staff/team/invite", &[("csrf_token", &csrf), ("email", "nope"), ("name", "สมศรี"), ("role", "officer")])
        .await;
    assert_eq!(bad.status(), 422);
    let kept = bad.text().await.expect("page");
    assert!(kept.contains("รูปแบบอีเมลไม่ถูกต้อง") && kept.contains("value=\"สมศรี\""), "the message, and what was typed is kept");
    let invited = browser
        .post_raw_form("/staff/team/invite", &[("csrf_token", &csrf), ("email", "somsri@tuayang.example"), ("name", "สมศรี"), ("role", "officer")])
        .await;
    assert_eq!(invited.status(), 303);
    let page = browser.get(invited.headers()["location"].to_str().expect("location")).await.text().await.expect("page");
    assert!(page.contains("ส่งคำเชิญทางอีเมลแล้ว") && page.contains("somsri@tuayang.example"));

    let scope = tenant_record(&app, "demo").await.scope();
    let category = store::services::catalogue(app.db(), scope).await.expect("catalogue")[0].category.id.to_string();
    let narrowed = browser
        .post_raw_form(&format!("/staff/team/{}/categories", officer.id), &[("csrf_token", &csrf), ("categories", &category)])
        .await;
    assert_eq!(narrowed.status(), 303);
    assert_eq!(store::staff::categories(app.db(), scope, officer.id).await.expect("db").len(), 1);
    let gone = browser.post_raw_form(&format!("/staff/team/{}/deactivate", officer.id), &[("csrf_token", &csrf)]).await;
    assert_eq!(gone.status(), 303);
    assert_eq!(officer_browser.get("/staff").await.status(), 303, "the officer is signed out at once");
}

/// Every back-office page × who asks (by cookie) → the answer it must get. GET pages are opened;
/// POST forms are sent without a CSRF token, so only the refusals (who may not) are checked.
#[tokio::test]
async fn every_back_office_page_answers_each_role_as_it_should() {
    let app = spawn_app().await;
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let narrowed = add_staff(&app, "demo", Role::Officer).await;
    let deactivated = add_staff(&app, "demo", Role::Officer).await;
    let other_admin = add_staff(&app, "nongbua", Role::Admin).await;
    let target = add_staff(&app, "demo", Role::Officer).await;
    let (citizen, stored) = pending_citizen(&app, "demo").await;
    let seeded = insert_request(&app, "demo", stored.id, 5).await;
    let scope = stored.scope();
    let categories = store::services::catalogue(app.db(), scope).await.expect("catalogue");
    let elsewhere = categories.iter().find(|c| !c.items.iter().any(|i| i.id == seeded.request.item_id)).expect("another category").category.id;
    store::staff::set_categories(app.db(), scope, narrowed.id, &[elsewhere]).await.expect("db");

    let mut browsers = Vec::new();
    for (who, member) in [("officer", &officer), ("admin", &admin), ("narrowed", &narrowed), ("deactivated", &deactivated)] {
        let mut b = Browser::new(&app, DEMO);
        staff_browser_login(&mut b, member).await;
        browsers.push((who, b));
    }
    let mut other = Browser::new(&app, NONGBUA);
    staff_browser_login(&mut other, &other_admin).await;
    let mut on_demo = Browser::new(&app, DEMO);
    on_demo.cookies = other.cookies.clone();
    browsers.push(("other tenant's admin", on_demo));
    let mut citizen_browser = Browser::new(&app, DEMO);
    citizen_browser.login_as(&citizen).await;
    browsers.push(("citizen", citizen_browser));
    browsers.push(("anonymous", Browser::new(&app, DEMO)));
    let admin_session = access::staff::authenticate(
        app.db(),
        scope,
        browsers[1].1.cookie("staff_sid").expect("admin cookie"),
        access::staff::WEB,
        "127.0.0.1",
        chrono::Utc::now(),
    )
    .await
    .expect("db")
    .expect("admin session");
    let manage = app.state.app.authz.grant::<access::authz::ManageStaff>(&admin_session).await.expect("admin may manage");
    app::staff::manage::deactivate(&app.state.app, &manage, deactivated.id).await.expect("deactivated");

    let fill = |template: &str| {
        template
            .replace("{citizen}", &stored.id.to_string())
            .replace("{photo}", &uuid::Uuid::new_v4().to_string())
            .replace("{id}", &seeded.request.id.to_string())
            .replace("{file}", &seeded.file.id.to_string())
            .replace("{document}", &uuid::Uuid::new_v4().to_string())
            .replace("{member}", &target.id.to_string())
    };
    for (method, template) in web::backoffice::PAGES.iter().chain(web::admin::pages::PAGES).chain(web::admin::builder::PAGES) {
        let path = fill(template).replace("{key}", "complaint");
        let admin_only = path.starts_with("/staff/audit") || path.starts_with("/staff/team") || path.starts_with("/staff/settings");
        let of_the_request = path.starts_with("/staff/requests/") && !path.ends_with("/bulk");
        for (who, browser) in browsers.iter_mut() {
            let expected: &[u16] = match (*who, *method) {
                ("anonymous" | "citizen" | "deactivated" | "other tenant's admin", _) => &[303],
                ("officer" | "narrowed", _) if admin_only => &[403],
                // Narrowing of the writes is checked in the API matrix (no CSRF there to refuse first).
                ("narrowed", "GET") if of_the_request => &[403],
                // Allowed: a page, a file, or (a made-up photo id) not found; forms without their
                // CSRF token are refused with 403 after the permission check passed.
                (_, "GET") => &[200, 404],
                _ => &[403, 400, 404, 422],
            };
            let response = match *method {
                "GET" => browser.get(&path).await,
                _ => browser.post_raw_form(&path, &[("nothing", "")]).await,
            };
            let status = response.status().as_u16();
            assert!(expected.contains(&status), "{who} {method} {path}: got {status}, expected {expected:?}");
            if status == 303 {
                assert_eq!(response.headers()["location"], "/staff/login", "{who} {method} {path}");
            }
        }
    }
}

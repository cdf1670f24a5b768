//! The OpenAPI document and the API agree: every documented call is made for real, each answer's
//! status is documented for its operation, and its JSON body validates against the documented
//! schema (which lists what is required and allows nothing undocumented).

use access::authz::Role;
use eservice_tests::auth::{api_token, delivered_mail, link_in};
use eservice_tests::citizens::TestCitizen;
use eservice_tests::registration::{api_body, multipart, photos};
use eservice_tests::staff::{add_staff, staff_token};
use eservice_tests::{DEMO, TestApp, spawn_app};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use std::collections::BTreeSet;

use crate::services::{waste_data, waste_form};

enum Body {
    None,
    Json(Value),
    Multipart(Form),
    /// A submission with its `Idempotency-Key`.
    Submission(Form, &'static str),
}

/// Makes calls and checks each answer against the document.
struct Calls<'a> {
    app: &'a TestApp,
    doc: Value,
    made: BTreeSet<(String, String)>,
    problems: Vec<String>,
}

impl<'a> Calls<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let doc: Value = app.get(DEMO, "/api/v1/openapi.json").send().await.expect("get").json().await.expect("json");
        Self { app, doc, made: BTreeSet::new(), problems: Vec::new() }
    }

    /// Calls `method path` (an instance of the documented `template`) and checks the answer.
    async fn call(&mut self, method: &str, template: &str, path: &str, token: Option<&str>, body: Body) -> (u16, Value) {
        let mut request = match method {
            "GET" => self.app.get(DEMO, path),
            _ => self.app.post(DEMO, path),
        };
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request = match body {
            Body::None => request,
            Body::Json(value) => request.json(&value),
            Body::Multipart(form) => request.multipart(form),
            Body::Submission(form, key) => request.header("Idempotency-Key", key).multipart(form),
        };
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let content_type = response.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let bytes = response.bytes().await.expect("body");
        let body = if content_type.starts_with("application/json") {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{method} {path}: JSON that does not parse: {e}"))
        } else {
            Value::Null
        };
        self.check(method, template, status, &content_type, &body, bytes.is_empty());
        self.made.insert((method.to_lowercase(), template.to_owned()));
        (status, body)
    }

    fn check(&mut self, method: &str, template: &str, status: u16, content_type: &str, body: &Value, empty: bool) {
        let call = format!("{method} {template} → {status}");
        let operation = &self.doc["paths"][template][method.to_lowercase()];
        if !operation.is_object() {
            self.problems.push(format!("{call}: the operation is not documented"));
            return;
        }
        let response = &operation["responses"][status.to_string()];
        if !response.is_object() {
            self.problems.push(format!("{call}: the status is not documented"));
            return;
        }
        let documented: Vec<&String> = response["content"].as_object().map(|c| c.keys().collect()).unwrap_or_default();
        if documented.is_empty() {
            if !empty {
                self.problems.push(format!("{call}: a body ({content_type}) where the document says none"));
            }
            return;
        }
        let Some(media) = documented.iter().find(|m| content_type.starts_with(m.as_str())) else {
            self.problems.push(format!("{call}: {content_type} where the document says {documented:?}"));
            return;
        };
        let schema = &response["content"][media.as_str()]["schema"];
        if !media.starts_with("application/json") || schema.is_null() {
            return;
        }
        // The schema with the document's components beside it, so `#/components/…` resolves.
        let rooted = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.doc["components"],
            "allOf": [schema],
        });
        let validator = match jsonschema::validator_for(&rooted) {
            Ok(v) => v,
            Err(e) => {
                self.problems.push(format!("{call}: the documented schema does not compile: {e}"));
                return;
            }
        };
        for error in validator.iter_errors(body) {
            self.problems.push(format!("{call}: at {}: {error}", error.instance_path()));
        }
    }

    /// Every documented operation was called at least once.
    fn missing(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for (path, operations) in self.doc["paths"].as_object().into_iter().flatten() {
            for method in operations.as_object().into_iter().flatten().map(|(m, _)| m) {
                if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) && !self.made.contains(&(method.clone(), path.clone())) {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
        missing
    }
}

fn pdf_part() -> Part {
    Part::bytes(b"%PDF-1.4\n% licence\n".to_vec()).file_name("licence.pdf")
}

#[tokio::test]
async fn every_documented_call_answers_as_the_document_says() {
    let app = spawn_app().await;
    let mut calls = Calls::new(&app).await;

    // Public and account calls.
    calls.call("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", None, Body::None).await;
    calls.call("GET", "/api/v1/tenant", "/api/v1/tenant", None, Body::None).await;
    calls.call("GET", "/api/v1/services", "/api/v1/services", None, Body::None).await;
    let citizen = TestCitizen::new();
    let (status, _) = calls.call("POST", "/api/v1/citizens", "/api/v1/citizens", None, Body::Json(api_body(&citizen))).await;
    assert_eq!(status, 201);
    calls.call("POST", "/api/v1/citizens", "/api/v1/citizens", None, Body::Json(api_body(&citizen))).await;
    calls.call("POST", "/api/v1/citizens", "/api/v1/citizens", None, Body::Json(json!({ "national_id": "1" }))).await;
    let wrong = json!({ "username": citizen.national_id, "password": "not the password" });
    calls.call("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Body::Json(wrong)).await;
    calls.call("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Body::Json(json!({}))).await;
    calls.call("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Body::Json(json!("not an object"))).await;
    let right = json!({ "username": citizen.national_id, "password": citizen.password });
    let (status, login) = calls.call("POST", "/api/v1/auth/login", "/api/v1/auth/login", None, Body::Json(right)).await;
    assert_eq!(status, 200);
    let token = login["token"].as_str().expect("token").to_owned();
    calls.call("GET", "/api/v1/me", "/api/v1/me", None, Body::None).await;
    calls.call("GET", "/api/v1/me", "/api/v1/me", Some(&token), Body::None).await;
    let photos_path = "/api/v1/me/identity-photos";
    calls.call("POST", photos_path, photos_path, Some(&token), Body::Multipart(multipart(None, photos(1)))).await;
    let (status, _) = calls.call("POST", photos_path, photos_path, Some(&token), Body::Multipart(multipart(None, photos(2)))).await;
    assert_eq!(status, 200);
    calls.call("POST", "/api/v1/password/forgot", "/api/v1/password/forgot", None, Body::Json(json!({ "email": "x" }))).await;
    let forgot = json!({ "email": citizen.email });
    calls.call("POST", "/api/v1/password/forgot", "/api/v1/password/forgot", None, Body::Json(forgot)).await;
    let bad_reset = json!({ "token": "nope", "password": "Another-long-pass-2569" });
    calls.call("POST", "/api/v1/password/reset", "/api/v1/password/reset", None, Body::Json(bad_reset)).await;
    let mail = delivered_mail(&app).await;
    let link = mail.iter().find_map(|m| link_in(m.text.as_deref()?, "/password/reset?token=")).expect("a reset link");
    let reset_token = link.split("token=").nth(1).expect("token").to_owned();
    let reset = json!({ "token": reset_token, "password": "Another-long-pass-2569" });
    let (status, _) = calls.call("POST", "/api/v1/password/reset", "/api/v1/password/reset", None, Body::Json(reset)).await;
    assert_eq!(status, 200);

    // Requests: a refused one, a new one, its repeat, the list and the detail.
    let token = api_token(&app, DEMO, &TestCitizen { password: "Another-long-pass-2569".into(), ..citizen.clone() }).await;
    let submit = |key: &'static str| Body::Submission(waste_form(&waste_data()), key);
    calls.call("POST", "/api/v1/requests", "/api/v1/requests", Some(&token), Body::Multipart(Form::new().text("form_id", "nope"))).await;
    let (status, created) = calls.call("POST", "/api/v1/requests", "/api/v1/requests", Some(&token), submit("openapi-1")).await;
    assert_eq!(status, 201);
    let (status, _) = calls.call("POST", "/api/v1/requests", "/api/v1/requests", Some(&token), submit("openapi-1")).await;
    assert_eq!(status, 200, "a repeated submission answers the first one");
    calls.call("GET", "/api/v1/requests", "/api/v1/requests", Some(&token), Body::None).await;
    calls.call("GET", "/api/v1/requests", "/api/v1/requests?per_page=null", Some(&token), Body::None).await;
    let reference = created["reference"].as_str().expect("reference").to_owned();
    let detail = "/api/v1/requests/{reference}";
    calls.call("GET", detail, &format!("/api/v1/requests/{reference}"), Some(&token), Body::None).await;
    calls.call("GET", detail, "/api/v1/requests/DEMO-2569-999999", Some(&token), Body::None).await;

    // The back office, as an officer and an admin.
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let admin = add_staff(&app, "demo", Role::Admin).await;
    let code = officer.next_code().await;
    let login = json!({ "email": officer.email, "password": officer.password, "totp_code": code });
    let (status, signed_in) = calls.call("POST", "/api/v1/backoffice/auth/login", "/api/v1/backoffice/auth/login", None, Body::Json(login)).await;
    assert_eq!(status, 200);
    let staff = signed_in["token"].as_str().expect("token").to_owned();
    let admin_token = staff_token(&app, DEMO, &admin).await;
    let bo = |path: &str| format!("/api/v1/backoffice{path}");
    for path in ["/me", "/dashboard", "/identities", "/requests", "/requests?status=submitted"] {
        let template = bo(path.split('?').next().unwrap_or(path));
        calls.call("GET", &template, &bo(path), Some(&staff), Body::None).await;
    }
    calls.call("GET", &bo("/audit"), &bo("/audit"), Some(&staff), Body::None).await;

    let scope = eservice_tests::registration::tenant_scope(&app, "demo").await;
    let me = store::citizens::find_by_national_id(app.db(), scope, &citizen.national_id).await.expect("db").expect("citizen");
    let identity = format!("/identities/{}", me.id);
    calls.call("GET", &bo("/identities/{id}"), &bo(&identity), Some(&staff), Body::None).await;
    let decision = bo("/identities/{id}/decision");
    calls.call("POST", &decision, &bo(&format!("{identity}/decision")), Some(&staff), Body::Json(json!({ "decision": "reject" }))).await;
    calls.call("POST", &decision, &bo(&format!("{identity}/decision")), Some(&staff), Body::Json(json!({ "decision": "approve" }))).await;

    let (_, queue) = calls.call("GET", &bo("/requests"), &bo("/requests"), Some(&staff), Body::None).await;
    let id = queue["items"][0]["id"].as_str().expect("a request in the queue").to_owned();
    let request = format!("/requests/{id}");
    calls.call("GET", &bo("/requests/{id}"), &bo(&request), Some(&staff), Body::None).await;
    calls.call("GET", &bo("/requests/{id}"), &bo(&format!("/requests/{}", uuid::Uuid::new_v4())), Some(&staff), Body::None).await;
    let status_path = bo("/requests/{id}/status");
    let moved = bo(&format!("{request}/status"));
    calls.call("POST", &status_path, &moved, Some(&staff), Body::Json(json!({ "to": "received", "version": 1 }))).await;
    calls.call("POST", &status_path, &moved, Some(&staff), Body::Json(json!({ "to": "received", "version": 1 }))).await;
    calls.call("POST", &status_path, &moved, Some(&staff), Body::Json(json!({ "to": "nowhere" }))).await;
    let assign = bo("/requests/{id}/assign");
    calls.call("POST", &assign, &bo(&format!("{request}/assign")), Some(&staff), Body::Json(json!({ "to": "me" }))).await;
    let notes = bo("/requests/{id}/notes");
    calls.call("POST", &notes, &bo(&format!("{request}/notes")), Some(&staff), Body::Json(json!({ "body": "ตรวจแล้ว", "public": true }))).await;
    calls.call("POST", &notes, &bo(&format!("{request}/notes")), Some(&staff), Body::Json(json!({ "body": "" }))).await;
    let documents = bo("/requests/{id}/documents");
    let licence = || {
        Form::new().text("kind", "licence").text("number", "12/2569").text("title_th", "ใบอนุญาต").text("title_en", "Licence").part("file", pdf_part())
    };
    let (status, doc) = calls.call("POST", &documents, &bo(&format!("{request}/documents")), Some(&staff), Body::Multipart(licence())).await;
    assert_eq!(status, 201);
    let doc_id = doc["id"].as_str().expect("document id").to_owned();
    let citizen_doc = "/api/v1/requests/{reference}/documents/{id}";
    calls.call("GET", citizen_doc, &format!("/api/v1/requests/{reference}/documents/{doc_id}"), Some(&token), Body::None).await;
    calls.call("GET", citizen_doc, &format!("/api/v1/requests/{reference}/documents/not-a-uuid"), Some(&token), Body::None).await;
    let revoke = bo("/documents/{id}/revoke");
    calls.call("POST", &revoke, &bo(&format!("/documents/{doc_id}/revoke")), Some(&staff), Body::Json(json!({ "reason": "ออกผิด" }))).await;
    calls.call("POST", &revoke, &bo(&format!("/documents/{doc_id}/revoke")), Some(&staff), Body::Json(json!({ "reason": "อีกครั้ง" }))).await;

    // Staff management (admin) and an officer refused it.
    calls.call("GET", &bo("/staff"), &bo("/staff"), Some(&staff), Body::None).await;
    calls.call("GET", &bo("/staff"), &bo("/staff"), Some(&admin_token), Body::None).await;
    let invite = json!({ "email": "new.officer@demo.example", "name": "เจ้าหน้าที่ใหม่", "role": "officer" });
    let (status, invited) = calls.call("POST", &bo("/staff"), &bo("/staff"), Some(&admin_token), Body::Json(invite.clone())).await;
    assert_eq!(status, 201);
    calls.call("POST", &bo("/staff"), &bo("/staff"), Some(&admin_token), Body::Json(invite)).await;
    let member = format!("/staff/{}", invited["id"].as_str().expect("id"));
    calls.call("POST", &bo("/staff/{id}/role"), &bo(&format!("{member}/role")), Some(&admin_token), Body::Json(json!({ "role": "admin" }))).await;
    calls.call("POST", &bo("/staff/{id}/categories"), &bo(&format!("{member}/categories")), Some(&admin_token), Body::Json(json!({ "categories": [] }))).await;
    calls.call("POST", &bo("/staff/{id}/reset-totp"), &bo(&format!("{member}/reset-totp")), Some(&admin_token), Body::None).await;
    calls.call("POST", &bo("/staff/{id}/deactivate"), &bo(&format!("{member}/deactivate")), Some(&admin_token), Body::None).await;

    // The admin's settings: each call, allowed and refused.
    let ad = |path: &str| format!("/api/v1/admin{path}");
    calls.call("GET", &ad("/settings"), &ad("/settings"), Some(&staff), Body::None).await;
    let (_, settings) = calls.call("GET", &ad("/settings"), &ad("/settings"), Some(&admin_token), Body::None).await;
    let revision = |s: &Value| s["revision"].as_str().expect("revision").to_owned();
    let mut general = json!({
        "revision": revision(&settings), "name_th": settings["name_th"], "name_en": settings["name_en"],
        "primary_color": "#1a4f8b", "accent_color": "#f6d32d", "contact": settings["contact"],
    });
    let (_, settings) = calls.call("POST", &ad("/general"), &ad("/general"), Some(&admin_token), Body::Json(general.clone())).await;
    calls.call("POST", &ad("/general"), &ad("/general"), Some(&admin_token), Body::Json(general.clone())).await;
    general["revision"] = json!(revision(&settings));
    general["primary_color"] = json!("#ffffff");
    calls.call("POST", &ad("/general"), &ad("/general"), Some(&admin_token), Body::Json(general)).await;
    let logo = |revision: String, bytes: Vec<u8>| Form::new().text("revision", revision).part("logo", Part::bytes(bytes).file_name("logo.png"));
    let (_, settings) =
        calls.call("POST", &ad("/logo"), &ad("/logo"), Some(&admin_token), Body::Multipart(logo(revision(&settings), eservice_tests::registration::png_photo(64, 64)))).await;
    calls.call("POST", &ad("/logo"), &ad("/logo"), Some(&admin_token), Body::Multipart(logo(revision(&settings), b"not an image".to_vec()))).await;
    calls.call("POST", &ad("/logo"), &ad("/logo"), Some(&admin_token), Body::Json(json!({}))).await;
    let terms = json!({ "revision": revision(&settings), "version": "2570.1", "body_th": "# ข้อกำหนด", "body_en": "# Terms" });
    let (_, settings) = calls.call("POST", &ad("/terms"), &ad("/terms"), Some(&admin_token), Body::Json(terms)).await;
    calls.call("POST", "/api/v1/me/terms", "/api/v1/me/terms", Some(&token), Body::Json(json!({ "version": "2569.1" }))).await;
    let (status, accepted) = calls.call("POST", "/api/v1/me/terms", "/api/v1/me/terms", Some(&token), Body::Json(json!({ "version": "2570.1" }))).await;
    assert_eq!((status, &accepted["terms_to_accept"]), (200, &Value::Null), "{accepted}");
    let identity = json!({ "revision": revision(&settings), "photo_count": 2, "watermark_text": "ใช้ยืนยันตัวตนเท่านั้น", "slots": [{ "name_th": "ด้านหน้า", "name_en": "Front" }] });
    let (_, settings) = calls.call("POST", &ad("/identity"), &ad("/identity"), Some(&admin_token), Body::Json(identity)).await;
    let example = |revision: String, slot: &str, bytes: Vec<u8>| {
        Form::new().text("revision", revision).text("slot", slot.to_owned()).part("example", Part::bytes(bytes).file_name("front.png"))
    };
    let picture = eservice_tests::registration::png_photo(300, 200);
    let (status, settings) =
        calls.call("POST", &ad("/identity/example"), &ad("/identity/example"), Some(&admin_token), Body::Multipart(example(revision(&settings), "1", picture.clone()))).await;
    assert_eq!(status, 200, "{settings}");
    calls.call("POST", &ad("/identity/example"), &ad("/identity/example"), Some(&admin_token), Body::Multipart(example(revision(&settings), "4", picture))).await;
    let too_many = json!({ "revision": revision(&settings), "photo_count": 9, "watermark_text": "x" });
    calls.call("POST", &ad("/identity"), &ad("/identity"), Some(&admin_token), Body::Json(too_many)).await;
    let notices = json!({ "revision": revision(&settings), "on_every_status_change": true });
    let (_, settings) = calls.call("POST", &ad("/notifications"), &ad("/notifications"), Some(&admin_token), Body::Json(notices)).await;
    let days = json!({ "revision": revision(&settings), "officer_totp": true, "closure_days": ["2026-12-24"] });
    let (_, settings) = calls.call("POST", &ad("/working-days"), &ad("/working-days"), Some(&admin_token), Body::Json(days)).await;
    let bad_days = json!({ "revision": revision(&settings), "closure_days": ["yesterday"] });
    calls.call("POST", &ad("/working-days"), &ad("/working-days"), Some(&admin_token), Body::Json(bad_days)).await;
    let (_, services) = calls.call("GET", &ad("/services"), &ad("/services"), Some(&admin_token), Body::None).await;
    let mut categories = services["categories"].clone();
    categories[0]["hidden"] = json!(true);
    let (_, services) =
        calls.call("POST", &ad("/services"), &ad("/services"), Some(&admin_token), Body::Json(json!({ "revision": revision(&services), "categories": categories.clone() }))).await;
    categories[0]["title_th"] = json!("");
    calls.call("POST", &ad("/services"), &ad("/services"), Some(&admin_token), Body::Json(json!({ "revision": revision(&services), "categories": categories }))).await;
    calls.call("GET", &ad("/forms"), &ad("/forms"), Some(&admin_token), Body::None).await;
    let (_, form) = calls.call("GET", &ad("/forms/{key}"), &ad("/forms/complaint"), Some(&admin_token), Body::None).await;
    calls.call("GET", &ad("/forms/{key}"), &ad("/forms/no_such_form"), Some(&admin_token), Body::None).await;
    let (_, services) = calls.call("GET", &ad("/services"), &ad("/services"), Some(&admin_token), Body::None).await;
    let publish = json!({ "revision": revision(&services), "schema": form });
    let (status, _) = calls.call("POST", &ad("/forms/{key}"), &ad("/forms/complaint"), Some(&admin_token), Body::Json(publish)).await;
    assert_eq!(status, 201);
    let (_, services) = calls.call("GET", &ad("/services"), &ad("/services"), Some(&admin_token), Body::None).await;
    let broken = json!({ "revision": revision(&services), "schema": { "title": { "th": "x" }, "fields": [] } });
    calls.call("POST", &ad("/forms/{key}"), &ad("/forms/complaint"), Some(&admin_token), Body::Json(broken)).await;
    calls.call("GET", &ad("/settings"), &ad("/settings"), None, Body::None).await;

    // Signing out, of both kinds.
    calls.call("POST", "/api/v1/backoffice/auth/logout", "/api/v1/backoffice/auth/logout", Some(&staff), Body::None).await;
    calls.call("GET", &bo("/me"), &bo("/me"), Some(&staff), Body::None).await;
    calls.call("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", Some(&token), Body::None).await;
    calls.call("POST", "/api/v1/auth/logout", "/api/v1/auth/logout", Some(&token), Body::None).await;

    assert!(calls.problems.is_empty(), "the document and the answers disagree:\n{}", calls.problems.join("\n"));
    let missing = calls.missing();
    assert!(missing.is_empty(), "documented but never called here: {missing:?}");
}

/// The document is generated from the router that serves the API (`routes!` registers a handler
/// and its description together), so each served route is in it; here every operation is also
/// checked for what a client relies on, and a documented path answers no undocumented method.
#[tokio::test]
async fn every_api_route_is_documented_with_its_refusals() {
    let app = spawn_app().await;
    let doc: Value = app.get(DEMO, "/api/v1/openapi.json").send().await.expect("get").json().await.expect("json");
    assert_eq!(doc, web::api::document(), "the served document is the one generated from the router");
    let operations = web::api::operations();
    assert!(operations.len() >= 49, "{} operations", operations.len());
    let schemes = doc["components"]["securitySchemes"].as_object().expect("security schemes");
    let mut ids = BTreeSet::new();
    let mut problems = Vec::new();
    for (method, path) in &operations {
        let call = format!("{method} {path}");
        let operation = &doc["paths"][path][method.to_lowercase()];
        if !operation["summary"].as_str().is_some_and(|s| !s.is_empty()) {
            problems.push(format!("{call}: no summary"));
        }
        if !operation["tags"].as_array().is_some_and(|t| !t.is_empty()) {
            problems.push(format!("{call}: no tag"));
        }
        match operation["operationId"].as_str() {
            Some(id) if ids.insert(id.to_owned()) => {}
            other => problems.push(format!("{call}: operationId {other:?} missing or taken")),
        }
        let responses = operation["responses"].as_object().expect("responses");
        if !responses.keys().any(|s| s.starts_with('2')) {
            problems.push(format!("{call}: no success documented"));
        }
        for (status, response) in responses.iter().filter(|(s, _)| s.as_str() >= "400") {
            if response["content"]["application/json"]["schema"]["$ref"] != "#/components/schemas/Error" {
                problems.push(format!("{call} → {status}: not the shared Error schema"));
            }
        }
        let staff_only = (path.starts_with("/api/v1/backoffice/") && !path.ends_with("/auth/login")) || path.starts_with("/api/v1/admin/");
        let security: Vec<&str> =
            operation["security"].as_array().into_iter().flatten().filter_map(|r| r.as_object()).flat_map(|r| r.keys().map(String::as_str)).collect();
        if staff_only && security != ["staffBearer"] {
            problems.push(format!("{call}: a staff call without the staffBearer scheme ({security:?})"));
        }
        if security.iter().any(|s| !schemes.contains_key(*s)) {
            problems.push(format!("{call}: an undefined security scheme {security:?}"));
        }
    }
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let concrete = path.replace("{reference}", "DEMO-2569-000001").replace("{id}", "00000000-0000-0000-0000-000000000000").replace("{key}", "complaint");
        for method in ["get", "post", "put", "patch", "delete"].into_iter().filter(|m| item.get(*m).is_none()) {
            let request = app.client.request(method.to_uppercase().parse().expect("method"), app.url(&concrete)).header("Host", DEMO);
            let status = request.send().await.expect("request").status().as_u16();
            if status != 405 {
                problems.push(format!("{method} {path}: answered {status}, but the method is not documented"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Nothing registers an `/api` route beside the documented router (`api::router`), where a route
/// and its description are one `routes!` call: a plain `.route("/api/…")` would go undocumented.
#[test]
fn no_api_route_is_registered_outside_the_documented_router() {
    fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read the sources").flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/web/src");
    let mut files = Vec::new();
    sources(&web, &mut files);
    assert!(files.len() > 20, "the web crate's sources at {}", web.display());
    let mut problems = Vec::new();
    for file in files {
        let text: String = std::fs::read_to_string(&file).expect("read").split_whitespace().collect();
        for registration in [".route(\"/api", ".route(&format!(\"/api", ".route_service(\"/api", ".nest(\"/api", ".nest_service(\"/api"] {
            if text.contains(registration) {
                problems.push(format!("{}: {registration}", file.display()));
            }
        }
    }
    assert!(problems.is_empty(), "API routes registered without their description:\n{}", problems.join("\n"));
}

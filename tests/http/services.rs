//! Services: the catalogue, a submission with evidence through the HTML form and the API, every
//! bad input refused at its field with nothing saved, idempotent submits, form versions, and
//! references per tenant and year.

use eservice_tests::auth::{Browser, api_token, delivered_mail};
use eservice_tests::citizens::TestCitizen;
use eservice_tests::html::summary_links;
use eservice_tests::registration::{METADATA_MARKER, contains, png_bomb, png_photo};
use eservice_tests::{DEMO, NONGBUA, TestApp, spawn_app};
use std::sync::LazyLock;
use reqwest::multipart::{Form, Part};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{Value, json};
use store::entities::{form_version, request, request_event, request_file};

/// A real 40×30 PNG carrying EXIF and a comment (`METADATA_MARKER`) that storing must strip.
static PNG: LazyLock<Vec<u8>> = LazyLock::new(|| png_photo(40, 30));
const PDF: &[u8] = b"%PDF-1.4\n% evidence\n";

fn file(bytes: &[u8], name: &str) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

/// Valid answers to demo's waste collection form (`waste_collection_fee`), files aside.
pub(crate) fn waste_data() -> Value {
    json!({
        "applicant_name": "นายสมชาย ใจดี",
        "national_id": eservice_tests::citizens::national_id(),
        "phone": "0812345678",
        "premises_address": {"house_no": "99/1", "village": "หมู่ 4", "road": "มิตรภาพ",
            "province": "40", "district": "4001", "sub_district": "400101", "postcode": "40000"},
        "premises_type": "shop",
        "business_name": "ร้านป้าแดง",
        "waste_kinds": ["general", "organic"],
        "daily_volume": 12.5,
        "billing": "monthly",
        "start_date": "2027-01-01",
    })
}

pub(crate) fn waste_form(data: &Value) -> Form {
    waste_form_with(data, &PNG)
}

/// The waste collection form with `house` as the house-registration copy.
fn waste_form_with(data: &Value, house: &[u8]) -> Form {
    Form::new()
        .text("form_id", "waste_collection_fee")
        .text("data", data.to_string())
        .part("id_card_copy", file(PDF, "id.pdf"))
        .part("house_registration_copy", file(house, "house.png"))
}

/// Valid answers to demo's complaint form.
fn complaint_data() -> Value {
    json!({
        "topic": "road",
        "subject": "ถนนชำรุดหน้าบ้าน",
        "details": "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก รถจักรยานยนต์ล้มแล้วสองคัน",
        "location": "หน้าบ้านเลขที่ 12 ซอยเทศบาล 3",
        "complainant_name": "นายสมชาย ใจดี",
        "contact_by": ["phone"],
        "phone": "0812345678",
    })
}

async fn post_request(app: &TestApp, host: &str, token: &str, form: Form, key: Option<&str>) -> reqwest::Response {
    let mut request = app.post(host, "/api/v1/requests").bearer_auth(token).multipart(form);
    if let Some(key) = key {
        request = request.header("Idempotency-Key", key);
    }
    request.send().await.expect("request")
}

async fn counts(app: &TestApp) -> (u64, u64, u64, usize) {
    let requests = request::Entity::find().count(app.db()).await.expect("db");
    let files = request_file::Entity::find().count(app.db()).await.expect("db");
    let events = request_event::Entity::find().count(app.db()).await.expect("db");
    (requests, files, events, stored_objects(app))
}

/// Files under the object store's `requests` keys.
fn stored_objects(app: &TestApp) -> usize {
    fn walk(dir: &std::path::Path, under_requests: bool) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
        entries
            .flatten()
            .map(|e| {
                let path = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if path.is_dir() {
                    walk(&path, under_requests || name == "requests")
                } else if under_requests && !name.starts_with('.') {
                    1
                } else {
                    0
                }
            })
            .sum()
    }
    walk(&app.data_dir.path().join("files"), false)
}

fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).expect("hidden input");
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_catalogue_lists_categories_with_their_sub_menus() {
    let app = spawn_app().await;
    let html = app.page(DEMO, "/services").await;
    assert!(html.contains("/services/waste_collection_fee"));
    assert!(html.contains("/services/complaint"));
    assert!(!html.contains("/services/street_light_repair"), "nongbua's services are not demo's");

    let api: Value = app.get(DEMO, "/api/v1/services").send().await.expect("request").json().await.expect("json");
    let items: Vec<&Value> = api["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .flat_map(|c| c["items"].as_array().expect("items"))
        .collect();
    let waste = items.iter().find(|i| i["key"] == "waste_collection_fee").expect("waste item");
    assert_eq!(waste["form"]["key"], "waste_collection");
    assert!(waste["form"]["schema"]["fields"].as_array().is_some_and(|f| !f.is_empty()));
}

#[tokio::test]
async fn a_citizen_submits_a_form_with_a_file_and_gets_the_success_page_and_an_email() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;

    let form_page = browser.get("/services/complaint").await;
    assert_eq!(form_page.status(), 200);
    let html = form_page.text().await.expect("body");
    assert!(html.contains("0812345678"), "the phone is prefilled from the account");
    let key = hidden_value(&html, "idempotency_key");
    let version = hidden_value(&html, "form_version");
    let csrf = browser.csrf().await;

    let body = || {
        Form::new()
            .text("csrf_token", csrf.clone())
            .text("idempotency_key", key.clone())
            .text("form_version", version.clone())
            .text("topic", "road")
            .text("subject", "ถนนชำรุดหน้าบ้าน")
            .text("details", "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก รถจักรยานยนต์ล้มแล้วสองคัน")
            .text("location", "หน้าบ้านเลขที่ 12")
            .text("incident_date.day", "15")
            .text("incident_date.month", "1")
            .text("incident_date.year", "2569")
            .text("complainant_name", "นายสมชาย ใจดี")
            .text("contact_by", "phone")
            .text("phone", "0812345678")
            .part("photos", file(&PNG, "road.png"))
    };
    let response = browser.send(browser.post("/services/complaint").multipart(body())).await;
    assert_eq!(response.status(), 303);
    let done = response.headers()["location"].to_str().expect("location").to_owned();
    assert!(done.starts_with("/services/requests/DEMO-25"), "{done}");

    // A double click: the same key again is the same request.
    let again = browser.send(browser.post("/services/complaint").multipart(body())).await;
    assert_eq!(again.status(), 303);
    assert_eq!(again.headers()["location"].to_str().expect("location"), done);
    assert_eq!(counts(&app).await, (1, 1, 1, 1));

    let page = browser.get(&done).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.expect("body");
    let reference = done.trim_start_matches("/services/requests/").trim_end_matches("/done");
    assert!(page.contains("สำเร็จ") && page.contains(reference));
    assert!(page.contains(r#"<h1 class="notice-title">สำเร็จ</h1>"#), "the page is headed สำเร็จ");
    assert!(page.contains(&format!(r#"<a class="button" href="/requests/{reference}""#)), "and links to the request");
    let request = browser.get(&format!("/requests/{reference}")).await.text().await.expect("body");
    let group = request.find(r#"data-testid="file-group">ภาพถ่ายประกอบ</h3>"#).expect("the photo under its field's label");
    assert!(request[group..].contains("road.png"), "the file is listed under its field");
    assert!(page.contains("พ.ศ. 25"), "the time of receipt in the Buddhist year");
    assert!(page.contains("มาตรา 10"));

    let stored = request::Entity::find().one(app.db()).await.expect("db").expect("request");
    assert_eq!(stored.status, "submitted");
    let data: Value = serde_json::from_str(&stored.data).expect("json");
    assert_eq!(data["topic"], "road");
    assert_eq!(data["incident_date"], "2026-01-15", "15 มกราคม 2569 (พ.ศ.) is 15 January 2026");
    assert!(request.contains("15 ม.ค. 2569"), "and the request page says it in the Buddhist year");
    let stored_file = request_file::Entity::find().one(app.db()).await.expect("db").expect("file");
    assert_eq!(stored_file.mime, "image/png");
    assert!(stored_file.object_key.starts_with(&stored.tenant_id.to_string()));
    let kept = app.state.files.get(&stored_file.object_key).await.expect("store").expect("the object");
    assert_clean_png(&kept, (40, 30));

    let mail = delivered_mail(&app).await;
    assert!(mail.iter().any(|m| m.to == citizen.email && m.subject.contains(reference)), "acknowledgement e-mailed");

    // Another citizen cannot open this success page.
    let other = TestCitizen::new();
    other.insert(&app, "demo").await;
    let mut stranger = Browser::new(&app, DEMO);
    stranger.login_as(&other).await;
    assert_eq!(stranger.get(&done).await.status(), 404);
}

#[tokio::test]
async fn a_refused_html_form_comes_back_with_every_value_kept() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let html = browser.get("/services/complaint").await.text().await.expect("body");
    let csrf = browser.csrf().await;
    let form = Form::new()
        .text("csrf_token", csrf)
        .text("idempotency_key", hidden_value(&html, "idempotency_key"))
        .text("form_version", hidden_value(&html, "form_version"))
        .text("topic", "road")
        .text("subject", "ถนนชำรุดหน้าบ้าน")
        .text("details", "สั้นไป")
        .text("location", "ซอยเทศบาล 3 ใกล้ตลาด")
        .text("incident_date.day", "15")
        .text("incident_date.month", "1")
        .text("incident_date.year", "2026");
    let response = browser.send(browser.post("/services/complaint").multipart(form)).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("body");
    assert!(page.contains("ถนนชำรุดหน้าบ้าน") && page.contains("ซอยเทศบาล 3 ใกล้ตลาด") && page.contains("สั้นไป"));
    assert!(page.contains("data-field=\"details\""));
    assert!(page.contains("data-field=\"contact_by\""));
    assert!(page.contains(r#"name="incident_date.year" value="2026""#), "the year is shown back as typed");
    assert!(page.contains("กรอกปี พ.ศ."), "a Christian year on a Thai page is refused, saying to type the Buddhist one");
    assert!(!page.contains(r#"type="date""#), "no browser date picker with its Western year");
    assert_eq!(summary_links(&page), ["#f-details", "#f-incident_date", "#f-complainant_name", "#f-contact_by"], "the summary links to each wrong field in form order");
    assert!(page.contains(">กรุณาเลือกช่องทางที่สะดวกให้ติดต่อกลับ</p>"), "an empty choice names the field");
    assert!(page.contains(r#"<fieldset aria-describedby="e-contact_by"#), "the group is described by its message");
    assert_eq!(counts(&app).await, (0, 0, 0, 0));

    // A stale version: the form again with a notice, nothing saved.
    let csrf = browser.csrf().await;
    let form = Form::new()
        .text("csrf_token", csrf)
        .text("idempotency_key", "stale-1")
        .text("form_version", "0")
        .text("topic", "road");
    let response = browser.send(browser.post("/services/complaint").multipart(form)).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.expect("body").contains("data-testid=\"form-stale\""));
    assert_eq!(counts(&app).await, (0, 0, 0, 0));

    // Without the CSRF token first, nothing is read.
    let form = Form::new().text("topic", "road");
    let response = browser.send(browser.post("/services/complaint").multipart(form)).await;
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn the_api_submits_with_files_and_an_idempotency_key_makes_one_request() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let token = api_token(&app, DEMO, &citizen).await;

    let first = post_request(&app, DEMO, &token, waste_form(&waste_data()), Some("key-1")).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.expect("json");
    assert_eq!(first["status"], "submitted");
    let reference = first["reference"].as_str().expect("reference").to_owned();

    let repeat = post_request(&app, DEMO, &token, waste_form(&waste_data()), Some("key-1")).await;
    assert_eq!(repeat.status(), 200);
    let repeat: Value = repeat.json().await.expect("json");
    assert_eq!(repeat["reference"], reference.as_str());
    assert_eq!(counts(&app).await, (1, 2, 1, 2), "one request, its two files, one event");

    let second = post_request(&app, DEMO, &token, waste_form(&waste_data()), Some("key-2")).await;
    assert_eq!(second.status(), 201);
    let second: Value = second.json().await.expect("json");
    let (a, b) = (reference.rsplit('-').next().unwrap_or_default(), second["reference"].as_str().expect("ref"));
    assert_eq!(b.rsplit('-').next().and_then(|s| s.parse::<i64>().ok()), a.parse::<i64>().ok().map(|n| n + 1));

    let stored = request::Entity::find()
        .filter(request::Column::Reference.eq(reference.as_str()))
        .one(app.db())
        .await
        .expect("db")
        .expect("request");
    let data: Value = serde_json::from_str(&stored.data).expect("json");
    assert_eq!(data["daily_volume"], json!(12.5));
    assert_eq!(data["premises_address"]["province"], json!(40));

    // Without a token: 401.
    let anonymous =
        app.post(DEMO, "/api/v1/requests").multipart(waste_form(&waste_data())).send().await.expect("request");
    assert_eq!(anonymous.status(), 401);
}

/// Sends `form` and expects 422 with `code` at `field` and nothing stored.
async fn refused(app: &TestApp, token: &str, form: Form, field: &str, code: &str) {
    let response = post_request(app, DEMO, token, form, None).await;
    assert_eq!(response.status(), 422, "{field} {code}");
    let body: Value = response.json().await.expect("json");
    let fields = body["error"]["fields"].as_array().expect("fields");
    assert!(
        fields.iter().any(|f| f["field"] == field
            && f["code"] == code
            && f["message"].as_str().is_some_and(|m| !m.is_empty() && !m.starts_with("form_error."))),
        "{field} {code} in {body}"
    );
    assert_eq!(counts(app).await, (0, 0, 0, 0), "nothing saved for {field} {code}");
}

fn with(data: &Value, key: &str, value: Value) -> Value {
    let mut data = data.clone();
    data[key] = value;
    data
}

fn without(data: &Value, key: &str) -> Value {
    let mut data = data.clone();
    if let Some(map) = data.as_object_mut() {
        map.remove(key);
    }
    data
}

#[tokio::test]
async fn every_bad_input_is_refused_at_its_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let token = api_token(&app, DEMO, &citizen).await;
    let good = waste_data();

    refused(&app, &token, waste_form(&without(&good, "billing")), "billing", "required").await;
    refused(&app, &token, waste_form(&with(&good, "daily_volume", json!("lots"))), "daily_volume", "not_a_number")
        .await;
    refused(
        &app,
        &token,
        waste_form(&with(&good, "applicant_name", json!({"first": "สมชาย"}))),
        "applicant_name",
        "wrong_type",
    )
    .await;
    refused(&app, &token, waste_form(&with(&good, "daily_volume", json!(9000))), "daily_volume", "out_of_range").await;
    refused(&app, &token, waste_form(&with(&good, "start_date", json!("2030-01-01"))), "start_date", "out_of_range")
        .await;
    refused(&app, &token, waste_form(&with(&good, "house_code", json!("12ab"))), "house_code", "pattern").await;
    refused(
        &app,
        &token,
        waste_form(&with(&good, "premises_type", json!("castle"))),
        "premises_type",
        "invalid_choice",
    )
    .await;
    // business_name is shown only for businesses.
    refused(
        &app,
        &token,
        waste_form(&with(&good, "premises_type", json!("household"))),
        "business_name",
        "hidden_field",
    )
    .await;

    let base = || Form::new().text("form_id", "waste_collection_fee").text("data", good.to_string());
    // A PNG name on a file that is not an image or PDF by content.
    let refused_type = base()
        .part("id_card_copy", file(b"MZ\x90\0 not an image", "id.png"))
        .part("house_registration_copy", file(&PNG, "house.png"));
    refused(&app, &token, refused_type, "id_card_copy[0]", "file_type").await;
    let too_large = base()
        .part("id_card_copy", file(&[b"%PDF-".as_slice(), &vec![b'x'; 5 * 1024 * 1024]].concat(), "id.pdf"))
        .part("house_registration_copy", file(&PNG, "house.png"));
    refused(&app, &token, too_large, "id_card_copy[0]", "file_too_large").await;
    let too_many = base()
        .part("id_card_copy", file(PDF, "id.pdf"))
        .part("house_registration_copy", file(&PNG, "1.png"))
        .part("house_registration_copy", file(&PNG, "2.png"))
        .part("house_registration_copy", file(&PNG, "3.png"));
    refused(&app, &token, too_many, "house_registration_copy", "too_many_files").await;
    let missing_file = base().part("house_registration_copy", file(&PNG, "house.png"));
    refused(&app, &token, missing_file, "id_card_copy", "required").await;

    // Unknown form, another tenant's form, a stale version, data that is no object.
    let unknown = Form::new().text("form_id", "no_such_service").text("data", "{}");
    refused(&app, &token, unknown, "form_id", "api.unknown_form").await;
    let nongbua_only = Form::new().text("form_id", "street_light_repair").text("data", "{}");
    refused(&app, &token, nongbua_only, "form_id", "api.unknown_form").await;
    refused(&app, &token, waste_form(&good).text("form_version", "99"), "form_version", "api.stale_version").await;
    let not_object = Form::new().text("form_id", "waste_collection_fee").text("data", "[1]");
    refused(&app, &token, not_object, "data", "api.invalid_data").await;

    // A conditional field of the complaint form sent while hidden.
    let complaint = Form::new()
        .text("form_id", "complaint")
        .text("data", with(&complaint_data(), "topic_other", json!("เรื่องอื่น")).to_string());
    refused(&app, &token, complaint, "topic_other", "hidden_field").await;

    // And the good one goes through.
    assert_eq!(post_request(&app, DEMO, &token, waste_form(&good), None).await.status(), 201);
}

#[tokio::test]
async fn a_new_form_version_leaves_old_requests_alone_and_makes_old_forms_stale() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let token = api_token(&app, DEMO, &citizen).await;
    let created = post_request(&app, DEMO, &token, waste_form(&waste_data()), Some("first-try")).await;
    assert_eq!(created.status(), 201);
    let first: Value = created.json().await.expect("json");
    let before = request::Entity::find().one(app.db()).await.expect("db").expect("request");

    // The tenant publishes version 2 of the form.
    let current = form_version::Entity::find()
        .filter(form_version::Column::TenantId.eq(before.tenant_id))
        .filter(form_version::Column::FormKey.eq("waste_collection"))
        .one(app.db())
        .await
        .expect("db")
        .expect("version 1");
    let mut schema: Value = serde_json::from_str(&current.schema).expect("schema json");
    schema["version"] = json!(current.version + 1);
    let mut next: form_version::ActiveModel = current.clone().into();
    next.id = Set(uuid::Uuid::new_v4());
    next.version = Set(current.version + 1);
    next.schema = Set(schema.to_string());
    next.digest = Set("f".repeat(64));
    form_version::Entity::insert(next).exec(app.db()).await.expect("version 2 stored");

    let after = request::Entity::find_by_id(before.id).one(app.db()).await.expect("db").expect("request");
    assert_eq!((after.form_version, &after.data), (before.form_version, &before.data));

    let stale = post_request(
        &app,
        DEMO,
        &token,
        waste_form(&waste_data()).text("form_version", current.version.to_string()),
        None,
    )
    .await;
    assert_eq!(stale.status(), 422);
    // A retry of the submission that went through is answered with it, not called stale.
    let retry = post_request(
        &app,
        DEMO,
        &token,
        waste_form(&waste_data()).text("form_version", current.version.to_string()),
        Some("first-try"),
    )
    .await;
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.expect("json");
    assert_eq!(retry["reference"], first["reference"]);
    let fresh = post_request(&app, DEMO, &token, waste_form(&waste_data()), None).await;
    assert_eq!(fresh.status(), 201);
    let newest = request::Entity::find()
        .filter(request::Column::Id.ne(before.id))
        .one(app.db())
        .await
        .expect("db")
        .expect("request");
    assert_eq!(newest.form_version, current.version + 1);
}

#[tokio::test]
async fn references_count_per_tenant_and_year() {
    let app = spawn_app().await;
    let demo = store::tenants::find_by_slug(app.db(), "demo").await.expect("db").expect("demo");
    let nongbua = store::tenants::find_by_slug(app.db(), "nongbua").await.expect("db").expect("nongbua");
    let next = |tenant: &store::tenants::TenantRecord, year| {
        let (db, scope) = (app.db().clone(), tenant.scope());
        async move { store::requests::submit::next_reference(&db, scope, year).await.expect("counter") }
    };
    assert_eq!(next(&demo, 2569).await, 1);
    assert_eq!(next(&demo, 2569).await, 2);
    assert_eq!(next(&nongbua, 2569).await, 1);
    assert_eq!(next(&demo, 2570).await, 1);
    assert_eq!(next(&demo, 2569).await, 3);

    // Through the API, on each tenant its own sequence and prefix.
    let citizen = TestCitizen::new();
    citizen.insert(&app, "nongbua").await;
    let token = api_token(&app, NONGBUA, &citizen).await;
    let data = json!({"subject": "x"});
    let response = post_request(
        &app,
        NONGBUA,
        &token,
        Form::new().text("form_id", "waste_collection_fee").text("data", data.to_string()),
        None,
    )
    .await;
    assert_eq!(response.status(), 422, "demo's sub-menu key is unknown on nongbua");
}

#[tokio::test]
async fn files_of_a_refused_form_are_kept_so_the_citizen_need_not_attach_them_again() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let html = browser.get("/services/complaint").await.text().await.expect("body");
    let (key, version) = (hidden_value(&html, "idempotency_key"), hidden_value(&html, "form_version"));
    let csrf = browser.csrf().await;
    let base = |form: Form| {
        form.text("csrf_token", csrf.clone())
            .text("idempotency_key", key.clone())
            .text("form_version", version.clone())
            .text("topic", "road")
            .text("subject", "ถนนชำรุดหน้าบ้าน")
            .text("location", "หน้าบ้านเลขที่ 12")
            .text("complainant_name", "นายสมชาย ใจดี")
            .text("contact_by", "phone")
            .text("phone", "0812345678")
    };
    // Details missing: refused, the photo kept; a second file of a refused type is not kept.
    let first =
        base(Form::new()).part("photos", file(&PNG, "road.png")).part("photos", file(b"not an image", "fake.png"));
    let response = browser.send(browser.post("/services/complaint").multipart(first)).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("body");
    assert!(page.contains("data-testid=\"staged-photos\"") && page.contains("road.png"));
    assert!(!page.contains("fake.png"), "a refused file is not kept");
    let staged = hidden_value(&page, "staged.photos");
    assert_eq!(counts(&app).await, (0, 0, 0, 0));

    // Another citizen cannot bring the staged file back into their own request.
    let other = TestCitizen::new();
    other.insert(&app, "demo").await;
    let mut stranger = Browser::new(&app, DEMO);
    stranger.login_as(&other).await;
    let stranger_csrf = stranger.csrf().await;
    let stolen = Form::new()
        .text("csrf_token", stranger_csrf)
        .text("idempotency_key", "stranger-1")
        .text("form_version", version.clone())
        .text("topic", "road")
        .text("subject", "ถนนชำรุดหน้าบ้าน")
        .text("details", "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก รถจักรยานยนต์ล้มแล้วสองคัน")
        .text("location", "หน้าบ้านเลขที่ 12")
        .text("complainant_name", "นายสมปอง")
        .text("contact_by", "phone")
        .text("phone", "0812345678")
        .text("staged.photos", staged.clone());
    assert_eq!(stranger.send(stranger.post("/services/complaint").multipart(stolen)).await.status(), 303);
    assert_eq!(counts(&app).await, (1, 0, 1, 0), "the stranger's request has no file");

    // The owner sends the details, no new file: the kept photo goes with the request.
    let second = base(Form::new())
        .text("details", "ถนนหน้าบ้านเลขที่ 12 เป็นหลุมลึก รถจักรยานยนต์ล้มแล้วสองคัน")
        .text("staged.photos", staged);
    let response = browser.send(browser.post("/services/complaint").multipart(second)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(counts(&app).await, (2, 1, 2, 1));
    let stored = request_file::Entity::find().one(app.db()).await.expect("db").expect("file");
    assert_eq!((stored.filename.as_str(), stored.mime.as_str()), ("road.png", "image/png"));
    let kept = app.state.files.get(&stored.object_key).await.expect("store").expect("the object");
    assert_clean_png(&kept, (40, 30));
}

/// A PNG of this size, re-encoded: no EXIF chunk, no comment, nothing after its end.
fn assert_clean_png(bytes: &[u8], size: (u32, u32)) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    let dimension = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    assert_eq!((dimension(16), dimension(20)), size);
    assert!(!contains(bytes, METADATA_MARKER.as_bytes()) && !contains(bytes, b"eXIf"), "metadata stripped");
    assert!(bytes.ends_with(b"IEND\xaeB`\x82"), "nothing after the image");
}

#[tokio::test]
async fn evidence_images_are_re_encoded_oversized_canvases_refused_and_pdfs_sandboxed() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let token = api_token(&app, DEMO, &citizen).await;

    // A canvas of 65535×65535 in a few dozen bytes: refused at its field, nothing stored.
    let bomb = waste_form_with(&waste_data(), &png_bomb(65_535, 65_535));
    refused(&app, &token, bomb, "house_registration_copy[0]", "image_too_many_pixels").await;

    // A photo with HTML appended and its metadata: stored as a clean image.
    let mut polyglot = png_photo(64, 48);
    polyglot.extend_from_slice(b"<html><script>alert(document.cookie)</script></html>");
    let created = post_request(&app, DEMO, &token, waste_form_with(&waste_data(), &polyglot), None).await;
    assert_eq!(created.status(), 201);
    let reference = created.json::<Value>().await.expect("json")["reference"].as_str().expect("reference").to_owned();

    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let stored = request_file::Entity::find().all(app.db()).await.expect("db");
    let image = stored.iter().find(|f| f.field_key == "house_registration_copy").expect("the photo");
    let served = browser.get(&format!("/requests/{reference}/files/{}", image.id)).await;
    assert_eq!(served.headers()["content-type"], "image/png");
    let served = served.bytes().await.expect("body");
    assert!(!contains(&served, b"<script>") && !contains(&served, b"<html>"), "the appended HTML is gone");
    assert_clean_png(&served, (64, 48));
    assert_eq!(image.bytes, i64::try_from(served.len()).unwrap_or_default(), "the size is the stored file's");

    // A PDF is kept as sent, and served sandboxed: its scripts never run as the site.
    let pdf = stored.iter().find(|f| f.field_key == "id_card_copy").expect("the PDF");
    for path in [format!("/requests/{reference}/files/{}", pdf.id), format!("/requests/{reference}/files/{}?download=1", pdf.id)] {
        let served = browser.get(&path).await;
        assert_eq!(served.status(), 200);
        assert_eq!(served.headers()["content-security-policy"], "sandbox", "{path}");
        assert_eq!(served.headers()["x-content-type-options"], "nosniff");
        assert_eq!(served.bytes().await.expect("body").as_ref(), PDF);
    }
}

#[tokio::test]
async fn concurrent_submits_get_distinct_references_and_a_raced_key_still_makes_one_request() {
    let app = spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let token = api_token(&app, DEMO, &citizen).await;
    let complaint = || Form::new().text("form_id", "complaint").text("data", complaint_data().to_string());

    let distinct = (0..6).map(|i| {
        let (app, token, form) = (&app, token.clone(), complaint());
        async move { post_request(app, DEMO, &token, form, Some(&format!("parallel-{i}"))).await.status() }
    });
    let same_key = (0..4).map(|_| {
        let (app, token, form) = (&app, token.clone(), complaint());
        async move { post_request(app, DEMO, &token, form, Some("one-key")).await.status() }
    });
    let (distinct, same_key) = tokio::join!(join_all(distinct), join_all(same_key));
    assert!(distinct.iter().all(|s| *s == 201), "{distinct:?}");
    assert!(same_key.iter().all(|s| *s == 201 || *s == 200), "{same_key:?}");
    assert_eq!(same_key.iter().filter(|s| **s == 201).count(), 1, "{same_key:?}");

    let references: std::collections::BTreeSet<String> =
        request::Entity::find().all(app.db()).await.expect("db").into_iter().map(|r| r.reference).collect();
    assert_eq!(references.len(), 7, "{references:?}");
}

/// Runs the futures concurrently on this task and returns their outputs in order.
async fn join_all<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = set.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, out) in set.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[tokio::test]
async fn every_form_labels_the_national_id_as_the_citizen_manual_does() {
    let app = spawn_app().await;
    for (host, slug) in [(DEMO, "demo"), (NONGBUA, "nongbua")] {
        let citizen = TestCitizen::new();
        citizen.insert(&app, slug).await;
        let mut browser = Browser::new(&app, host);
        browser.login_as(&citizen).await;
        let catalogue = browser.get("/services").await.text().await.expect("body");
        for item in catalogue.split(r#"<a href="/services/"#).skip(1).filter_map(|s| s.split('"').next()) {
            let form = browser.get(&format!("/services/{item}")).await.text().await.expect("body");
            assert!(!form.contains("เลขประจำตัวประชาชน"), "{slug} {item} says เลขบัตรประจำตัวประชาชน");
        }
    }
}

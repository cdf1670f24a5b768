//! The municipal admin's settings from outside, on SQLite or PostgreSQL: each setting changed
//! through `/api/v1/admin` (or its page) and seen on the citizen side, refused changes that name
//! their field and change nothing, stale changes, the audit trail.

use access::authz::Role;
use eservice_tests::auth::Browser;
use eservice_tests::citizens::TestCitizen;
use eservice_tests::requests::insert_request;
use eservice_tests::staff::{get_json, post_json, StaffMember, add_staff, staff_browser_login, staff_csrf, staff_token, tenant_record};
use eservice_tests::{DEMO, NONGBUA, TestApp, spawn_app};
use serde_json::{Value, json};

struct Admin {
    token: String,
    member: StaffMember,
}

async fn admin(app: &TestApp) -> Admin {
    let member = add_staff(app, "demo", Role::Admin).await;
    Admin { token: staff_token(app, DEMO, &member).await, member }
}

impl Admin {
    async fn settings(&self, app: &TestApp) -> Value {
        let (status, body) = get_json(app, DEMO, &self.token, "/api/v1/admin/settings").await;
        assert_eq!(status, 200, "{body}");
        body
    }

    async fn revision(&self, app: &TestApp) -> String {
        self.settings(app).await["revision"].as_str().expect("revision").to_owned()
    }

    /// POSTs `body` with the current revision added.
    async fn change(&self, app: &TestApp, path: &str, mut body: Value) -> (u16, Value) {
        body["revision"] = json!(self.revision(app).await);
        post_json(app, DEMO, &self.token, path, body).await
    }
}

fn fields(error: &Value) -> Vec<String> {
    error["error"]["fields"].as_array().map(|a| a.iter().map(|f| f["field"].as_str().unwrap_or_default().to_owned()).collect()).unwrap_or_default()
}

/// The tenant cache of this replica is cleared by the change; the test still waits out nothing.
async fn home(app: &TestApp) -> String {
    app.page(DEMO, "/").await
}

#[tokio::test]
async fn names_colours_and_contact_are_changed_and_a_low_contrast_colour_is_refused_at_its_field() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let before = admin.settings(&app).await;
    let mut body = json!({
        "name_th": "เทศบาลนครตัวอย่าง",
        "name_en": "Demo City Municipality",
        "primary_color": "#1a4f8b",
        "accent_color": "#f6d32d",
        "contact": before["contact"].clone(),
    });
    body["contact"]["phone"] = json!("02 111 2222");
    let (status, after) = admin.change(&app, "/api/v1/admin/general", body.clone()).await;
    assert_eq!(status, 200, "{after}");
    assert_ne!(after["revision"], before["revision"]);
    assert_eq!(after["changed_since_apply"], json!(["general"]));
    let page = home(&app).await;
    assert!(page.contains("เทศบาลนครตัวอย่าง") && page.contains("02 111 2222"), "the citizen's pages show the change");
    let theme = app.get(DEMO, "/branding/theme.css").send().await.expect("css").text().await.expect("text");
    assert!(theme.contains("#1a4f8b"), "{theme}");

    // Too light for white text: 422 at the field, with the English and Thai messages, nothing saved.
    body["primary_color"] = json!("#7fb3e8");
    body["name_th"] = json!("ชื่อที่ไม่ควรถูกบันทึก");
    let (status, refused) = admin.change(&app, "/api/v1/admin/general", body.clone()).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), ["branding.primary_color"]);
    assert_eq!(refused["error"]["fields"][0]["code"], "contrast");
    assert!(refused["error"]["fields"][0]["message"].as_str().unwrap_or_default().contains("4.5:1"), "{refused}");
    assert!(!home(&app).await.contains("ชื่อที่ไม่ควรถูกบันทึก"), "nothing half-applied");

    // An empty name and a bad e-mail are both named.
    body["primary_color"] = json!("#1a4f8b");
    body["name_en"] = json!("  ");
    body["contact"]["email"] = json!("no-at-sign");
    let (status, refused) = admin.change(&app, "/api/v1/admin/general", body).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&refused), ["name_en", "contact.email"]);
}

#[tokio::test]
async fn a_change_made_from_an_old_revision_is_refused_naming_who_saved_first() {
    let app = spawn_app().await;
    let first = admin(&app).await;
    let second = admin(&app).await;
    let loaded = second.revision(&app).await;
    let (status, _) = first.change(&app, "/api/v1/admin/notifications", json!({ "on_every_status_change": true })).await;
    assert_eq!(status, 200);
    let (status, stale) =
        post_json(&app, DEMO, &second.token, "/api/v1/admin/notifications", json!({ "revision": loaded, "on_every_status_change": false })).await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["error"]["code"], "stale");
    assert!(stale["error"]["message"].as_str().unwrap_or_default().contains(&first.member.email), "{stale}");
    assert_eq!(second.settings(&app).await["notifications"]["on_every_status_change"], true, "the first change stands");
}

#[tokio::test]
async fn a_new_photo_count_and_slot_names_are_what_a_new_citizen_is_asked_for() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let slots = json!([
        { "name_th": "ด้านหน้าบัตร", "name_en": "Front of the card" },
        { "name_th": "ด้านหลังบัตร", "name_en": "Back of the card" },
        { "name_th": "ภาพถ่ายคู่บัตร", "name_en": "You with the card", "card": false },
    ]);
    let body = json!({ "photo_count": 3, "watermark_text": "ใช้ยืนยันตัวตนกับเทศบาลเท่านั้น", "slots": slots });
    let (status, after) = admin.change(&app, "/api/v1/admin/identity", body).await;
    assert_eq!(status, 200, "{after}");
    let (_, tenant) = get_json(&app, DEMO, "", "/api/v1/tenant").await;
    assert_eq!(tenant["id_photo_count"], 3);
    assert!(home(&app).await.contains("แนบภาพบัตรประชาชน 3 ภาพ"));
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let step = browser.get("/register/identity").await.text().await.expect("page");
    assert_eq!(step.matches("name=\"photo\"").count(), 3, "the ยืนยันตัวตน step asks for three photos");
    assert!(step.contains("ภาพถ่ายคู่บัตร"), "named as the admin named them");

    for (count, field) in [(0, "identity.photo_count"), (6, "identity.photo_count"), (1, "identity.slots")] {
        let body = json!({ "photo_count": count, "watermark_text": "ข้อความ", "slots": after["identity"]["slots"].clone() });
        let (status, refused) = admin.change(&app, "/api/v1/admin/identity", body).await;
        assert_eq!(status, 422, "{count}: {refused}");
        assert!(fields(&refused).contains(&field.to_owned()), "{count}: {refused}");
    }
    assert_eq!(admin.settings(&app).await["identity"]["photo_count"], 3, "refusals changed nothing");
}

#[tokio::test]
async fn a_hidden_category_disappears_for_citizens_and_a_broken_catalogue_is_refused_whole() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (_, services) = get_json(&app, DEMO, &admin.token, "/api/v1/admin/services").await;
    let mut categories = services["categories"].clone();
    let hidden_key = categories[0]["key"].as_str().expect("key").to_owned();
    let hidden_title = categories[0]["title_th"].as_str().expect("title").to_owned();
    categories[0]["hidden"] = json!(true);
    let last = categories.as_array().expect("list").len() - 1;
    categories[last]["title_en"] = json!("Renamed in the browser");
    let (status, saved) = admin.change(&app, "/api/v1/admin/services", json!({ "categories": categories.clone() })).await;
    assert_eq!(status, 200, "{saved}");
    let page = app.page(DEMO, "/services").await;
    assert!(!page.contains(&hidden_title), "the hidden category is not offered");
    let (_, offered) = get_json(&app, DEMO, "", "/api/v1/services").await;
    assert!(!offered.to_string().contains(&format!("\"{hidden_key}\"")), "nor in the API");
    assert!(offered.to_string().contains("Renamed in the browser"));
    let (_, staff_view) = get_json(&app, DEMO, &admin.token, "/api/v1/admin/services").await;
    assert_eq!(staff_view["categories"][0]["hidden"], true, "the admin still sees it, hidden");

    // An empty title and a sub-menu naming a missing form: both named, neither saved, nor the rest.
    let mut broken = staff_view["categories"].clone();
    broken[0]["hidden"] = json!(false);
    broken[1]["title_th"] = json!("");
    broken[1]["items"][0]["form"] = json!("no_such_form");
    let (status, refused) = admin.change(&app, "/api/v1/admin/services", json!({ "categories": broken })).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), ["categories[1].title_th", "categories[1].items[0].form"]);
    assert!(!app.page(DEMO, "/services").await.contains(&hidden_title), "the refused change un-hid nothing");
}

/// The version of form `key` that `GET /api/v1/services` offers.
async fn offered_version(app: &TestApp, key: &str) -> Option<u64> {
    let (_, offered) = get_json(app, DEMO, "", "/api/v1/services").await;
    let categories = offered["categories"].as_array()?;
    categories
        .iter()
        .flat_map(|c| c["items"].as_array().cloned().unwrap_or_default())
        .find(|i| i["form"]["key"] == key)
        .and_then(|i| i["form"]["version"].as_u64())
}

#[tokio::test]
async fn a_new_form_version_is_used_for_new_requests_while_an_old_request_keeps_its_own() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let old = insert_request(&app, "demo", stored.id, 5).await.request;
    let (status, json_text) = {
        let response = app.get(DEMO, &format!("/api/v1/admin/forms/{}", old.form_key)).bearer_auth(&admin.token).send().await.expect("get");
        (response.status().as_u16(), response.text().await.expect("text"))
    };
    assert_eq!(status, 200);
    let mut schema: Value = serde_json::from_str(&json_text).expect("the form's JSON");
    let version = schema["version"].as_u64().expect("version");
    schema["fields"].as_array_mut().expect("fields").push(json!({
        "key": "new_question", "type": "text", "label": { "th": "คำถามใหม่จากผู้ดูแล", "en": "A new question" }
    }));
    let (status, published) = admin.change(&app, &format!("/api/v1/admin/forms/{}", old.form_key), json!({ "schema": schema.clone() })).await;
    assert_eq!(status, 201, "{published}");
    assert_eq!(published["version"], version + 1);

    assert_eq!(offered_version(&app, &old.form_key).await, Some(version + 1), "new requests get the new version");
    let kept = store::requests::process::find_by_id(app.db(), old.scope(), old.id).await.expect("db").expect("request");
    assert_eq!(kept.form_version as u64, version, "the old request keeps its version");
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let page = browser.get(&format!("/requests/{}", old.reference)).await.text().await.expect("page");
    assert!(!page.contains("คำถามใหม่จากผู้ดูแล"), "the old request shows its own form's fields");

    // A duplicate field key and a rule on a missing field: each pointed at.
    let mut bad = schema;
    let first_key = bad["fields"][0]["key"].clone();
    bad["fields"].as_array_mut().expect("fields").push(json!({ "key": first_key, "type": "text", "label": { "th": "ซ้ำ", "en": "Again" } }));
    let (status, refused) = admin.change(&app, &format!("/api/v1/admin/forms/{}", old.form_key), json!({ "schema": bad })).await;
    assert_eq!(status, 422, "{refused}");
    assert!(fields(&refused).iter().any(|f| f.starts_with("fields[")), "{refused}");
    assert_eq!(offered_version(&app, &old.form_key).await, Some(version + 1), "still the good one");

    // A rule on a field that is not there, and a number whose smallest is above its largest.
    let (_, current) = {
        let response = app.get(DEMO, &format!("/api/v1/admin/forms/{}", old.form_key)).bearer_auth(&admin.token).send().await.expect("get");
        (response.status(), response.json::<Value>().await.expect("json"))
    };
    let mut broken = current.clone();
    broken["fields"].as_array_mut().expect("fields").push(json!({
        "key": "conditional", "type": "text", "label": { "th": "มีเงื่อนไข", "en": "Conditional" },
        "show_when": { "field": "no_such_field", "equals": "x" }
    }));
    broken["fields"].as_array_mut().expect("fields").push(json!({
        "key": "amount", "type": "number", "label": { "th": "จำนวน", "en": "Amount" }, "min": 10, "max": 1
    }));
    let (status, refused) = admin.change(&app, &format!("/api/v1/admin/forms/{}", old.form_key), json!({ "schema": broken })).await;
    assert_eq!(status, 422, "{refused}");
    let count = current["fields"].as_array().expect("fields").len();
    let named = fields(&refused);
    assert!(named.iter().any(|f| f.starts_with(&format!("fields[{count}]"))), "the rule's field is named: {named:?}");
    assert!(named.iter().any(|f| f.starts_with(&format!("fields[{}]", count + 1))), "the number's field is named: {named:?}");
}

#[tokio::test]
async fn a_logo_is_redrawn_as_png_and_an_svg_with_script_or_a_non_image_is_refused() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let upload = |bytes: Vec<u8>, name: &'static str, revision: String| {
        reqwest::multipart::Form::new().text("revision", revision).part("logo", reqwest::multipart::Part::bytes(bytes).file_name(name))
    };
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#1a5fb4"/></svg>"##.to_vec();
    let response = app.post(DEMO, "/api/v1/admin/logo").bearer_auth(&admin.token).multipart(upload(svg, "logo.svg", admin.revision(&app).await)).send().await.expect("post");
    assert_eq!(response.status(), 200);
    let logo = app.get(DEMO, "/branding/logo").send().await.expect("logo");
    assert_eq!(logo.headers()["content-type"], "image/png", "an SVG upload is served as the PNG drawn from it");

    for (bytes, name, code) in [
        (br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(), "x.svg", "svg_script"),
        (b"just some text, not a picture".to_vec(), "x.png", "not_image"),
        (vec![0u8; 0], "empty.png", "required"),
        (eservice_tests::registration::png_photo(2400, 2400).into_iter().chain(std::iter::repeat_n(0u8, 1024 * 1024)).collect(), "huge.png", "too_large"),
    ] {
        let response = app.post(DEMO, "/api/v1/admin/logo").bearer_auth(&admin.token).multipart(upload(bytes, name, admin.revision(&app).await)).send().await.expect("post");
        assert_eq!(response.status(), 422, "{name}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["fields"][0]["field"], "logo", "{body}");
        assert_eq!(body["error"]["fields"][0]["code"], code, "{body}");
    }
}

#[tokio::test]
async fn new_terms_are_published_with_a_new_version_and_closure_days_are_dates() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let current = admin.settings(&app).await["terms"]["version"].as_str().expect("version").to_owned();
    let (status, refused) =
        admin.change(&app, "/api/v1/admin/terms", json!({ "version": current, "body_th": "ข้อกำหนดใหม่", "body_en": "New terms" })).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&refused), ["terms.version"]);
    let (status, after) =
        admin.change(&app, "/api/v1/admin/terms", json!({ "version": "2570.1", "body_th": "# ข้อกำหนดฉบับใหม่", "body_en": "# New terms" })).await;
    assert_eq!(status, 200, "{after}");
    let (_, tenant) = get_json(&app, DEMO, "", "/api/v1/tenant").await;
    assert_eq!(tenant["terms"]["version"], "2570.1");
    assert!(tenant["terms"]["th"].as_str().unwrap_or_default().contains("ข้อกำหนดฉบับใหม่"));
    let scope = tenant_record(&app, "demo").await.scope();
    assert!(store::tenants::terms(app.db(), scope.tenant_id(), &current).await.expect("db").is_some(), "the earlier version is kept");

    let (status, refused) = admin
        .change(&app, "/api/v1/admin/working-days", json!({ "officer_totp": true, "closure_days": ["2026-12-24", "24/12/2569"] }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&refused), ["closure_days[1]"]);
    let (status, after) = admin.change(&app, "/api/v1/admin/working-days", json!({ "officer_totp": true, "closure_days": ["2026-12-24"] })).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["back_office"]["closure_days"], json!(["2026-12-24"]));

    // Each change is in the audit trail with its before and after.
    let (_, audit) = get_json(&app, DEMO, &admin.token, "/api/v1/backoffice/audit?action=tenant.working_days").await;
    let entry = &audit["items"][0];
    assert_eq!(entry["actor"], admin.member.email, "{audit}");
    assert!(entry["before"].to_string().contains("closure_days") && entry["after"].to_string().contains("2026-12-24"), "{entry}");
}

#[tokio::test]
async fn the_settings_page_keeps_what_was_typed_and_points_at_the_wrong_field() {
    let app = spawn_app().await;
    let member = add_staff(&app, "demo", Role::Admin).await;
    let mut browser = Browser::new(&app, DEMO);
    staff_browser_login(&mut browser, &member).await;
    let csrf = staff_csrf(&mut browser).await;
    let page = browser.get("/staff/settings").await.text().await.expect("page");
    let revision = eservice_tests::staff::field_value(&page, "revision");
    let mut form = vec![
        ("csrf_token", csrf.clone()),
        ("revision", revision.clone()),
        ("name_th", "เทศบาลที่พิมพ์ไว้".to_owned()),
        ("name_en", "Typed Municipality".to_owned()),
        ("branding.primary_color", "#aaccee".to_owned()),
        ("branding.accent_color", "#f6d32d".to_owned()),
        ("contact.address_th", "1 ถนนหลัก".to_owned()),
        ("contact.address_en", "1 Main Road".to_owned()),
        ("contact.phone", "02 000 0000".to_owned()),
        ("contact.email", "saraban@demo.go.th".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser.post_raw_form("/staff/settings/general", &fields).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.expect("page");
    assert!(html.contains("value=\"เทศบาลที่พิมพ์ไว้\"") && html.contains("value=\"#aaccee\""), "what was typed is kept");
    assert_eq!(eservice_tests::html::summary_links(&html), ["#f-branding-primary_color"]);
    assert!(html.contains("aria-invalid=\"true\""));

    // The preview shows the typed name without saving; a good colour saves and confirms.
    form[4].1 = "#1a4f8b".to_owned();
    form.push(("action", "preview".to_owned()));
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let preview = browser.post_raw_form("/staff/settings/general", &fields).await.text().await.expect("page");
    assert!(preview.contains("data-testid=\"theme-preview\""), "a preview is shown");
    assert!(!home(&app).await.contains("เทศบาลที่พิมพ์ไว้"), "a preview saves nothing");
    form.pop();
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let saved = browser.post_raw_form("/staff/settings/general", &fields).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(saved.headers()["location"], "/staff/settings?done=general");
    assert!(home(&app).await.contains("เทศบาลที่พิมพ์ไว้"));

    // The whole home page with unsaved values, in a tab of its own; nothing is saved.
    let mut unsaved = form.clone();
    unsaved[2].1 = "เทศบาลในตัวอย่าง".to_owned();
    unsaved[4].1 = "#7a1f5c".to_owned();
    let fields: Vec<(&str, &str)> = unsaved.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let preview = browser.post_raw_form("/staff/settings/preview-home", &fields).await;
    assert_eq!(preview.status(), 200);
    let html = preview.text().await.expect("page");
    assert!(html.contains("เทศบาลในตัวอย่าง") && html.contains("data-testid=\"preview-banner\""), "the home page with the typed name");
    assert!(html.contains("/staff/settings/preview.css?whole=1&amp;primary=%237a1f5c"), "and the typed colour over the saved one");
    let css = browser.get("/staff/settings/preview.css?whole=1&primary=%237a1f5c&accent=%23f6d32d").await.text().await.expect("css");
    assert_eq!(css.trim(), ":root{--primary:#7a1f5c;--accent:#f6d32d;}");
    assert!(!home(&app).await.contains("เทศบาลในตัวอย่าง"), "a preview saves nothing");
    let stamp = browser.get("/staff/settings/identity/stamp.jpg?text=ทดสอบ").await;
    assert_eq!(stamp.headers()["content-type"], "image/jpeg");
}

#[tokio::test]
async fn another_tenants_admin_changes_nothing_here() {
    let app = spawn_app().await;
    let other = add_staff(&app, "nongbua", Role::Admin).await;
    let token = staff_token(&app, NONGBUA, &other).await;
    let demo_before = store::tenants::find_by_slug(app.db(), "demo").await.expect("db").expect("demo");
    // Their token on this tenant's host is no session here.
    let (status, _) = get_json(&app, DEMO, &token, "/api/v1/admin/settings").await;
    assert_eq!(status, 401);
    let (status, _) = post_json(&app, DEMO, &token, "/api/v1/admin/notifications", json!({ "revision": demo_before.revision, "on_every_status_change": true })).await;
    assert_eq!(status, 401);
    // On their own host they reach only their own tenant.
    let (_, own) = get_json(&app, NONGBUA, &token, "/api/v1/admin/settings").await;
    assert_eq!(own["name_th"], "องค์การบริหารส่วนตำบลหนองบัว");
    let (status, _) = post_json(&app, NONGBUA, &token, "/api/v1/admin/notifications", json!({ "revision": demo_before.revision, "on_every_status_change": true })).await;
    assert_eq!(status, 409, "demo's revision is no revision of nongbua");
    let demo_after = store::tenants::find_by_slug(app.db(), "demo").await.expect("db").expect("demo");
    assert_eq!(demo_after.revision, demo_before.revision);
}

#[tokio::test]
async fn new_terms_are_accepted_again_at_the_next_visit_and_every_acceptance_is_kept() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let first = stored.terms_version.clone();
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    assert_eq!(browser.get("/requests").await.status(), 200, "the terms of the day were accepted at registration");

    let (status, _) = admin.change(&app, "/api/v1/admin/terms", json!({ "version": "2570.1", "body_th": "# ข้อกำหนดฉบับปรับปรุง", "body_en": "# Revised terms" })).await;
    assert_eq!(status, 200);
    let sent = browser.get("/requests").await;
    assert_eq!(sent.status(), 303);
    assert_eq!(sent.headers()["location"], "/terms/accept?next=/requests", "new terms come before anything else");
    let page = browser.get("/terms/accept?next=/requests").await.text().await.expect("page");
    assert!(page.contains("ข้อกำหนดฉบับปรับปรุง") && page.contains("data-terms-version=\"2570.1\""));
    let csrf = eservice_tests::staff::form_csrf(&page);
    let refused = browser.post_raw_form("/terms/accept", &[("csrf_token", &csrf), ("version", "2570.1"), ("next", "/requests")]).await;
    assert_eq!(refused.status(), 422, "the box must be ticked");
    assert_eq!(eservice_tests::html::summary_links(&refused.text().await.expect("page")), ["#f-accept_terms"]);
    let accepted = browser
        .post_raw_form("/terms/accept", &[("csrf_token", &csrf), ("version", "2570.1"), ("accept_terms", "1"), ("next", "/requests")])
        .await;
    assert_eq!(accepted.status(), 303);
    assert_eq!(accepted.headers()["location"], "/requests");
    assert_eq!(browser.get("/requests").await.status(), 200);
    let history = store::citizens::terms_accepted(app.db(), stored.scope(), stored.id).await.expect("db");
    assert_eq!(history.iter().map(|(v, _)| v.as_str()).collect::<Vec<_>>(), [first.as_str(), "2570.1"], "past acceptances stay");

    // Through the API: /me names the terms to accept until they are.
    let other = TestCitizen::new();
    other.insert(&app, "demo").await;
    let token = eservice_tests::auth::api_token(&app, DEMO, &other).await;
    let (_, me) = get_json(&app, DEMO, &token, "/api/v1/me").await;
    assert_eq!(me["terms_to_accept"], Value::Null, "registered under the new terms");
    let (status, _) = admin.change(&app, "/api/v1/admin/terms", json!({ "version": "2570.2", "body_th": "ฉบับที่สาม", "body_en": "Third" })).await;
    assert_eq!(status, 200);
    let (_, me) = get_json(&app, DEMO, &token, "/api/v1/me").await;
    assert_eq!(me["terms_to_accept"], "2570.2");
    let (status, stale) = post_json(&app, DEMO, &token, "/api/v1/me/terms", json!({ "version": "2570.1" })).await;
    assert_eq!((status, stale["error"]["fields"][0]["field"].as_str()), (422, Some("version")));
    let (status, me) = post_json(&app, DEMO, &token, "/api/v1/me/terms", json!({ "version": "2570.2" })).await;
    assert_eq!((status, &me["terms_to_accept"]), (200, &Value::Null));
}

/// Posts a form of `(name, value)` pairs (a name may repeat) with the browser's cookies.
async fn post_pairs(browser: &mut Browser<'_>, path: &str, fields: Vec<(&'static str, String)>) -> reqwest::Response {
    let request = browser.post(path).form(&fields);
    browser.send(request).await
}

#[tokio::test]
async fn an_admin_builds_a_form_field_by_field_publishes_it_under_a_new_service_and_citizens_get_it() {
    let app = spawn_app().await;
    let member = add_staff(&app, "demo", Role::Admin).await;
    let mut browser = Browser::new(&app, DEMO);
    staff_browser_login(&mut browser, &member).await;
    let csrf = staff_csrf(&mut browser).await;
    let builder = "/staff/settings/forms/tree_permit";
    let page = browser.get(builder).await.text().await.expect("page");
    assert!(page.contains("data-testid=\"form-preview\""), "a new form starts from a starter that previews");
    let post = |fields: Vec<(&'static str, String)>| fields;
    let with_csrf = |mut fields: Vec<(&'static str, String)>| {
        fields.push(("csrf_token", csrf.clone()));
        fields
    };
    // A choice field, then a file field shown only for one of its answers.
    for (kind, key, th, en) in [("choice", "reason", "เหตุผลที่ขอตัด", "Why"), ("file", "tree_photos", "ภาพถ่ายต้นไม้", "Photos of the tree")] {
        let added = post_pairs(&mut browser, builder, with_csrf(post(vec![("op", "add_field".into()), ("new.type", kind.into()), ("new.key", key.into()), ("new.label_th", th.into()), ("new.label_en", en.into())]))).await;
        assert_eq!(added.status(), 303, "{key} added");
    }
    // A duplicate key is refused at the new field's key, and nothing is added.
    let refused = post_pairs(&mut browser, builder, with_csrf(post(vec![("op", "add_field".into()), ("new.type", "text".into()), ("new.key", "reason".into()), ("new.label_th", "ซ้ำ".into()), ("new.label_en", "Again".into())]))).await;
    assert_eq!(refused.status(), 422);
    assert_eq!(eservice_tests::html::summary_links(&refused.text().await.expect("page")), ["#f-new-key"]);
    let edit_reason = with_csrf(post(vec![
        ("op", "save_field".into()),
        ("field", "1".into()),
        ("f.key", "reason".into()),
        ("f.label_th", "เหตุผลที่ขอตัด".into()),
        ("f.label_en", "Why".into()),
        ("f.required", "1".into()),
        ("f.style", "radio".into()),
        ("f.options", "danger | ต้นไม้เป็นอันตราย | The tree is dangerous\nbuilding | จะก่อสร้าง | Building work".into()),
    ]));
    assert_eq!(post_pairs(&mut browser, builder, edit_reason).await.status(), 303);
    let edit_photos = with_csrf(post(vec![
        ("op", "save_field".into()),
        ("field", "2".into()),
        ("f.key", "tree_photos".into()),
        ("f.label_th", "ภาพถ่ายต้นไม้".into()),
        ("f.label_en", "Photos of the tree".into()),
        ("f.required", "1".into()),
        ("f.accept", "image/jpeg".into()),
        ("f.accept", "image/png".into()),
        ("f.max_mb", "2".into()),
        ("f.max_count", "3".into()),
        ("f.show_when_field", "reason".into()),
        ("f.show_when_values", "danger".into()),
    ]));
    assert_eq!(post_pairs(&mut browser, builder, edit_photos).await.status(), 303);
    let page = browser.get(builder).await.text().await.expect("page");
    assert!(page.contains("data-show-when=\"reason=danger\""), "the preview is the citizen's renderer, with the rule");
    assert!(page.contains("ภาพถ่ายต้นไม้"));

    // Deleting the choice field is warned about: the photos' rule uses it.
    let warned = post_pairs(&mut browser, builder, with_csrf(post(vec![("op", "delete".into()), ("field", "1".into())]))).await;
    assert_eq!(warned.status(), 200);
    assert!(warned.text().await.expect("page").contains("data-testid=\"confirm-delete\""));

    let revision = eservice_tests::staff::field_value(&page, "revision");
    let published = post_pairs(&mut browser, builder, with_csrf(post(vec![("op", "publish".into()), ("revision", revision)]))).await;
    assert_eq!(published.status(), 303, "published");
    let scope = tenant_record(&app, "demo").await.scope();
    let form = store::services::current_form(app.db(), scope, "tree_permit").await.expect("db").expect("published");
    assert_eq!(form.version, 1);
    let photos = form.schema.field("tree_photos").expect("the file field");
    assert_eq!(photos.max_bytes, Some(2 * 1024 * 1024));
    assert_eq!(photos.show_when.as_ref().map(|c| c.field.as_str()), Some("reason"));
    assert!(store::form_drafts::find(app.db(), scope, "tree_permit").await.expect("db").is_none(), "publishing ends the draft");

    // Under a new service of the first category, offered to citizens at once.
    let services = browser.get("/staff/settings/services").await.text().await.expect("page");
    let revision = eservice_tests::staff::field_value(&services, "revision");
    let count = services.matches("data-item=\"").count();
    let category_items = {
        let (_, body) = get_json(&app, DEMO, &staff_token(&app, DEMO, &member).await, "/api/v1/admin/services").await;
        body["categories"][0]["items"].as_array().expect("items").len()
    };
    assert!(count > 0);
    let at = format!("categories[0].items[{category_items}]");
    let fields: Vec<(String, String)> = vec![
        ("csrf_token".into(), csrf.clone()),
        ("revision".into(), revision),
        ("op".into(), "add_item".into()),
        ("category".into(), "0".into()),
        (format!("{at}.key"), "tree_cutting".into()),
        (format!("{at}.title_th"), "ขออนุญาตตัดต้นไม้".into()),
        (format!("{at}.title_en"), "Permission to cut a tree".into()),
        (format!("{at}.form"), "tree_permit".into()),
        (format!("{at}.service_days"), "7".into()),
    ];
    let request = browser.post("/staff/settings/services").form(&fields);
    assert_eq!(browser.send(request).await.status(), 303);
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut citizen_browser = Browser::new(&app, DEMO);
    citizen_browser.login_as(&citizen).await;
    let form_page = citizen_browser.get("/services/tree_cutting").await.text().await.expect("page");
    assert!(form_page.contains("ภาพถ่ายต้นไม้") && form_page.contains("data-show-when=\"reason=danger\""), "the citizen gets the new form");
}

#[tokio::test]
async fn the_citizen_is_e_mailed_at_the_changes_the_admin_chose_and_always_at_completion() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let (status, after) = admin.change(&app, "/api/v1/admin/notifications", json!({ "on_rejected": true })).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["notifications"]["on_rejected"], true);
    let officer = add_staff(&app, "demo", Role::Officer).await;
    let token = staff_token(&app, DEMO, &officer).await;
    let citizen = TestCitizen::new();
    let stored = citizen.insert(&app, "demo").await;
    let received = insert_request(&app, "demo", stored.id, 20).await.request;
    let rejected = insert_request(&app, "demo", stored.id, 10).await.request;
    let status_of = |id: uuid::Uuid| format!("/api/v1/backoffice/requests/{id}/status");
    assert_eq!(post_json(&app, DEMO, &token, &status_of(received.id), json!({ "to": "received", "version": 1 })).await.0, 200);
    assert_eq!(post_json(&app, DEMO, &token, &status_of(rejected.id), json!({ "to": "rejected", "version": 1, "note": "เอกสารไม่ครบ" })).await.0, 200);
    let mail = eservice_tests::auth::delivered_mail(&app).await;
    let about = |reference: &str| mail.iter().any(|m| m.to.contains(&citizen.email) && m.subject.contains(reference));
    assert!(about(&rejected.reference), "the rejection e-mails, as chosen");
    assert!(!about(&received.reference), "receiving does not, as chosen");
}

#[tokio::test]
async fn a_photo_slot_shows_the_example_picture_the_admin_gave_it_and_keeps_it_through_other_changes() {
    let app = spawn_app().await;
    let admin = admin(&app).await;
    let upload = |revision: String, slot: &str, bytes: Vec<u8>| {
        reqwest::multipart::Form::new().text("revision", revision).text("slot", slot.to_owned()).part("example", reqwest::multipart::Part::bytes(bytes).file_name("front.jpg"))
    };
    let picture = eservice_tests::registration::png_photo(400, 300);
    let response = app.post(DEMO, "/api/v1/admin/identity/example").bearer_auth(&admin.token).multipart(upload(admin.revision(&app).await, "1", picture)).send().await.expect("post");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    let example = body["identity"]["slots"][0]["example"].as_str().expect("named").to_owned();
    assert!(example.starts_with("slot-1-example."), "{example}");
    let served = app.get(DEMO, "/branding/slots/1").send().await.expect("get");
    assert!(["image/png", "image/jpeg"].contains(&served.headers()["content-type"].to_str().expect("type")));
    let bytes = served.bytes().await.expect("bytes");
    assert!(bytes.len() <= store::tenant_dir::MAX_EXAMPLE_BYTES, "small enough for a tenant folder");
    assert_eq!(eservice_tests::registration::jpeg_size(&bytes).map(|(w, _)| w <= 480).unwrap_or(true), true, "shrunk");
    assert_eq!(app.get(DEMO, "/branding/slots/3").send().await.expect("get").status(), 404, "demo asks for two photos");

    // The citizen's "ยืนยันตัวตน" step shows it next to the slot's input.
    let citizen = TestCitizen::new();
    citizen.insert(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let page = browser.get("/register/identity").await.text().await.expect("page");
    assert!(page.contains("src=\"/branding/slots/1?v="), "the example is on the step");

    // Renaming the slots keeps the picture; a slot that is not named cannot take one; not an image is refused.
    let mut rules = body["identity"].clone();
    rules["slots"][0]["name_th"] = json!("ด้านหน้าบัตร (ชัดเจน)");
    rules["slots"][0].as_object_mut().expect("slot").remove("example");
    let (status, after) = admin.change(&app, "/api/v1/admin/identity", rules).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["identity"]["slots"][0]["example"], example.as_str());
    let response = app.post(DEMO, "/api/v1/admin/identity/example").bearer_auth(&admin.token).multipart(upload(admin.revision(&app).await, "5", eservice_tests::registration::png_photo(300, 200))).send().await.expect("post");
    assert_eq!(response.status(), 422);
    let response = app.post(DEMO, "/api/v1/admin/identity/example").bearer_auth(&admin.token).multipart(upload(admin.revision(&app).await, "1", b"not a picture".to_vec())).send().await.expect("post");
    assert_eq!(response.status(), 422);
    let refused: Value = response.json().await.expect("json");
    assert_eq!(refused["error"]["fields"][0]["field"], "identity.slots[0].example");

    // Exported with the folder, and read back the same.
    let scope = tenant_record(&app, "demo").await.scope();
    let bundle = store::tenants::stored_bundle(app.db(), scope).await.expect("db").expect("stored");
    let dir = tempfile::tempdir().expect("temp");
    let folder = dir.path().join("demo");
    bundle.write_dir(&folder).expect("export");
    assert!(folder.join(&example).is_file());
    let reloaded = store::tenant_dir::load_dir(&folder).expect("reads back");
    assert_eq!(reloaded.digest(), bundle.digest(), "the round trip changes nothing");
}

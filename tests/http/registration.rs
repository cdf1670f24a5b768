//! Registration, identity photos and the profile: HTML and API.

use eservice_tests::auth::Browser;
use eservice_tests::citizens::TestCitizen;
use eservice_tests::html::summary_links;
use eservice_tests::registration::{
    METADATA_MARKER, api_body, card_photo, contains, form_fields, jpeg_size, multipart, oversized_file, photos, png_bomb, png_photo,
    spawn_app_with_own_files, stored_objects, tenant_id, tenant_scope, terms_version, text_file, with,
};
use eservice_tests::{DEMO, NONGBUA, TestApp};
use store::Scope;
use store::citizens::{self, Citizen};
use web::accounts::session;

const PENDING_TH: &str = "กำลังตรวจสอบการยืนยันตัวตน";

fn location(response: &reqwest::Response) -> &str {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The message shown at `field` on a re-shown form (`data-field="…">message</p>`).
fn message_at(page: &str, field: &str) -> Option<String> {
    let marker = format!("data-field=\"{field}\">");
    let start = page.find(&marker)? + marker.len();
    let end = page[start..].find("</p>")? + start;
    Some(page[start..end].trim().to_owned())
}

/// The `value` of the input named `name`.
fn value_of(page: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = page.find(&marker)?;
    let tag_end = page[at..].find('>')? + at;
    let tag = &page[at..tag_end];
    let start = tag.find("value=\"")? + 7;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].to_owned())
}

async fn scope(app: &TestApp, slug: &str) -> Scope {
    tenant_scope(app, slug).await
}

async fn stored(app: &TestApp, slug: &str, national_id: &str) -> Option<Citizen> {
    citizens::find_by_national_id(app.db(), scope(app, slug).await, national_id).await.expect("db")
}

/// Registers `citizen` through the HTML form with the tenant's current terms; the browser is then
/// signed in.
async fn register_html(app: &TestApp, browser: &mut Browser<'_>, citizen: &TestCitizen) -> reqwest::Response {
    let slug = browser.host.split('.').next().unwrap_or_default().to_owned();
    let fields = with(form_fields(citizen), "terms_version", &terms_version(app, &slug).await);
    browser.post_form("/register/form", &pairs(&fields)).await
}

async fn upload_photos(app: &TestApp, browser: &mut Browser<'_>, files: Vec<(&str, &str, Vec<u8>)>) -> reqwest::Response {
    let csrf = browser.csrf().await;
    let request = app.client.post(app.url("/register/identity")).multipart(multipart(Some(&csrf), files));
    browser.send(request).await
}

/// A bearer token for a citizen, as the login API would hand out.
async fn api_token_for(app: &TestApp, slug: &str, citizen: &Citizen) -> String {
    let client = app::Client { ip: "127.0.0.1", user_agent: "test", kind: session::API };
    app::citizens::session::start(&app.state.app, scope(app, slug).await, citizen.id, &client)
        .await
        .expect("session")
        .token
}

// ---- the HTML journey ----

#[tokio::test]
async fn the_whole_journey_ends_on_the_welcome_page_with_stamped_photos() {
    let app = spawn_app_with_own_files().await;
    let home = app.page(DEMO, "/").await;
    assert!(home.contains(r#"href="/register""#) && home.contains("ลงทะเบียน"), "a register link on the home page");

    let mut browser = Browser::new(&app, DEMO);
    let terms = browser.get("/register").await;
    assert_eq!(terms.status(), 200);
    let terms = terms.text().await.expect("body");
    for text in ["ข้าพเจ้ายอมรับเงื่อนไข", "ตกลง", "ข้อกำหนดและเงื่อนไขการใช้บริการ", r#"name="accept_terms""#, "2569.1"] {
        assert!(terms.contains(text), "terms page lacks {text}");
    }

    let form = browser.get("/register/form?accept_terms=1&terms_version=2569.1").await;
    assert_eq!(form.status(), 200);
    let form = form.text().await.expect("body");
    for text in [
        "ลงทะเบียน", "คำนำหน้าชื่อ", "นางสาว", "เลขบัตรประจำตัวประชาชน", "วันเดือนปีเกิด", "หมายเลขโทรศัพท์มือถือ", "อีเมลส่วนตัว",
        "บ้านเลขที่", "หมู่ที่", "ถนน", "จังหวัด", "อำเภอ", "ตำบล", "รหัสไปรษณีย์", "ขอนแก่น", "ยืนยันรหัสผ่าน", "คำแนะนำ", "ถัดไป",
        "CC BY 4.0", "/static/address.js",
    ] {
        assert!(form.contains(text), "form lacks {text}");
    }

    let citizen = TestCitizen::new();
    let registered = register_html(&app, &mut browser, &citizen).await;
    assert_eq!(registered.status(), 303);
    assert_eq!(location(&registered), "/register/identity");
    assert!(browser.cookie("sid").is_some(), "signed in at once");
    let row = stored(&app, "demo", &citizen.national_id).await.expect("citizen stored");
    assert_eq!(row.identity_status, "photos_required");
    assert_eq!(row.terms_version, "2569.1");
    assert_eq!(row.terms_accepted_ip, "127.0.0.1");
    assert!(chrono::Utc::now() - row.terms_accepted_at < chrono::Duration::minutes(1));
    assert_eq!(row.birth_date, citizen.birth_date, "the Buddhist-era year was read");
    assert_eq!(row.phone, "0812345678");
    assert!(row.password_hash.starts_with("$argon2id$"));

    let before_photos = browser.get("/welcome").await;
    assert_eq!(before_photos.status(), 303, "no welcome before the photos");
    assert_eq!(location(&before_photos), "/register/identity");

    let step = browser.get("/register/identity").await.text().await.expect("body");
    assert!(step.contains("ยืนยันตัวตน"));
    assert_eq!(step.matches(r#"type="file""#).count(), 2, "demo asks for two photos");
    assert!(step.contains(r#"accept="image/jpeg,image/png,image/webp""#));
    assert!(!step.contains("capture="), "a phone offers the gallery as well as the camera");
    let front = step.find(r#"<label for="photo-1">ด้านหน้าบัตรประชาชน</label>"#).expect("the first photo is named by the tenant");
    let back = step.find(r#"<label for="photo-2">ด้านหลังบัตรประชาชน</label>"#).expect("and the second");
    assert!(front < back && step.contains("วางบัตรบนพื้นเรียบสีเข้ม"), "each with how to take it");

    let uploads = photos(2);
    let originals: Vec<Vec<u8>> = uploads.iter().map(|(_, _, b)| b.clone()).collect();
    let sent = upload_photos(&app, &mut browser, uploads).await;
    assert_eq!(sent.status(), 303);
    assert_eq!(location(&sent), "/welcome");

    let welcome = browser.get("/welcome").await;
    assert_eq!(welcome.status(), 200);
    let welcome = welcome.text().await.expect("body");
    assert!(welcome.contains("ยินดีต้อนรับ เข้าสู่ระบบบริการประชาชนออนไลน์"));
    assert!(welcome.contains(PENDING_TH));

    let row = stored(&app, "demo", &citizen.national_id).await.expect("citizen");
    assert_eq!(row.identity_status, "pending");
    let photos = citizens::identity_photos(app.db(), scope(&app, "demo").await, row.id).await.expect("db");
    assert_eq!(photos.len(), 2);
    let tenant = tenant_id(&app, "demo").await.to_string();
    let objects = stored_objects(&app);
    assert_eq!(objects.len(), 2, "only the stamped photos were written: {objects:?}");
    for (photo, original) in photos.iter().zip(&originals) {
        assert!(photo.object_key.starts_with(&format!("{tenant}/")), "keys start with the tenant");
        assert!(objects.contains(&photo.object_key));
        assert!(welcome.contains(&format!("/me/identity-photos/{}", photo.id)), "the welcome page shows the photo");
        let full_size = format!(r#"<a href="/me/identity-photos/{}" target="_blank" rel="noopener" data-testid="photo-full">"#, photo.id);
        assert!(welcome.contains(&full_size), "and opens it full size");
        let served = browser.get(&format!("/me/identity-photos/{}", photo.id)).await;
        assert_eq!(served.status(), 200);
        assert_eq!(header(&served, "content-type"), "image/jpeg");
        assert_eq!(header(&served, "cache-control"), "private, no-store");
        assert_eq!(header(&served, "x-content-type-options"), "nosniff");
        let bytes = served.bytes().await.expect("bytes").to_vec();
        assert!(bytes.starts_with(&[0xFF, 0xD8]), "re-encoded as JPEG");
        assert_ne!(&bytes, original);
        assert!(!contains(&bytes, b"Exif"), "no EXIF");
        assert!(!contains(&bytes, METADATA_MARKER.as_bytes()), "no metadata from the upload");
        assert_eq!(jpeg_size(&bytes), Some((photo.width as u32, photo.height as u32)));
        let object = app.state.files.get(&photo.object_key).await.expect("read").expect("object");
        assert_eq!(object.as_ref(), bytes.as_slice(), "the citizen sees what is stored");
    }
}

#[tokio::test]
async fn the_form_is_shown_only_after_accepting_the_current_terms() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let direct = browser.get("/register/form").await;
    assert_eq!(direct.status(), 303);
    assert_eq!(location(&direct), "/register", "the terms come first");
    let unticked = browser.get("/register/form?terms_version=2569.1").await;
    assert_eq!(unticked.status(), 422);
    let page = unticked.text().await.expect("body");
    assert_eq!(message_at(&page, "accept_terms").as_deref(), Some("กรุณาทำเครื่องหมาย “ข้าพเจ้ายอมรับเงื่อนไข” ก่อนดำเนินการต่อ"));

    let stale = browser.get("/register/form?accept_terms=1&terms_version=2568.1").await;
    assert_eq!(stale.status(), 409);
    let page = stale.text().await.expect("body");
    assert!(page.contains("ข้อกำหนดและเงื่อนไขมีการปรับปรุง") && page.contains(r#"value="2569.1""#), "the current terms again");

    let citizen = TestCitizen::new();
    let fields = with(form_fields(&citizen), "terms_version", "2568.1");
    let refused = browser.post_form("/register/form", &pairs(&fields)).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(message_at(&page, "accept_terms").is_some_and(|m| m.contains("ปรับปรุง")), "asked to accept the new terms");
    assert_eq!(value_of(&page, "national_id").as_deref(), Some(citizen.national_id.as_str()), "typed values kept");
    assert!(stored(&app, "demo", &citizen.national_id).await.is_none());

    let fields: Vec<(String, String)> = form_fields(&citizen).into_iter().filter(|(k, _)| k != "accept_terms").collect();
    let refused = browser.post_form("/register/form", &pairs(&fields)).await;
    assert_eq!(refused.status(), 422);
    assert!(stored(&app, "demo", &citizen.national_id).await.is_none(), "terms not accepted: nothing saved");
}

#[tokio::test]
async fn a_refused_form_comes_back_with_every_typed_value_and_a_message_at_each_field() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    let mut wrong_digit = citizen.national_id.clone();
    let last = wrong_digit.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
    wrong_digit.push_str(&((last + 1) % 10).to_string());
    let fields = with(form_fields(&citizen), "national_id", &wrong_digit);
    let fields = with(fields, "first_name", "");
    let fields = with(fields, "password_confirm", "something-else-entirely");
    let fields = with(fields, "phone", "02 123 4567");

    let response = browser.post_form("/register/form", &pairs(&fields)).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("body");
    assert_eq!(
        message_at(&page, "national_id").as_deref(),
        Some("เลขบัตรประจำตัวประชาชนไม่ถูกต้อง (เลขหลักสุดท้ายไม่ตรงกับเลขตรวจสอบ) กรุณาตรวจสอบอีกครั้ง")
    );
    assert_eq!(message_at(&page, "first_name").as_deref(), Some("กรุณากรอกชื่อ"), "the message names the empty field");
    assert_eq!(message_at(&page, "password_confirm").as_deref(), Some("รหัสผ่านทั้งสองช่องไม่ตรงกัน"));
    assert!(message_at(&page, "phone").is_some_and(|m| m.contains("06, 08 หรือ 09")));
    assert!(message_at(&page, "email").is_none(), "no message where nothing is wrong");
    assert_eq!(
        summary_links(&page),
        ["#f-first_name", "#f-national_id", "#f-phone", "#f-password_confirm"],
        "the summary at the top links to each wrong field, in the order of the form"
    );
    assert!(page.contains(r##"<a href="#f-first_name">กรุณากรอกชื่อ</a>"##));
    assert!(page.contains(r#"aria-invalid="true" aria-describedby="e-national_id h-national_id""#));

    assert_eq!(value_of(&page, "national_id").as_deref(), Some(wrong_digit.as_str()));
    assert_eq!(value_of(&page, "last_name").as_deref(), Some(citizen.last_name.as_str()));
    assert_eq!(value_of(&page, "email").as_deref(), Some(citizen.email.as_str()));
    assert_eq!(value_of(&page, "house_no").as_deref(), Some("99/1"));
    assert_eq!(value_of(&page, "postcode").as_deref(), Some("40000"));
    assert_eq!(value_of(&page, "phone").as_deref(), Some("02 123 4567"));
    assert!(page.contains(r#"<option value="นาย" selected>"#), "the title stays chosen");
    assert!(page.contains(r#"<option value="4001" selected>"#), "the district stays chosen");
    assert!(page.contains(r#"<option value="400101" selected>"#), "the sub-district stays chosen");
    assert!(!page.contains(&citizen.password), "passwords are never sent back");
    assert!(!page.contains("something-else-entirely"));

    assert!(stored(&app, "demo", &wrong_digit).await.is_none(), "nothing saved");
    assert!(citizens::find_by_email(app.db(), scope(&app, "demo").await, &citizen.email).await.expect("db").is_none());
    assert!(browser.cookie("sid").is_none(), "not signed in");

    let csrf = browser.csrf().await;
    let request = app
        .client
        .post(app.url("/register/form"))
        .header("Accept-Language", "en")
        .form(&[("csrf_token", csrf.as_str()), ("national_id", wrong_digit.as_str())]);
    let english = browser.send(request).await;
    assert_eq!(english.status(), 422);
    let page = english.text().await.expect("body");
    assert!(message_at(&page, "national_id").is_some_and(|m| m.starts_with("This national ID number is not valid")));
}

#[tokio::test]
async fn the_password_guidance_is_shown_and_enforced() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let form = browser.get("/register/form?accept_terms=1&terms_version=2569.1").await.text().await.expect("body");
    assert!(form.contains("คำแนะนำ") && form.contains("ยาวอย่างน้อย 10 ตัวอักษร"), "guidance beside the field");
    let citizen = TestCitizen::new();
    for (password, expected) in [
        ("short", "รหัสผ่านสั้นเกินไป"),
        ("1234567890", "มีคนใช้กันมาก"),
        (&format!("x{}", citizen.national_id), "เลขบัตรประจำตัวประชาชน"),
        ("born13041990!", "วันเกิด"),
    ] {
        let fields = with(with(form_fields(&citizen), "password", password), "password_confirm", password);
        let response = browser.post_form("/register/form", &pairs(&fields)).await;
        assert_eq!(response.status(), 422, "{password}");
        let page = response.text().await.expect("body");
        assert!(message_at(&page, "password").is_some_and(|m| m.contains(expected)), "{password}: {:?}", message_at(&page, "password"));
    }
    assert!(stored(&app, "demo", &citizen.national_id).await.is_none());
}

#[tokio::test]
async fn national_id_and_email_are_unique_per_tenant_only() {
    let app = spawn_app_with_own_files().await;
    let citizen = TestCitizen::new();
    let mut first = Browser::new(&app, DEMO);
    assert_eq!(register_html(&app, &mut first, &citizen).await.status(), 303);

    let mut again = Browser::new(&app, DEMO);
    let same_id = TestCitizen { email: format!("other.{}", citizen.email), ..citizen.clone() };
    let response = register_html(&app, &mut again, &same_id).await;
    assert_eq!(response.status(), 409);
    let page = response.text().await.expect("body");
    assert!(message_at(&page, "national_id").is_some_and(|m| m.contains("ลงทะเบียนกับหน่วยงานนี้แล้ว")));
    assert_eq!(value_of(&page, "email").as_deref(), Some(same_id.email.as_str()), "values kept");
    assert!(citizens::find_by_email(app.db(), scope(&app, "demo").await, &same_id.email).await.expect("db").is_none());

    let same_email = TestCitizen { national_id: eservice_tests::citizens::national_id(), ..citizen.clone() };
    let upper = TestCitizen { email: citizen.email.to_uppercase(), ..same_email.clone() };
    let response = register_html(&app, &mut again, &upper).await;
    assert_eq!(response.status(), 409, "e-mail compared without case");
    let page = response.text().await.expect("body");
    assert!(message_at(&page, "email").is_some_and(|m| m.contains("อีเมลนี้ลงทะเบียนกับหน่วยงานนี้แล้ว")));
    assert!(stored(&app, "demo", &same_email.national_id).await.is_none());

    let mut elsewhere = Browser::new(&app, NONGBUA);
    let response = register_html(&app, &mut elsewhere, &citizen).await;
    assert_eq!(response.status(), 303, "the same person registers separately with another municipality");
    let demo_row = stored(&app, "demo", &citizen.national_id).await.expect("demo row");
    let nongbua_row = stored(&app, "nongbua", &citizen.national_id).await.expect("nongbua row");
    assert_ne!(demo_row.id, nongbua_row.id);
}

// ---- ID photos ----

#[tokio::test]
async fn exactly_the_tenants_number_of_photos_is_required() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, NONGBUA);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut browser, &citizen).await.status(), 303);
    let step = browser.get("/register/identity").await.text().await.expect("body");
    assert_eq!(step.matches(r#"type="file""#).count(), 3, "nongbua asks for three photos");

    let mut too_few = photos(2);
    too_few.push(("photo", "", Vec::new()));
    let response = upload_photos(&app, &mut browser, too_few).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("body");
    assert!(message_at(&page, "photos").is_some_and(|m| m.contains("ครบตามจำนวน")));
    assert!(message_at(&page, "photos[2]").is_some(), "the empty input is marked");

    let response = upload_photos(&app, &mut browser, photos(4)).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("body");
    assert!(message_at(&page, "photos").is_some_and(|m| m.contains("เกินจำนวน")));

    let row = stored(&app, "nongbua", &citizen.national_id).await.expect("citizen");
    assert_eq!(row.identity_status, "photos_required");
    assert!(citizens::identity_photos(app.db(), scope(&app, "nongbua").await, row.id).await.expect("db").is_empty());
    assert!(stored_objects(&app).is_empty(), "nothing written");

    assert_eq!(upload_photos(&app, &mut browser, photos(3)).await.status(), 303);
    assert_eq!(stored_objects(&app).len(), 3);
}

#[tokio::test]
async fn bad_images_are_refused_at_their_own_slot_and_nothing_is_kept() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut browser, &citizen).await.status(), 303);

    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (text_file(), "card.jpg", "ไม่ใช่รูปภาพ JPEG, PNG หรือ WebP"),
        (png_bomb(60_000, 60_000), "bomb.png", "รูปภาพมีขนาดใหญ่เกินกำหนด"),
        (oversized_file(), "huge.png", "ไฟล์รูปภาพใหญ่เกินกำหนด"),
    ];
    for (bad, name, expected) in cases {
        let files = vec![("photo", "card.png", card_photo(0)), ("photo", name, bad)];
        let response = upload_photos(&app, &mut browser, files).await;
        assert_eq!(response.status(), 422, "{name}");
        let page = response.text().await.expect("body");
        assert!(message_at(&page, "photos[1]").is_some_and(|m| m.contains(expected)), "{name}: {:?}", message_at(&page, "photos[1]"));
        assert!(message_at(&page, "photos[0]").is_none(), "the good photo is not blamed");
    }
    let row = stored(&app, "demo", &citizen.national_id).await.expect("citizen");
    assert_eq!(row.identity_status, "photos_required");
    assert!(citizens::identity_photos(app.db(), scope(&app, "demo").await, row.id).await.expect("db").is_empty());
    assert!(stored_objects(&app).is_empty(), "the good photo of a refused set is not kept either");
}

#[tokio::test]
async fn new_photos_replace_the_old_ones() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut browser, &citizen).await.status(), 303);
    assert_eq!(upload_photos(&app, &mut browser, photos(2)).await.status(), 303);
    let first = stored_objects(&app);
    assert_eq!(upload_photos(&app, &mut browser, photos(2)).await.status(), 303);
    let second = stored_objects(&app);
    assert_eq!(second.len(), 2, "old objects are removed");
    assert!(first.iter().all(|key| !second.contains(key)));
}

#[tokio::test]
async fn photos_are_served_only_to_their_owner() {
    let app = spawn_app_with_own_files().await;
    let mut owner = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut owner, &citizen).await.status(), 303);
    assert_eq!(upload_photos(&app, &mut owner, photos(2)).await.status(), 303);
    let row = stored(&app, "demo", &citizen.national_id).await.expect("citizen");
    let photo = citizens::identity_photos(app.db(), scope(&app, "demo").await, row.id).await.expect("db").remove(0);
    let path = format!("/me/identity-photos/{}", photo.id);

    let mut other = Browser::new(&app, DEMO);
    assert_eq!(register_html(&app, &mut other, &TestCitizen::new()).await.status(), 303);
    assert_eq!(other.get(&path).await.status(), 404, "another citizen's photo does not exist for them");
    assert_eq!(other.get("/me/identity-photos/not-a-uuid").await.status(), 404);

    let anonymous = app.get(DEMO, &path).send().await.expect("get");
    assert_eq!(anonymous.status(), 303);
    assert!(location(&anonymous).starts_with("/login"));

    let token = api_token_for(&app, "demo", &row).await;
    let cross_tenant = app.get(NONGBUA, &path).bearer_auth(&token).send().await.expect("get");
    assert_ne!(cross_tenant.status(), 200, "a demo session means nothing on nongbua");
}

// ---- address choices ----

#[tokio::test]
async fn address_choices_are_linked_with_and_without_javascript() {
    let app = spawn_app_with_own_files().await;
    let districts: serde_json::Value =
        app.get(DEMO, "/address/districts?province=40").send().await.expect("get").json().await.expect("json");
    assert!(districts.as_array().is_some_and(|d| d.iter().any(|d| d["code"] == 4001 && d["name_th"] == "เมืองขอนแก่น")));
    let subs: serde_json::Value =
        app.get(DEMO, "/address/sub-districts?district=4001").send().await.expect("get").json().await.expect("json");
    let first = subs.as_array().and_then(|s| s.iter().find(|s| s["code"] == 400101)).expect("ในเมือง");
    assert_eq!(first["postcodes"][0], "40000");
    let none: serde_json::Value = app.get(DEMO, "/address/districts?province=x").send().await.expect("get").json().await.expect("json");
    assert_eq!(none, serde_json::json!([]));

    let mut browser = Browser::new(&app, DEMO);
    let response = browser
        .post_form("/register/form", &[("step", "address"), ("province", "40"), ("district", "4001"), ("sub_district", "400101"), ("first_name", "สมหญิง")])
        .await;
    assert_eq!(response.status(), 200, "refreshing the lists is not an error");
    let page = response.text().await.expect("body");
    assert!(page.contains(r#"<option value="4001" selected>"#));
    assert!(page.contains("ในเมือง"));
    assert_eq!(value_of(&page, "postcode").as_deref(), Some("40000"), "the postcode is suggested");
    assert_eq!(value_of(&page, "first_name").as_deref(), Some("สมหญิง"));
    assert!(message_at(&page, "first_name").is_none() && message_at(&page, "email").is_none(), "no errors yet");

    let citizen = TestCitizen::new();
    let fields = with(form_fields(&citizen), "district", "5001");
    let response = browser.post_form("/register/form", &pairs(&fields)).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.expect("body");
    assert!(message_at(&page, "district").is_some_and(|m| m.contains("จังหวัดที่เลือก")), "checked on the server too");
}

// ---- rate limit ----

#[tokio::test]
async fn registrations_are_rate_limited_per_tenant_and_ip() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let mut last = None;
    for _ in 0..12 {
        let response = browser.post_form("/register/form", &[("national_id", "123")]).await;
        last = Some(response.status());
        if response.status() == 429 {
            assert!(header(&response, "retry-after").parse::<u64>().is_ok_and(|s| s > 0));
            let page = response.text().await.expect("body");
            assert!(page.contains("มีการลองหลายครั้งเกินไป"), "a translated message");
            assert_eq!(value_of(&page, "national_id").as_deref(), Some("123"), "values kept");
            break;
        }
        assert_eq!(response.status(), 422);
    }
    assert_eq!(last, Some(reqwest::StatusCode::TOO_MANY_REQUESTS));
    let api = app.post(DEMO, "/api/v1/citizens").json(&api_body(&TestCitizen::new())).send().await.expect("post");
    assert_eq!(api.status(), 429, "the API shares the limit");
    let body: serde_json::Value = api.json().await.expect("json");
    assert_eq!(body["error"]["code"], "too_many_requests");

    let mut elsewhere = Browser::new(&app, NONGBUA);
    assert_eq!(register_html(&app, &mut elsewhere, &TestCitizen::new()).await.status(), 303, "another tenant counts separately");
}

// ---- profile picture ----

#[tokio::test]
async fn the_profile_picture_is_optional_and_cropped_square() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut browser, &citizen).await.status(), 303);
    assert_eq!(upload_photos(&app, &mut browser, photos(2)).await.status(), 303);
    let profile = browser.get("/profile").await.text().await.expect("body");
    assert!(profile.contains("รูปโปรไฟล์") && profile.contains("ยังไม่มีรูปโปรไฟล์"));
    assert!(profile.contains(&citizen.first_name) && profile.contains(PENDING_TH));
    assert!(profile.contains("99/1 หมู่ 4 ถ.มิตรภาพ ต.ในเมือง อ.เมืองขอนแก่น จ.ขอนแก่น 40000"), "the address as Thai people write it");
    assert_eq!(browser.get("/me/avatar").await.status(), 404);

    let csrf = browser.csrf().await;
    let request = app.client.post(app.url("/profile")).multipart(multipart(Some(&csrf), vec![("avatar", "me.png", text_file())]));
    let refused = browser.send(request).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.expect("body");
    assert!(message_at(&page, "avatar").is_some_and(|m| m.contains("ไม่ใช่รูปภาพ")));

    let request =
        app.client.post(app.url("/profile")).multipart(multipart(Some(&csrf), vec![("avatar", "me.png", png_photo(300, 200))]));
    let saved = browser.send(request).await;
    assert_eq!(saved.status(), 303);
    assert_eq!(location(&saved), "/profile?saved=1");
    let avatar = browser.get("/me/avatar").await;
    assert_eq!(avatar.status(), 200);
    assert_eq!(header(&avatar, "cache-control"), "private, no-store");
    let bytes = avatar.bytes().await.expect("bytes");
    assert_eq!(jpeg_size(&bytes), Some((512, 512)), "cropped square");
    let welcome = browser.get("/welcome").await.text().await.expect("body");
    assert!(welcome.contains(r#"src="/me/avatar""#), "shown on the welcome page");

    let request = app.client.post(app.url("/profile")).multipart(multipart(None, vec![("avatar", "me.png", png_photo(64, 64))]));
    assert_eq!(browser.send(request).await.status(), 403, "the CSRF token comes first");
    assert_eq!(stored_objects(&app).len(), 3, "two ID photos and one avatar");
}

// ---- JSON API ----

#[tokio::test]
async fn the_api_registers_a_citizen_and_takes_their_photos() {
    let app = spawn_app_with_own_files().await;
    let citizen = TestCitizen::new();
    let created = app.post(DEMO, "/api/v1/citizens").json(&api_body(&citizen)).send().await.expect("post");
    assert_eq!(created.status(), 201);
    let body: serde_json::Value = created.json().await.expect("json");
    assert_eq!(body["national_id"], citizen.national_id.as_str());
    assert_eq!(body["identity_status"], "photos_required");
    assert_eq!(body["identity_photos_required"], 2);
    assert_eq!(body["address"]["province"]["name_th"], "ขอนแก่น");
    assert!(body.get("password_hash").is_none() && !body.to_string().contains("argon2"));

    let row = stored(&app, "demo", &citizen.national_id).await.expect("stored");
    let token = api_token_for(&app, "demo", &row).await;
    let me: serde_json::Value =
        app.get(DEMO, "/api/v1/me").bearer_auth(&token).send().await.expect("me").json().await.expect("json");
    assert_eq!(me["id"], row.id.to_string());
    assert_eq!(me["identity_status"], "photos_required");

    let post_photos = |files| app.post(DEMO, "/api/v1/me/identity-photos").bearer_auth(&token).multipart(multipart(None, files));
    let few = post_photos(photos(1)).send().await.expect("post");
    assert_eq!(few.status(), 422);
    let body: serde_json::Value = few.json().await.expect("json");
    assert_eq!(body["error"]["fields"][0]["field"], "photos");
    assert_eq!(body["error"]["fields"][0]["code"], "photos_too_few");

    let many = post_photos(photos(3)).send().await.expect("post");
    assert_eq!(many.status(), 422);
    let body: serde_json::Value = many.json().await.expect("json");
    assert_eq!(body["error"]["fields"][0]["code"], "photos_too_many");

    for (bad, code) in [(text_file(), "unsupported_type"), (png_bomb(60_000, 60_000), "too_many_pixels"), (oversized_file(), "too_large")] {
        let response = post_photos(vec![("photo", "a.png", card_photo(0)), ("photo", "b.jpg", bad)]).send().await.expect("post");
        assert_eq!(response.status(), 422, "{code}");
        let body: serde_json::Value = response.json().await.expect("json");
        let fields = body["error"]["fields"].as_array().cloned().unwrap_or_default();
        assert_eq!(fields.len(), 1, "{body}");
        assert_eq!(fields[0]["field"], "photos[1]");
        assert_eq!(fields[0]["code"], code);
        assert!(fields[0]["message"].as_str().is_some_and(|m| !m.is_empty() && !m.starts_with("field_error")));
    }
    assert!(stored_objects(&app).is_empty());

    let done = post_photos(photos(2)).send().await.expect("post");
    assert_eq!(done.status(), 200);
    let body: serde_json::Value = done.json().await.expect("json");
    assert_eq!(body["identity_status"], "pending");
    assert_eq!(body["identity_photos"].as_array().map(Vec::len), Some(2));
    let url = body["identity_photos"][0]["url"].as_str().expect("url").to_owned();
    let photo = app.get(DEMO, &url).bearer_auth(&token).send().await.expect("photo");
    assert_eq!(photo.status(), 200);
    assert_eq!(header(&photo, "content-type"), "image/jpeg");

    let no_token = app.post(DEMO, "/api/v1/me/identity-photos").multipart(multipart(None, photos(2))).send().await.expect("post");
    assert_eq!(no_token.status(), 401);
}

#[tokio::test]
async fn the_api_answers_422_with_every_field_and_409_on_duplicates() {
    let app = spawn_app_with_own_files().await;
    let citizen = TestCitizen::new();
    let mut bad = api_body(&citizen);
    bad["national_id"] = serde_json::json!("1103702071562");
    bad["password_confirm"] = serde_json::json!("not the same");
    bad["accept_terms"] = serde_json::json!(false);
    bad.as_object_mut().expect("object").remove("last_name");
    let response = app.post(DEMO, "/api/v1/citizens").header("Accept-Language", "en").json(&bad).send().await.expect("post");
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "validation");
    let fields: Vec<(String, String)> = body["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| (f["field"].as_str().unwrap_or_default().to_owned(), f["code"].as_str().unwrap_or_default().to_owned()))
        .collect();
    let expected = [("last_name", "required"), ("national_id", "checksum"), ("password_confirm", "password_mismatch"), ("accept_terms", "terms_not_accepted")];
    for (field, code) in expected {
        assert!(fields.contains(&(field.to_owned(), code.to_owned())), "{field}/{code} in {fields:?}");
    }
    assert_eq!(fields.len(), expected.len());
    assert!(body["error"]["fields"][0]["message"].as_str().is_some_and(|m| m.starts_with("Please")), "translated");
    assert!(stored(&app, "demo", &citizen.national_id).await.is_none());

    let stale = app.post(DEMO, "/api/v1/citizens").json(&{
        let mut b = api_body(&citizen);
        b["terms_version"] = serde_json::json!("2568.1");
        b
    });
    let body: serde_json::Value = stale.send().await.expect("post").json().await.expect("json");
    assert_eq!(body["error"]["fields"][0]["code"], "terms_outdated");

    let malformed = app.post(DEMO, "/api/v1/citizens").header("content-type", "application/json").body("{").send().await.expect("post");
    assert_eq!(malformed.status(), 400);
    assert!(malformed.json::<serde_json::Value>().await.is_ok_and(|b| b["error"]["code"] == "bad_request"));

    assert_eq!(app.post(DEMO, "/api/v1/citizens").json(&api_body(&citizen)).send().await.expect("post").status(), 201);
    let twice = app.post(DEMO, "/api/v1/citizens").json(&api_body(&citizen)).send().await.expect("post");
    assert_eq!(twice.status(), 409);
    let body: serde_json::Value = twice.json().await.expect("json");
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(body["error"]["fields"][0]["field"], "national_id", "every taken value is named");
    assert_eq!(body["error"]["fields"][0]["code"], "national_id_taken");
    assert_eq!(body["error"]["fields"][1]["field"], "email");
    assert_eq!(body["error"]["fields"][1]["code"], "email_taken");

    let same_email = TestCitizen { national_id: eservice_tests::citizens::national_id(), ..citizen.clone() };
    let response = app.post(DEMO, "/api/v1/citizens").json(&api_body(&same_email)).send().await.expect("post");
    assert_eq!(response.status(), 409);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["error"]["fields"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["error"]["fields"][0]["field"], "email");
    assert_eq!(body["error"]["fields"][0]["code"], "email_taken");

    let mut body = api_body(&citizen);
    body.as_object_mut().expect("object").remove("terms_version");
    let elsewhere = app.post(NONGBUA, "/api/v1/citizens").json(&body).send().await.expect("post");
    assert_eq!(elsewhere.status(), 201, "the same person in another municipality");
}

#[tokio::test]
async fn a_token_of_one_tenant_means_nothing_on_another() {
    let app = spawn_app_with_own_files().await;
    let citizen = TestCitizen::new();
    let row = citizen.insert(&app, "demo").await;
    let token = api_token_for(&app, "demo", &row).await;
    assert_eq!(app.get(DEMO, "/api/v1/me").bearer_auth(&token).send().await.expect("me").status(), 200);
    let elsewhere = app.get(NONGBUA, "/api/v1/me").bearer_auth(&token).send().await.expect("me");
    assert_eq!(elsewhere.status(), 401);
    let body: serde_json::Value = elsewhere.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(!body.to_string().contains(&citizen.national_id));
    let photos = app
        .post(NONGBUA, "/api/v1/me/identity-photos")
        .bearer_auth(&token)
        .multipart(multipart(None, photos(3)))
        .send()
        .await
        .expect("post");
    assert_eq!(photos.status(), 401);
    assert!(stored_objects(&app).is_empty());
}

#[tokio::test]
async fn a_cookie_session_needs_the_csrf_header_on_the_photo_api() {
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    assert_eq!(register_html(&app, &mut browser, &TestCitizen::new()).await.status(), 303);
    let request = app.client.post(app.url("/api/v1/me/identity-photos")).multipart(multipart(None, photos(2)));
    assert_eq!(browser.send(request).await.status(), 403);
    let csrf = browser.csrf().await;
    let request = app.client.post(app.url("/api/v1/me/identity-photos")).header("X-CSRF-Token", csrf).multipart(multipart(None, photos(2)));
    assert_eq!(browser.send(request).await.status(), 200);
}

#[tokio::test]
async fn the_sweep_removes_stored_files_no_row_needs_and_keeps_every_photo_in_use() {
    use std::time::Duration;
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut browser, &citizen).await.status(), 303);
    assert_eq!(upload_photos(&app, &mut browser, photos(2)).await.status(), 303);
    let in_use = stored_objects(&app);
    assert_eq!(in_use.len(), 2);

    // What a process killed mid-upload leaves (an object without its row, half a write), and a
    // file kept for a refused form that the citizen never came back to.
    let tenant = tenant_id(&app, "demo").await;
    let orphan = format!("{tenant}/requests/2026/{}", uuid::Uuid::new_v4());
    let staged = format!("{tenant}/staging/{}/{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for key in [&orphan, &staged] {
        app.state.files.put(key, b"left behind".to_vec().into(), "image/png").await.expect("put");
    }
    let web::config::Storage::Local { dir } = &app.state.config.storage else { panic!("local store") };
    let half_written = dir.join(tenant.to_string()).join("requests/2026").join(format!(".{}.tmp", uuid::Uuid::new_v4()));
    std::fs::write(&half_written, b"half").expect("temporary");

    let young = app::stored_files::sweep(app.db(), &app.state.files, Duration::from_secs(3600)).await.expect("sweep");
    assert_eq!(young.removed(), 0, "nothing younger than the grace period is touched: {young:?}");
    assert_eq!(stored_objects(&app).len(), 4);

    let swept = app::stored_files::sweep(app.db(), &app.state.files, Duration::ZERO).await.expect("sweep");
    assert_eq!((swept.orphans, swept.staged, swept.temporaries, swept.failed), (1, 1, 1, 0), "{swept:?}");
    assert_eq!(stored_objects(&app), in_use, "every ID photo a row names is kept");
    assert!(!half_written.exists());
    let welcome = browser.get("/welcome").await.text().await.expect("welcome");
    let photo = welcome.split("src=\"").filter_map(|s| s.split('"').next()).find(|src| src.contains("photo")).expect("a photo");
    assert_eq!(browser.get(photo).await.status(), 200, "the kept photos are still served");
}

#[tokio::test]
async fn photos_written_before_a_failed_database_write_are_removed() {
    use sea_orm::ConnectionTrait as _;
    let app = spawn_app_with_own_files().await;
    let mut browser = Browser::new(&app, DEMO);
    let citizen = TestCitizen::new();
    assert_eq!(register_html(&app, &mut browser, &citizen).await.status(), 303);
    // Every photo is stamped and written to storage; then the database refuses the rows.
    app.db().execute_unprepared("DROP TABLE identity_photos").await.expect("drop table");
    let response = upload_photos(&app, &mut browser, photos(2)).await;
    assert_eq!(response.status(), 500);
    assert!(stored_objects(&app).is_empty(), "the written photos were deleted again");
    let row = stored(&app, "demo", &citizen.national_id).await.expect("citizen");
    assert_eq!(row.identity_status, "photos_required", "the status did not move either");
}

#[tokio::test]
async fn concurrent_photo_uploads_and_forgotten_passwords_never_answer_500() {
    let app = spawn_app_with_own_files().await;
    let scope = scope(&app, "demo").await;
    let mut people = Vec::new();
    for _ in 0..12 {
        let citizen = TestCitizen::new();
        let stored = citizen.insert(&app, "demo").await;
        let token = api_token_for(&app, "demo", &stored).await;
        people.push((citizen, token));
    }
    let uploads = people.iter().map(|(_, token)| {
        app.post(DEMO, "/api/v1/me/identity-photos").bearer_auth(token).multipart(multipart(None, photos(2))).send()
    });
    let forgets = people.iter().map(|(citizen, _)| {
        app.post(DEMO, "/api/v1/password/forgot").json(&serde_json::json!({ "email": citizen.email })).send()
    });
    let (uploaded, forgot) = tokio::join!(futures::future::join_all(uploads), futures::future::join_all(forgets));
    let statuses: Vec<u16> = uploaded.iter().chain(forgot.iter()).map(|r| r.as_ref().expect("answer").status().as_u16()).collect();
    assert!(statuses.iter().all(|s| *s < 500), "no 500 under concurrent writes: {statuses:?}");
    for (citizen, _) in &people {
        let row = citizens::find_by_national_id(app.db(), scope, &citizen.national_id).await.expect("db").expect("citizen");
        assert_eq!(row.identity_status, "pending", "every upload was kept");
    }
}

#[tokio::test]
async fn a_name_with_a_right_to_left_override_is_refused_at_its_field() {
    let app = spawn_app_with_own_files().await;
    let citizen = TestCitizen::new();
    let mut body = api_body(&citizen);
    body["first_name"] = serde_json::json!("สมชาย\u{202E}ทดสอบ");
    let response = app.post(DEMO, "/api/v1/citizens").json(&body).send().await.expect("post");
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.expect("json");
    let issue = body["error"]["fields"].as_array().expect("fields").iter().find(|f| f["field"] == "first_name").cloned().expect("first_name");
    assert_eq!(issue["code"], "invalid_character");
    assert!(stored(&app, "demo", &citizen.national_id).await.is_none(), "nothing saved");
}

#[tokio::test]
async fn nongbua_names_its_three_photos_and_english_pages_use_the_english_names() {
    let app = eservice_tests::spawn_app().await;
    let citizen = TestCitizen::new();
    citizen.insert(&app, "nongbua").await;
    let mut browser = Browser::new(&app, NONGBUA);
    browser.login_as(&citizen).await;
    let step = browser.get("/register/identity").await.text().await.expect("body");
    assert_eq!(step.matches(r#"type="file""#).count(), 3);
    assert!(step.contains(r#"<label for="photo-3">ภาพถ่ายตนเองคู่กับบัตรประชาชน</label>"#), "the selfie with the card");
    browser.cookies.insert("lang".into(), "en".into());
    let step = browser.get("/register/identity").await.text().await.expect("body");
    assert!(step.contains(r#"<label for="photo-3">You holding your ID card</label>"#));
    assert!(step.contains(r#"aria-describedby="h-photo-3""#), "the input is described by how to take it");
}

//! In English every string of the product is English: the pages a citizen walks through, refused
//! forms included, show no Thai script outside the tenant's own Thai text (marked `lang="th"`)
//! and what the citizen typed.

use eservice_tests::auth::Browser;
use eservice_tests::citizens::TestCitizen;
use eservice_tests::html::thai_outside_marked;
use eservice_tests::registration::{multipart, photos, spawn_app_with_own_files};
use eservice_tests::requests::insert_request;
use eservice_tests::{DEMO, NONGBUA, TestApp};

/// What the fixtures type in Thai as the citizen: their name and address, the seeded answers.
const OWN: &[&str] = &["นายสมชาย ใจดี", "สมชาย", "ใจดี", "หมู่ 4", "มิตรภาพ", "คำตอบ", "สำเนาทะเบียนบ้าน.pdf"];

async fn english_page(browser: &mut Browser<'_>, path: &str) -> String {
    let response = browser.get(path).await;
    assert!(response.status().is_success(), "GET {path}: {}", response.status());
    response.text().await.expect("body")
}

fn assert_english(page: &str, what: &str) {
    let thai = thai_outside_marked(page, OWN);
    assert!(thai.is_empty(), "Thai on the English {what}:\n{}", thai.join("\n"));
}

async fn walk(app: &TestApp, host: &str, slug: &str, photo_count: usize) {
    let citizen = TestCitizen::new();
    let stored = citizen.insert(app, slug).await;
    let seeded = insert_request(app, slug, stored.id, 5).await;
    let mut browser = Browser::new(app, host);
    browser.cookies.insert("lang".into(), "en".into());
    for path in ["/", "/terms", "/register", "/login", "/password/forgot", "/services"] {
        assert_english(&english_page(&mut browser, path).await, &format!("{slug} {path}"));
    }
    let refused = browser.post_form("/login", &[("username", "12"), ("password", "")]).await.text().await.expect("body");
    assert_english(&refused, &format!("{slug} refused login"));
    let refused = browser.post_form("/register/form", &[("accept_terms", "1")]).await.text().await.expect("body");
    assert!(refused.contains("error-summary"), "the empty registration form is refused");
    assert_english(&refused, &format!("{slug} refused registration form"));

    browser.login_as(&citizen).await;
    let catalogue = english_page(&mut browser, "/services").await;
    let items: Vec<String> = catalogue
        .split(r#"<a href="/services/"#)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect();
    assert!(items.len() >= 5, "{slug} lists its services");
    for item in &items {
        let path = format!("/services/{item}");
        assert_english(&english_page(&mut browser, &path).await, &format!("{slug} form {item}"));
        let csrf = browser.csrf().await;
        let empty = reqwest::multipart::Form::new().text("csrf_token", csrf).text("idempotency_key", "x").text("form_version", "1");
        let refused = browser.send(browser.post(&path).multipart(empty)).await.text().await.expect("body");
        assert_english(&refused, &format!("{slug} refused form {item}"));
    }
    assert_english(&english_page(&mut browser, "/register/identity").await, &format!("{slug} identity step"));
    let csrf = browser.csrf().await;
    let sent = browser.send(browser.post("/register/identity").multipart(multipart(Some(&csrf), photos(photo_count)))).await;
    assert_eq!(sent.status(), 303, "{slug}: the ID photos are taken");
    let request = format!("/requests/{}", seeded.request.reference);
    for path in ["/welcome", "/profile", "/register/identity", "/requests", "/documents", request.as_str()] {
        assert_english(&english_page(&mut browser, path).await, &format!("{slug} {path}"));
    }
}

#[tokio::test]
async fn english_pages_of_both_tenants_show_no_thai_outside_tenant_and_citizen_text() {
    let app = spawn_app_with_own_files().await;
    walk(&app, DEMO, "demo", 2).await;
    walk(&app, NONGBUA, "nongbua", 3).await;
}

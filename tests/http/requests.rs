//! Tracking requests, documents and their verification: HTML and API, each citizen seeing only
//! their own, each tenant only its own.

use chrono::{Duration, Utc};
use domain::request::Status;
use eservice_tests::auth::{Browser, api_token, delivered_mail};
use eservice_tests::citizens::TestCitizen;
use eservice_tests::requests::{EVIDENCE, insert_request, issue, move_to, try_move};
use eservice_tests::{DEMO, NONGBUA, TestApp, spawn_app};
use sea_orm::EntityTrait;
use store::entities::request_event;

async fn citizen_of(app: &TestApp, slug: &str) -> (TestCitizen, store::citizens::Citizen) {
    let citizen = TestCitizen::new();
    let stored = citizen.insert(app, slug).await;
    (citizen, stored)
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

async fn api_get(app: &TestApp, host: &str, token: &str, path: &str) -> reqwest::Response {
    app.get(host, path).bearer_auth(token).send().await.expect("request")
}

#[tokio::test]
async fn my_requests_are_paginated_newest_first() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "demo").await;
    let mut refs = Vec::new();
    for i in 0..25 {
        refs.push(insert_request(&app, "demo", me.id, 100 - i).await.request.reference);
    }
    let newest = refs.last().expect("25 requests").clone();
    let oldest = refs.first().expect("25 requests").clone();
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;

    let first = browser.get("/requests").await;
    assert_eq!(first.status(), 200);
    let first = first.text().await.expect("body");
    assert_eq!(count(&first, "class=\"request-row\""), 20);
    assert!(first.contains(&newest) && !first.contains(&oldest), "newest first");
    assert!(first.contains("หน้า 1 จาก 2"));
    assert!(first.contains("ทั้งหมด 25 รายการ"));
    let second = browser.get("/requests?page=2").await.text().await.expect("body");
    assert_eq!(count(&second, "class=\"request-row\""), 5);
    assert!(second.contains(&oldest));

    let token = api_token(&app, DEMO, &citizen).await;
    let body: serde_json::Value = api_get(&app, DEMO, &token, "/api/v1/requests?page=2").await.json().await.expect("json");
    assert_eq!(body["total"], 25);
    assert_eq!(body["page"], 2);
    assert_eq!(body["items"].as_array().expect("items").len(), 5);
    // Past the last page: no rows, and still the true total.
    let body: serde_json::Value = api_get(&app, DEMO, &token, "/api/v1/requests?page=9").await.json().await.expect("json");
    assert_eq!((body["total"].as_u64(), body["items"].as_array().map(Vec::len)), (Some(25), Some(0)));
    let body: serde_json::Value = api_get(&app, DEMO, &token, "/api/v1/requests").await.json().await.expect("json");
    assert_eq!(body["items"].as_array().expect("items").len(), 20);
    assert_eq!(body["items"][0]["reference"], newest.as_str());
    assert_eq!(body["items"][0]["status"]["code"], "submitted");
}

#[tokio::test]
async fn a_wrong_query_or_path_parameter_gets_the_apis_json_error() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "demo").await;
    let seeded = insert_request(&app, "demo", me.id, 5).await;
    let token = api_token(&app, DEMO, &citizen).await;

    let wrong_type = api_get(&app, DEMO, &token, "/api/v1/requests?per_page=null").await;
    assert_eq!(wrong_type.status(), 422);
    let body: serde_json::Value = wrong_type.json().await.expect("a JSON error, not plain text");
    assert_eq!(body["error"]["code"], "validation");
    assert_eq!(body["error"]["fields"][0]["field"], "per_page");
    assert!(body["error"]["fields"][0]["message"].as_str().is_some_and(|m| m.contains("พารามิเตอร์")), "{body}");

    let path = format!("/api/v1/requests/{}/documents/not-a-uuid", seeded.request.reference);
    let not_an_id = api_get(&app, DEMO, &token, &path).await;
    assert_eq!(not_an_id.status(), 404);
    let body: serde_json::Value = not_an_id.json().await.expect("a JSON error, not plain text");
    assert_eq!(body["error"]["code"], "not_found");

    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let page = browser.get("/requests?page=abc").await;
    assert_eq!(page.status(), 422);
    let content_type = page.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(content_type.starts_with("text/html"), "a branded page: {content_type}");
}

#[tokio::test]
async fn the_four_statuses_and_a_rejection_with_its_reason_are_shown() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "demo").await;
    let submitted = insert_request(&app, "demo", me.id, 50).await.request;
    let received = insert_request(&app, "demo", me.id, 40).await.request;
    move_to(&app, "demo", &received.reference, Status::Received, None).await;
    let in_progress = insert_request(&app, "demo", me.id, 30).await.request;
    move_to(&app, "demo", &in_progress.reference, Status::Received, None).await;
    move_to(&app, "demo", &in_progress.reference, Status::InProgress, None).await;
    let completed = insert_request(&app, "demo", me.id, 20).await.request;
    for to in [Status::Received, Status::InProgress, Status::Completed] {
        move_to(&app, "demo", &completed.reference, to, None).await;
    }
    let rejected = insert_request(&app, "demo", me.id, 10).await.request;
    move_to(&app, "demo", &rejected.reference, Status::Rejected, Some("เอกสารไม่ครบ ขาดสำเนาทะเบียนบ้าน")).await;

    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let html = browser.get("/requests").await.text().await.expect("body");
    for label in ["ส่งคำร้อง", "เจ้าหน้าที่รับเรื่อง", "กำลังดำเนินการ", "ดำเนินการสำเร็จ", "ไม่อนุมัติ/ปฏิเสธ"] {
        assert!(html.contains(&format!(">{label}</span>")), "{label} is shown");
    }
    assert!(html.contains("เอกสารไม่ครบ ขาดสำเนาทะเบียนบ้าน"));
    let _ = submitted;

    // A wrong move is refused and changes nothing.
    use app::backoffice::requests::ProcessError;
    use domain::request::TransitionError;
    let refused = try_move(&app, "demo", &completed.reference, Status::InProgress, None).await;
    assert!(matches!(refused, Err(ProcessError::Transition(TransitionError::NotAllowed { .. }))), "{refused:?}");
    let refused = try_move(&app, "demo", &submitted.reference, Status::Rejected, Some("  ")).await;
    assert!(matches!(refused, Err(ProcessError::Transition(TransitionError::ReasonRequired))), "{refused:?}");
    let events = request_event::Entity::find().all(app.db()).await.expect("db");
    assert_eq!(events.iter().filter(|e| e.request_id == submitted.id).count(), 1);
    assert_eq!(events.iter().filter(|e| e.request_id == completed.id).count(), 4);
}

#[tokio::test]
async fn a_request_page_shows_answers_files_timeline_with_notes_and_documents() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "demo").await;
    let seeded = insert_request(&app, "demo", me.id, 5).await;
    let reference = seeded.request.reference.clone();
    move_to(&app, "demo", &reference, Status::Received, Some("รับเรื่องแล้ว จะตรวจสถานที่วันพรุ่งนี้")).await;
    let doc = issue(&app, "demo", &seeded.request, "licence", None).await;

    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;
    let html = browser.get(&format!("/requests/{reference}")).await.text().await.expect("body");
    assert!(html.contains("รับเรื่องแล้ว จะตรวจสถานที่วันพรุ่งนี้"), "staff note on the timeline");
    assert_eq!(count(&html, "class=\"timeline-step"), 4, "two steps taken, two still ahead");
    assert_eq!(count(&html, "<time class=\"muted small\" datetime=\""), 2, "each step taken has its date and time");
    assert_eq!(count(&html, "ยังไม่ถึงขั้นตอนนี้"), 2, "กำลังดำเนินการ and ดำเนินการสำเร็จ are still ahead");
    assert!(html.contains(" น.</time>"), "the time of day in Thai");
    assert!(html.contains("2569") && !html.contains(" 2026 "), "Buddhist year in Thai");
    assert!(html.contains(&format!("/requests/{reference}/files/{}", seeded.file.id)));
    assert!(html.contains("สำเนาทะเบียนบ้าน.pdf"));
    assert!(html.contains("คลิก เปิดดูหรือดาวน์โหลด"));
    assert!(html.contains(">ที่นี่</a>"));
    assert!(html.contains(&format!("/requests/{reference}/documents/{}", doc.id)));
    assert!(html.contains(&doc.verification_code));
    let data: serde_json::Value = serde_json::from_str(&seeded.request.data).expect("json");
    let (_, answer) = data.as_object().and_then(|m| m.iter().next()).expect("the fixture answers a text field");
    assert!(html.contains(answer.as_str().unwrap_or_default()), "answers shown with their form version");

    let qr = browser.get(&format!("/requests/{reference}/documents/{}/qr.svg", doc.id)).await;
    assert_eq!(qr.status(), 200);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.expect("svg").contains("<svg"));

    let docs = browser.get("/documents").await.text().await.expect("body");
    assert!(docs.contains(&doc.verification_code));
    assert!(docs.contains("ใบอนุญาต"));

    let token = api_token(&app, DEMO, &citizen).await;
    let body: serde_json::Value = api_get(&app, DEMO, &token, &format!("/api/v1/requests/{reference}")).await.json().await.expect("json");
    assert_eq!(body["status"]["code"], "received");
    assert_eq!(body["timeline"].as_array().expect("timeline").len(), 2);
    assert_eq!(body["timeline"][1]["note"], "รับเรื่องแล้ว จะตรวจสถานที่วันพรุ่งนี้");
    assert_eq!(body["files"][0]["filename"], "สำเนาทะเบียนบ้าน.pdf");
    assert_eq!(body["documents"][0]["verification_code"], doc.verification_code.as_str());
    assert_eq!(body["documents"][0]["state"], "valid");
    let download = api_get(&app, DEMO, &token, &format!("/api/v1/requests/{reference}/documents/{}", doc.id)).await;
    assert_eq!(download.status(), 200);
    assert!(download.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment;"));
    assert_eq!(download.bytes().await.expect("bytes").as_ref(), EVIDENCE);
}

#[tokio::test]
async fn completing_a_request_queues_the_citizens_email_at_once() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "demo").await;
    let reference = insert_request(&app, "demo", me.id, 5).await.request.reference;
    move_to(&app, "demo", &reference, Status::Received, None).await;
    move_to(&app, "demo", &reference, Status::InProgress, None).await;
    assert!(delivered_mail(&app).await.iter().all(|m| !m.subject.contains(&reference)), "no mail for the other changes");
    move_to(&app, "demo", &reference, Status::Completed, Some("ออกใบอนุญาตแล้ว")).await;
    let mail = delivered_mail(&app).await;
    let sent = mail.iter().find(|m| m.subject.contains(&reference)).expect("a completion e-mail");
    assert_eq!(sent.to, citizen.email);
    assert!(sent.subject.contains("ดำเนินการสำเร็จ"));
    let text = sent.text.clone().unwrap_or_default();
    assert!(text.contains(&format!("/requests/{reference}")));
}

#[tokio::test]
async fn a_tenant_can_choose_to_notify_on_every_change() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "nongbua").await;
    let reference = insert_request(&app, "nongbua", me.id, 5).await.request.reference;
    move_to(&app, "nongbua", &reference, Status::Received, None).await;
    let mail = delivered_mail(&app).await;
    let sent = mail.iter().find(|m| m.subject.contains(&reference)).expect("nongbua tells of receipt too");
    assert_eq!(sent.to, citizen.email);
    assert!(sent.subject.contains("เจ้าหน้าที่รับเรื่อง"), "{}", sent.subject);
}

#[tokio::test]
async fn downloads_are_private_with_safe_headers() {
    let app = spawn_app().await;
    let (citizen, me) = citizen_of(&app, "demo").await;
    let seeded = insert_request(&app, "demo", me.id, 5).await;
    let doc = issue(&app, "demo", &seeded.request, "receipt", None).await;
    let reference = &seeded.request.reference;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&citizen).await;

    let inline = browser.get(&format!("/requests/{reference}/files/{}", seeded.file.id)).await;
    assert_eq!(inline.status(), 200);
    let h = inline.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "private, no-store");
    let disposition = h["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E0%B8%AA"), "{disposition}");
    assert_eq!(inline.bytes().await.expect("bytes").as_ref(), EVIDENCE);

    let attached = browser.get(&format!("/requests/{reference}/documents/{}?download=1", doc.id)).await;
    assert_eq!(attached.status(), 200);
    assert!(attached.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment;"));
    assert_eq!(attached.headers()["cache-control"], "private, no-store");

    let anonymous = app.get(DEMO, &format!("/requests/{reference}/files/{}", seeded.file.id)).send().await.expect("request");
    assert_eq!(anonymous.status(), 303, "to the login page");
    let api = app.get(DEMO, "/api/v1/requests").send().await.expect("request");
    assert_eq!(api.status(), 401);
}

#[tokio::test]
async fn another_citizen_gets_404_for_everything_of_mine() {
    let app = spawn_app().await;
    let (_, me) = citizen_of(&app, "demo").await;
    let seeded = insert_request(&app, "demo", me.id, 5).await;
    let doc = issue(&app, "demo", &seeded.request, "licence", None).await;
    let reference = seeded.request.reference.clone();
    let (other, _) = citizen_of(&app, "demo").await;
    let mut browser = Browser::new(&app, DEMO);
    browser.login_as(&other).await;

    let list = browser.get("/requests").await.text().await.expect("body");
    assert!(!list.contains(&reference));
    let docs = browser.get("/documents").await.text().await.expect("body");
    assert!(!docs.contains(&doc.verification_code));
    for path in [
        format!("/requests/{reference}"),
        format!("/requests/{reference}/files/{}", seeded.file.id),
        format!("/requests/{reference}/documents/{}", doc.id),
        format!("/requests/{reference}/documents/{}/qr.svg", doc.id),
    ] {
        assert_eq!(browser.get(&path).await.status(), 404, "{path}");
    }

    let token = api_token(&app, DEMO, &other).await;
    let body: serde_json::Value = api_get(&app, DEMO, &token, "/api/v1/requests").await.json().await.expect("json");
    assert_eq!(body["total"], 0);
    for path in [format!("/api/v1/requests/{reference}"), format!("/api/v1/requests/{reference}/documents/{}", doc.id)] {
        let response = api_get(&app, DEMO, &token, &path).await;
        assert_eq!(response.status(), 404, "{path}");
        let body: serde_json::Value = response.json().await.expect("json error");
        assert_eq!(body["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn a_citizen_of_another_tenant_gets_nothing() {
    let app = spawn_app().await;
    let (_, me) = citizen_of(&app, "demo").await;
    let seeded = insert_request(&app, "demo", me.id, 5).await;
    let doc = issue(&app, "demo", &seeded.request, "licence", None).await;
    let reference = seeded.request.reference.clone();
    let (stranger, _) = citizen_of(&app, "nongbua").await;
    let mut browser = Browser::new(&app, NONGBUA);
    browser.login_as(&stranger).await;
    assert!(!browser.get("/requests").await.text().await.expect("body").contains(&reference));
    for path in [
        format!("/requests/{reference}"),
        format!("/requests/{reference}/files/{}", seeded.file.id),
        format!("/requests/{reference}/documents/{}", doc.id),
    ] {
        assert_eq!(browser.get(&path).await.status(), 404, "{path}");
    }
    let token = api_token(&app, NONGBUA, &stranger).await;
    let response = api_get(&app, NONGBUA, &token, &format!("/api/v1/requests/{reference}")).await;
    assert_eq!(response.status(), 404);
    // A demo session means nothing on nongbua's host either.
    assert_eq!(api_get(&app, DEMO, &token, "/api/v1/requests").await.status(), 401);
    // Nor is a demo document verified on nongbua's site.
    let verify = app.get(NONGBUA, &format!("/verify/{}", doc.verification_code)).send().await.expect("request");
    assert_eq!(verify.status(), 404);
}

#[tokio::test]
async fn the_verify_page_shows_valid_expired_revoked_and_unknown_codes() {
    let app = spawn_app().await;
    let (_, me) = citizen_of(&app, "demo").await;
    let request = insert_request(&app, "demo", me.id, 5).await.request;
    let valid = issue(&app, "demo", &request, "licence", Some((Utc::now() + Duration::days(365)).date_naive())).await;
    let expired = issue(&app, "demo", &request, "licence", Some((Utc::now() - Duration::days(30)).date_naive())).await;
    let revoked = issue(&app, "demo", &request, "receipt", None).await;
    let scope = request.scope();
    assert!(store::documents::revoke(app.db(), scope, revoked.id, "ออกผิดราย").await.expect("db"));
    assert!(!store::documents::revoke(app.db(), scope, revoked.id, "again").await.expect("db"), "revoked once");

    let page = app.page(DEMO, &format!("/verify/{}", valid.verification_code)).await;
    assert!(page.contains("เอกสารนี้ถูกต้องและยังใช้ได้"));
    assert!(page.contains("สมชาย ใ***"), "masked holder");
    assert!(!page.contains("ใจดี"), "never the full surname");
    assert!(page.contains("ใบอนุญาต"));
    assert!(page.contains("2569"), "issue date in the Buddhist year");
    let lower = app.page(DEMO, &format!("/verify/{}", valid.verification_code.to_lowercase())).await;
    assert!(lower.contains("เอกสารนี้ถูกต้องและยังใช้ได้"), "codes are read case-insensitively");

    let page = app.page(DEMO, &format!("/verify/{}", expired.verification_code)).await;
    assert!(page.contains("เอกสารนี้หมดอายุแล้ว"));

    let page = app.page(DEMO, &format!("/verify/{}", revoked.verification_code)).await;
    assert!(page.contains("เอกสารนี้ถูกเพิกถอนแล้ว"));
    assert!(page.contains("ออกผิดราย"));

    let unknown = app.get(DEMO, "/verify/ABCDEFGHJKLM").send().await.expect("request");
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.expect("body").contains("ไม่พบเอกสาร"));
}

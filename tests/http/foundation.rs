//! Probes, the public tenant API, languages, static assets and security headers.

use eservice_tests::{DEMO, NONGBUA, spawn_app};

#[tokio::test]
async fn health_and_readiness_need_no_tenant() {
    let app = spawn_app().await;
    let alive = app.get("unknown.example", "/healthz").send().await.expect("healthz");
    assert_eq!(alive.status(), 200);
    let ready = app.get("whatever", "/readyz").send().await.expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.expect("body"), "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.state.db.clone().close().await.expect("close pool");
    let ready = app.get(DEMO, "/readyz").send().await.expect("readyz");
    assert_eq!(ready.status(), 503);
}

#[tokio::test]
async fn the_tenant_api_describes_each_tenant_separately() {
    let app = spawn_app().await;
    let demo: serde_json::Value = app.get(DEMO, "/api/v1/tenant").send().await.expect("demo").json().await.expect("json");
    let nongbua: serde_json::Value =
        app.get(NONGBUA, "/api/v1/tenant").send().await.expect("nongbua").json().await.expect("json");
    assert_eq!(demo["slug"], "demo");
    assert_eq!(demo["name"]["th"], "เทศบาลเมืองตัวอย่าง");
    assert_eq!(demo["id_photo_count"], 2);
    assert_eq!(demo["terms"]["version"], "2569.1");
    assert_eq!(nongbua["slug"], "nongbua");
    assert_eq!(nongbua["id_photo_count"], 3);
    assert_ne!(demo["branding"]["primary_color"], nongbua["branding"]["primary_color"]);
    assert!(!nongbua.to_string().contains("เทศบาลเมืองตัวอย่าง"), "no other tenant's data");
}

#[tokio::test]
async fn the_api_answers_json_errors() {
    let app = spawn_app().await;
    let response = app.get("nowhere.localhost", "/api/v1/tenant").send().await.expect("request");
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.expect("json error");
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn thai_is_the_default_and_english_is_a_remembered_switch() {
    let app = spawn_app().await;
    let thai = app.page(DEMO, "/").await;
    assert!(thai.contains(r#"<html lang="th">"#));
    assert!(thai.contains("ยินดีต้อนรับสู่ระบบบริการประชาชนออนไลน์"));
    let actions = &thai[thai.find(r#"data-testid="home-actions""#).expect("the home page's buttons")..];
    for link in [r#"href="/register">ลงทะเบียน"#, r#"href="/login">เข้าสู่ระบบ"#, r#"href="/services">ดูบริการทั้งหมด"#] {
        assert!(actions.contains(link), "signed out, the home page offers {link}");
    }

    let by_header = app.get(DEMO, "/").header("Accept-Language", "en-GB,en;q=0.9").send().await.expect("get");
    let by_header = by_header.text().await.expect("body");
    assert!(by_header.contains(r#"<html lang="en">"#));
    assert!(by_header.contains("Tua Yang Town Municipality"));

    let switch = app.get(DEMO, "/lang?to=en&next=/terms").send().await.expect("switch");
    assert_eq!(switch.status(), 303);
    assert_eq!(switch.headers()["location"], "/terms");
    let cookie = switch.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.starts_with("lang=en"), "{cookie}");
    let english = app
        .get(DEMO, "/terms")
        .header("Cookie", "lang=en")
        .header("Accept-Language", "th")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(english.contains("Terms of Service: Online Citizen Services"), "cookie beats the header");
}

#[tokio::test]
async fn the_language_switch_only_goes_back_to_local_pages() {
    let app = spawn_app().await;
    let switch = app.get(DEMO, "/lang?to=en&next=//evil.example/").send().await.expect("switch");
    assert_eq!(switch.headers()["location"], "/");
    let bad = app.get(DEMO, "/lang?to=fr").send().await.expect("switch");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn terms_are_rendered_from_markdown_with_their_version() {
    let app = spawn_app().await;
    let page = app.page(NONGBUA, "/terms").await;
    assert!(page.contains(r#"data-terms-version="2568.3""#));
    assert!(page.contains("<strong>3 ภาพ</strong>"));
}

#[tokio::test]
async fn the_thai_font_and_stylesheet_are_served_locally_and_cached() {
    let app = spawn_app().await;
    let home = app.page(DEMO, "/").await;
    let css_path = home
        .split("href=\"")
        .find_map(|s| s.strip_prefix("/static/app.css"))
        .and_then(|s| s.split('"').next())
        .expect("stylesheet link");
    let css = app.get(DEMO, &format!("/static/app.css{css_path}")).send().await.expect("css");
    assert_eq!(css.status(), 200);
    assert!(css.headers()["cache-control"].to_str().expect("header").contains("immutable"));
    let css = css.text().await.expect("css body");
    assert!(css.contains("/static/noto-sans-thai-regular.ttf"));
    let font = app.get(DEMO, "/static/noto-sans-thai-regular.ttf").send().await.expect("font");
    assert_eq!(font.status(), 200);
    assert_eq!(font.headers()["content-type"], "font/ttf");
    let bytes = font.bytes().await.expect("font bytes");
    assert_eq!(&bytes[..4], &[0, 1, 0, 0], "a TrueType font");
}

#[tokio::test]
async fn pages_carry_security_headers_and_a_request_id() {
    let app = spawn_app().await;
    let response = app.get(DEMO, "/").send().await.expect("get");
    let h = response.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(h["content-security-policy"].to_str().expect("csp").contains("default-src 'self'"));
    assert!(!h["x-request-id"].is_empty());
}

#[tokio::test]
async fn pages_fit_a_phone() {
    let app = spawn_app().await;
    let page = app.page(DEMO, "/").await;
    assert!(page.contains(r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#));
}

#[tokio::test]
async fn the_openapi_document_lists_only_routes_that_are_served() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app.get(DEMO, "/api/v1/openapi.json").send().await.expect("get").json().await.expect("json");
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 8, "{}", paths.len());
    for (path, operations) in paths {
        let concrete = path.replace("{reference}", "DEMO-2569-000001").replace("{id}", "00000000-0000-0000-0000-000000000000");
        for method in operations.as_object().expect("operations").keys() {
            let request = match method.as_str() {
                "get" => app.get(DEMO, &concrete),
                "post" => app.post(DEMO, &concrete),
                other => panic!("unexpected method {other}"),
            };
            let status = request.send().await.expect("request").status().as_u16();
            assert!(status != 404 || concrete.contains("DEMO-2569"), "{method} {path} is documented but not served");
            assert_ne!(status, 405, "{method} {path} is documented with the wrong method");
        }
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_are_never_served_on_a_site() {
    web::metrics::handle();
    // Metering is on only where metrics are served; the test reads them from the handle instead.
    let app = eservice_tests::spawn_app_with(|c| c.metrics_listen = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 9))))
        .await;
    assert_eq!(app.get(DEMO, "/login").send().await.expect("login").status(), 200);
    assert_eq!(app.get(DEMO, "/requests/DEMO-2569-000001").send().await.expect("page").status(), 303);
    let wrong = serde_json::json!({ "username": eservice_tests::citizens::national_id(), "password": "not-the-password" });
    assert_eq!(app.post(DEMO, "/api/v1/auth/login").json(&wrong).send().await.expect("login").status(), 401);
    for host in [DEMO, NONGBUA, "localhost"] {
        assert_eq!(app.get(host, "/metrics").send().await.expect("metrics").status(), 404, "no /metrics on {host}");
    }
    web::metrics::record_database_gauges(app.db()).await;

    let response = tower::ServiceExt::oneshot(web::metrics::router(), axum::http::Request::get("/metrics").body(axum::body::Body::empty()).expect("request"))
        .await
        .expect("metrics answer");
    assert_eq!(response.status(), 200);
    let text = String::from_utf8(axum::body::to_bytes(response.into_body(), 1 << 20).await.expect("body").to_vec()).expect("utf-8");
    for expected in [
        r#"http_requests_total{method="GET",route="/login",status="200"}"#,
        r#"http_requests_total{method="GET",route="/requests/{reference}",status="303"}"#,
        r#"http_request_duration_seconds_bucket{method="POST",route="/api/v1/auth/login",status="401",le="0.005"}"#,
        r#"login_failures_total{who="citizen"}"#,
        r#"tenant_cache_lookups_total{result="miss"}"#,
        r#"tenant_cache_lookups_total{result="hit"}"#,
        "argon2_queue_wait_seconds_count",
        r#"db_pool_connections{state="in_use"}"#,
        "outbox_pending_messages",
        "outbox_oldest_pending_seconds",
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
}

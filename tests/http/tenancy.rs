//! Tenant resolution from the Host header: subdomains, custom domains, the platform, unknown and
//! suspended tenants, and changes applied while the server runs.

use domain::tenant::TenantStatus;
use eservice_tests::{DEMO, NONGBUA, eventually, repo_root, spawn_app};
use std::time::Duration;

const DEMO_TH: &str = "เทศบาลเมืองตัวอย่าง";
const NONGBUA_TH: &str = "องค์การบริหารส่วนตำบลหนองบัว";

#[tokio::test]
async fn each_subdomain_shows_only_its_own_municipality() {
    let app = spawn_app().await;
    let demo = app.page(DEMO, "/").await;
    assert!(demo.contains(DEMO_TH));
    assert!(!demo.contains(NONGBUA_TH));
    let nongbua = app.page(NONGBUA, "/").await;
    assert!(nongbua.contains(NONGBUA_TH));
    assert!(!nongbua.contains(DEMO_TH));
    assert!(demo.contains("ภาพบัตรประชาชน 2 ภาพ"), "demo asks for 2 photos");
    assert!(nongbua.contains("ภาพบัตรประชาชน 3 ภาพ"), "nongbua asks for 3 photos");
}

#[tokio::test]
async fn each_tenant_has_its_own_logo_and_colours() {
    let app = spawn_app().await;
    let demo_logo = app.get(DEMO, "/branding/logo").send().await.expect("logo");
    assert_eq!(demo_logo.headers()["content-type"], "image/svg+xml");
    let demo_logo = demo_logo.text().await.expect("svg");
    let nongbua_logo = app.get(NONGBUA, "/branding/logo").send().await.expect("logo").text().await.expect("svg");
    assert!(demo_logo.contains("TUA YANG"));
    assert!(nongbua_logo.contains("NONG BUA"));
    let demo_theme = app.page(DEMO, "/branding/theme.css").await;
    let nongbua_theme = app.page(NONGBUA, "/branding/theme.css").await;
    assert!(demo_theme.contains("--primary:#1a4f8b"));
    assert!(nongbua_theme.contains("--primary:#256b29"));
}

#[tokio::test]
async fn host_headers_are_normalised() {
    let app = spawn_app().await;
    for host in ["demo.localhost:8080", "DEMO.LOCALHOST", "demo.localhost.", "Demo.Localhost.:443"] {
        let page = app.page(host, "/").await;
        assert!(page.contains(DEMO_TH), "{host}");
    }
}

#[tokio::test]
async fn a_custom_domain_serves_its_tenant() {
    let app = spawn_app().await;
    let page = app.page("eservice.tuayang.test", "/").await;
    assert!(page.contains(DEMO_TH));
    let page = app.page("EService.TuaYang.Test:443", "/").await;
    assert!(page.contains(DEMO_TH));
}

#[tokio::test]
async fn the_bare_base_domain_shows_the_platform() {
    let app = spawn_app().await;
    let page = app.page("localhost", "/").await;
    assert!(page.contains("แพลตฟอร์มบริการประชาชนออนไลน์สำหรับท้องถิ่น"));
    assert!(page.contains(&format!("http://demo.localhost:{}/", app.addr.port())));
    assert!(page.contains(NONGBUA_TH));
    let tenant_api = app.get("localhost", "/api/v1/tenant").send().await.expect("get");
    assert_eq!(tenant_api.status(), 404, "the platform is not a tenant");
}

#[tokio::test]
async fn an_unknown_host_gets_a_404_page_without_tenant_data() {
    let app = spawn_app().await;
    for host in ["nowhere.localhost", "deep.demo.localhost", "example.org", "bad host!"] {
        let response = app.get(host, "/").send().await.expect("get");
        assert_eq!(response.status(), 404, "{host}");
        let body = response.text().await.expect("body");
        assert!(body.contains("ไม่พบหน้าที่ต้องการ"), "{host}");
        assert!(!body.contains(DEMO_TH) && !body.contains(NONGBUA_TH), "{host} leaks a tenant");
        assert!(!body.contains("/branding/"), "{host} links a tenant's branding");
    }
}

#[tokio::test]
async fn a_missing_page_of_a_tenant_is_a_branded_404() {
    let app = spawn_app().await;
    let response = app.get(DEMO, "/no/such/page").send().await.expect("get");
    assert_eq!(response.status(), 404);
    let body = response.text().await.expect("body");
    assert!(body.contains(DEMO_TH));
    assert!(body.contains("ไม่พบหน้าที่ต้องการ"));
}

#[tokio::test]
async fn a_suspended_tenant_shows_service_unavailable() {
    let app = spawn_app().await;
    assert!(store::tenants::set_status(app.db(), "nongbua", TenantStatus::Suspended).await.expect("suspend"));
    let suspended = eventually(Duration::from_secs(5), || async {
        app.get(NONGBUA, "/").send().await.map(|r| r.status() == 503).unwrap_or(false)
    })
    .await;
    assert!(suspended, "the suspension reaches the running server within the cache TTL");
    let response = app.get(NONGBUA, "/").send().await.expect("get");
    let body = response.text().await.expect("body");
    assert!(body.contains("ระบบปิดให้บริการชั่วคราว"));
    assert!(!body.contains(NONGBUA_TH) && !body.contains(DEMO_TH));
    let api = app.get(NONGBUA, "/api/v1/tenant").send().await.expect("api");
    assert_eq!(api.status(), 503);
    assert_eq!(app.page(DEMO, "/").await.contains(DEMO_TH), true, "other tenants are unaffected");
}

#[tokio::test]
async fn applying_a_changed_definition_reaches_the_running_server() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().expect("temp");
    let tenant_dir = dir.path().join("demo");
    copy_dir(&repo_root().join("tenants/demo"), &tenant_dir);
    let manifest = tenant_dir.join("tenant.toml");
    let text = std::fs::read_to_string(&manifest).expect("read");
    std::fs::write(&manifest, text.replace("เทศบาลเมืองตัวอย่าง\"", "เทศบาลนครตัวอย่าง\"")).expect("write");

    let bundle = store::tenant_dir::load_dir(&tenant_dir).expect("valid");
    let outcome = store::tenants::apply(app.db(), &bundle, false).await.expect("apply");
    assert_eq!(outcome, store::tenants::ApplyOutcome::Updated);
    let again = store::tenants::apply(app.db(), &bundle, false).await.expect("apply again");
    assert_eq!(again, store::tenants::ApplyOutcome::Unchanged);

    let renamed = eventually(Duration::from_secs(5), || async {
        app.get(DEMO, "/").send().await.expect("get").text().await.expect("body").contains("เทศบาลนครตัวอย่าง")
    })
    .await;
    assert!(renamed, "the new name shows within the cache TTL");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

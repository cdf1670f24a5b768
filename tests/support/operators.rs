//! Platform operators as tests make them: added as `eservice operator add` does, with the next
//! valid code for each sign-in, and signed in through the operator API.

use crate::TestApp;
use crate::staff::StaffMember;

/// The platform's own host in tests (the bare base domain).
pub const PLATFORM: &str = "localhost";

pub struct TestOperator {
    /// E-mail, password, TOTP secret and the code stepping (the same as a staff member's).
    pub account: StaffMember,
    pub recovery_codes: Vec<String>,
}

pub async fn add_operator(app: &TestApp) -> TestOperator {
    let email = format!("ops.{}@platform.example", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let password = "Platform-console-2569-key";
    let added = app::operator::add(&app.state.app, &email, "ผู้ดูแล ทดสอบ", password).await.expect("operator added");
    TestOperator {
        account: StaffMember::new(added.operator.id, &email, password, &added.totp_secret),
        recovery_codes: added.recovery_codes,
    }
}

/// `POST /api/v1/operator/auth/login` on `host` with the next code; the raw response.
pub async fn operator_api_login(app: &TestApp, host: &str, operator: &TestOperator) -> reqwest::Response {
    let code = operator.account.next_code().await;
    let body = serde_json::json!({ "email": operator.account.email, "password": operator.account.password, "code": code });
    app.post(host, "/api/v1/operator/auth/login").json(&body).send().await.expect("operator login")
}

pub async fn operator_token(app: &TestApp, operator: &TestOperator) -> String {
    let response = operator_api_login(app, PLATFORM, operator).await;
    assert_eq!(response.status(), 200, "operator api login");
    let body: serde_json::Value = response.json().await.expect("json");
    body["token"].as_str().expect("a token").to_owned()
}

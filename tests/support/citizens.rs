//! Citizens as fixtures: `TestCitizen::new()` makes a unique, valid person; `insert` stores it
//! straight into a tenant (for tests of login, reset, isolation) with a real argon2id hash.

use crate::TestApp;
use chrono::NaiveDate;
use std::sync::atomic::{AtomicU32, Ordering};

static SEQUENCE: AtomicU32 = AtomicU32::new(1);

/// A valid 13-digit national ID, different on every call within a test process.
pub fn national_id() -> String {
    let n = SEQUENCE.fetch_add(1, Ordering::Relaxed) + std::process::id() % 1000 * 1000;
    let body = format!("1{:011}", (u64::from(n) * 7919 + 10_370_207) % 100_000_000_000);
    let digits: Vec<u32> = body.chars().filter_map(|c| c.to_digit(10)).collect();
    format!("{body}{}", domain::national_id::check_digit(&digits))
}

#[derive(Clone, Debug)]
pub struct TestCitizen {
    pub national_id: String,
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub birth_date: NaiveDate,
}

impl TestCitizen {
    pub fn new() -> Self {
        let national_id = national_id();
        Self {
            email: format!("somchai.{}@example.com", &national_id[5..]),
            national_id,
            password: "Kh0nKaen-rice-field".into(),
            first_name: "สมชาย".into(),
            last_name: "ใจดี".into(),
            birth_date: NaiveDate::from_ymd_opt(1990, 4, 13).unwrap_or_default(),
        }
    }

    /// Stores this citizen in the tenant `slug` (identity status `photos_required`).
    pub async fn insert(&self, app: &TestApp, slug: &str) -> store::citizens::Citizen {
        let tenant = store::tenants::find_by_slug(app.db(), slug).await.expect("db").expect("tenant exists");
        let hash = app.state.hasher.hash(self.password.clone()).await.expect("hash");
        store::citizens::create(
            app.db(),
            tenant.scope(),
            store::citizens::NewCitizen {
                national_id: self.national_id.clone(),
                email: self.email.clone(),
                title: "นาย".into(),
                first_name: self.first_name.clone(),
                last_name: self.last_name.clone(),
                birth_date: self.birth_date,
                phone: "0812345678".into(),
                house_no: "99/1".into(),
                village: "หมู่ 4".into(),
                road: "มิตรภาพ".into(),
                sub_district_code: 400101,
                district_code: 4001,
                province_code: 40,
                postcode: "40000".into(),
                password_hash: hash,
                terms_version: tenant.settings.terms_version.clone(),
                terms_accepted_ip: "127.0.0.1".into(),
            },
        )
        .await
        .expect("citizen stored")
    }
}

impl Default for TestCitizen {
    fn default() -> Self {
        Self::new()
    }
}

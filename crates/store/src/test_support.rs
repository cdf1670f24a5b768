//! A fresh, migrated database per test: a temporary SQLite file by default, or a new
//! PostgreSQL database on the server named by `TEST_DATABASE_URL`.

use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Keeps the database alive for the test; SQLite's folder is removed on drop.
pub struct TestDatabase {
    pub url: String,
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
}

/// Which backend the test suite runs on, from `TEST_DATABASE_URL`.
pub fn backend_name() -> &'static str {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

pub async fn fresh_database() -> TestDatabase {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let admin = crate::connect(&server, 1).await.expect("connect to TEST_DATABASE_URL");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let url = replace_database(&server, &name);
            let db = crate::connect(&url, 5).await.expect("connect to test database");
            crate::migrate(&db).await.expect("migrate test database");
            TestDatabase { url, db, _dir: None }
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            let db = crate::connect(&url, 5).await.expect("open sqlite");
            crate::migrate(&db).await.expect("migrate sqlite");
            TestDatabase { url, db, _dir: Some(dir) }
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

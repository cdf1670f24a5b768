use chrono::{DateTime, DurationRound, Utc};
use notify::{EmailMessage, MailSettings, MailTransport, Mailer, TlsMode, WorkerOptions};
use sea_orm::{DatabaseConnection, EntityTrait};
use std::path::Path;
use std::time::{Duration, Instant};
use store::entities::outbox::{Entity as Outbox, Model};
use uuid::Uuid;

pub fn thai_email(to: &str) -> EmailMessage {
    EmailMessage {
        to: to.to_owned(),
        subject: "คำร้องเลขที่ 2568/0001 ได้รับการอนุมัติแล้ว".to_owned(),
        html: "<h1>เรียน ผู้ยื่นคำร้อง</h1><p>คำร้องขออนุญาตก่อสร้างอาคารของท่าน<b>ได้รับการอนุมัติ</b>แล้ว</p>"
            .to_owned(),
        text: "เรียน ผู้ยื่นคำร้อง\n\nคำร้องขออนุญาตก่อสร้างอาคารของท่านได้รับการอนุมัติแล้ว".to_owned(),
        from_name: Some("เทศบาลตำบลบ้านตัวอย่าง".to_owned()),
    }
}

pub fn unique_recipient() -> String {
    format!("citizen-{}@example.test", Uuid::new_v4().simple())
}

pub fn file_mailer(dir: &Path) -> Mailer {
    Mailer::new(&MailSettings {
        from: "eservice <no-reply@localhost>".to_owned(),
        transport: MailTransport::File {
            dir: dir.to_owned(),
        },
    })
    .unwrap()
}

pub fn smtp_mailer(host: &str, port: u16) -> Mailer {
    install_crypto_provider();
    Mailer::new(&MailSettings {
        from: "eservice <no-reply@localhost>".to_owned(),
        transport: MailTransport::Smtp {
            host: host.to_owned(),
            port: Some(port),
            tls: TlsMode::None,
            username: None,
            password: None,
        },
    })
    .unwrap()
}

/// Both rustls backends are compiled in; TLS set-up panics unless one is chosen first.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

pub fn options(max_attempts: u32) -> WorkerOptions {
    WorkerOptions {
        poll_interval: Duration::from_millis(20),
        batch_size: 10,
        lease: Duration::from_secs(300),
        max_attempts,
        send_timeout: Duration::from_secs(10),
    }
}

/// What the database keeps (microseconds), so stored and computed times compare equal.
pub fn db_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(chrono::Duration::microseconds(1))
        .unwrap()
}

pub async fn stored(db: &DatabaseConnection, id: Uuid) -> Model {
    Outbox::find_by_id(id)
        .one(db)
        .await
        .unwrap()
        .expect("outbox row")
}

/// Polls `check` until it returns `Some`, failing the test after `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

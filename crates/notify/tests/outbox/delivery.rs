//! The worker end to end: file transport, an unreachable SMTP server, a real capture server.

use crate::helpers::*;
use chrono::{Duration, Utc};
use mail_parser::MessageParser;
use notify::{dev_mailbox, drain_once, run_worker};
use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;
use store::outbox;
use store::test_support::fresh_database;

#[tokio::test]
async fn file_transport_writes_thai_mail_that_the_dev_mailbox_shows() {
    let t = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let mailer = file_mailer(dir.path());
    let to = unique_recipient();
    let id = outbox::enqueue_email(&t.db, None, &thai_email(&to))
        .await
        .unwrap();

    let now = Utc::now();
    assert_eq!(
        drain_once(&t.db, &mailer, &options(3), now).await.unwrap(),
        1
    );
    let row = stored(&t.db, id).await;
    assert_eq!(
        (row.status.as_str(), row.sent_at),
        ("sent", Some(db_time(now)))
    );
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 0);

    let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read(&files[0]).unwrap();
    assert!(raw.is_ascii(), "headers and bodies are transfer-encoded");
    let parsed = MessageParser::default().parse(&raw).unwrap();
    let expected = thai_email(&to);
    assert_eq!(parsed.subject(), Some(expected.subject.as_str()));
    assert_eq!(
        parsed.from().unwrap().first().unwrap().name(),
        Some("เทศบาลตำบลบ้านตัวอย่าง")
    );
    assert_eq!(
        parsed.from().unwrap().first().unwrap().address(),
        Some("no-reply@localhost")
    );
    assert_eq!(
        parsed.body_text(0).map(|t| t.replace("\r\n", "\n")),
        Some(expected.text.clone())
    );
    assert_eq!(parsed.body_html(0).as_deref(), Some(expected.html.as_str()));

    let listed = dev_mailbox::list(dir.path(), 10);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].to.as_str(), listed[0].subject.as_str()),
        (to.as_str(), expected.subject.as_str())
    );
    assert_eq!(
        files[0].file_stem().unwrap().to_str(),
        Some(listed[0].id.as_str())
    );
    let view = dev_mailbox::read(dir.path(), &listed[0].id).unwrap();
    assert_eq!(view.to, to);
    assert_eq!(view.subject, expected.subject);
    assert_eq!(view.text.as_deref(), Some(expected.text.as_str()));
    assert_eq!(view.html.as_deref(), Some(expected.html.as_str()));
}

#[tokio::test]
async fn dev_mailbox_lists_newest_first_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = file_mailer(dir.path());
    let mut subjects = Vec::new();
    for i in 0..3 {
        let mut msg = thai_email(&unique_recipient());
        msg.subject = format!("ฉบับที่ {i}");
        mailer.send(&msg).await.unwrap();
        subjects.push(msg.subject);
        // Distinct modification times even on coarse file systems, without sleeping.
        let newest = dev_mailbox::list(dir.path(), 10);
        let path = dir.path().join(format!(
            "{}.eml",
            newest.iter().find(|m| m.subject == subjects[i]).unwrap().id
        ));
        let at =
            std::time::SystemTime::UNIX_EPOCH + StdDuration::from_secs(1_700_000_000 + i as u64);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(at)
            .unwrap();
    }
    let listed: Vec<String> = dev_mailbox::list(dir.path(), 2)
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(listed, vec!["ฉบับที่ 2", "ฉบับที่ 1"]);
}

#[tokio::test]
async fn unreachable_smtp_keeps_the_mail_and_backs_off_until_it_gives_up() {
    let t = fresh_database().await;
    let port = closed_port();
    let mailer = smtp_mailer("127.0.0.1", port);
    let id = outbox::enqueue_email(&t.db, None, &thai_email(&unique_recipient()))
        .await
        .unwrap();
    let opts = options(3);

    let now = Utc::now();
    assert_eq!(drain_once(&t.db, &mailer, &opts, now).await.unwrap(), 1);
    let row = stored(&t.db, id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("pending", 1));
    assert!(row.next_attempt_at > now, "retry is in the future");
    assert!(row.locked_until.is_none(), "lease released");
    assert!(
        row.last_error
            .as_deref()
            .is_some_and(|e| e.contains(&port.to_string())),
        "{:?}",
        row.last_error
    );
    assert_eq!(
        drain_once(&t.db, &mailer, &opts, now).await.unwrap(),
        0,
        "not due yet"
    );

    let mut at = row.next_attempt_at;
    for _ in 2..=3 {
        assert_eq!(drain_once(&t.db, &mailer, &opts, at).await.unwrap(), 1);
        at = stored(&t.db, id).await.next_attempt_at;
    }
    let dead = stored(&t.db, id).await;
    assert_eq!((dead.status.as_str(), dead.attempts), ("dead", 3));
    assert_eq!(
        drain_once(&t.db, &mailer, &opts, at + Duration::days(1))
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn an_unparsable_recipient_is_dropped_without_retries() {
    let t = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let id = outbox::enqueue_email(&t.db, None, &thai_email("not an address"))
        .await
        .unwrap();
    assert_eq!(
        drain_once(&t.db, &file_mailer(dir.path()), &options(5), Utc::now())
            .await
            .unwrap(),
        1
    );
    let row = stored(&t.db, id).await;
    assert_eq!((row.status.as_str(), row.attempts), ("dead", 1));
    assert!(dev_mailbox::list(dir.path(), 10).is_empty());
}

#[tokio::test]
async fn line_rows_are_left_for_later() {
    let t = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let line = outbox::enqueue_line(&t.db, None, &serde_json::json!({"text": "สวัสดี"}))
        .await
        .unwrap();
    outbox::enqueue_email(&t.db, None, &thai_email(&unique_recipient()))
        .await
        .unwrap();
    assert_eq!(
        drain_once(&t.db, &file_mailer(dir.path()), &options(3), Utc::now())
            .await
            .unwrap(),
        1
    );
    let row = stored(&t.db, line).await;
    assert_eq!(
        (row.status.as_str(), row.attempts, row.locked_until),
        ("pending", 0, None)
    );
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 1);
}

#[tokio::test]
async fn worker_delivers_in_the_background_and_stops_on_shutdown() {
    let t = fresh_database().await;
    let dir = tempfile::tempdir().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(run_worker(
        t.db.clone(),
        file_mailer(dir.path()),
        options(3),
        async {
            let _ = stopped.await;
        },
    ));
    let id = outbox::enqueue_email(&t.db, None, &thai_email(&unique_recipient()))
        .await
        .unwrap();
    let db = &t.db;
    eventually(
        StdDuration::from_secs(10),
        "the worker to send the mail",
        || async move { (stored(db, id).await.status == "sent").then_some(()) },
    )
    .await;
    assert_eq!(dev_mailbox::list(dir.path(), 10).len(), 1);
    stop.send(()).unwrap();
    tokio::time::timeout(StdDuration::from_secs(5), worker)
        .await
        .expect("worker stops")
        .unwrap();
}

/// Needs a real SMTP capture server: `TEST_SMTP_ADDR` (host:port) and `TEST_SMTP_MAILDIR`, e.g.
/// `python3 -m aiosmtpd -n -l 127.0.0.1:2525 -c aiosmtpd.handlers.Mailbox /tmp/maildir`.
#[tokio::test]
async fn smtp_capture_server_receives_thai_multipart_mail() {
    let (Ok(addr), Ok(maildir)) = (
        std::env::var("TEST_SMTP_ADDR"),
        std::env::var("TEST_SMTP_MAILDIR"),
    ) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set TEST_SMTP_ADDR and TEST_SMTP_MAILDIR"
        );
        eprintln!("skipping: TEST_SMTP_ADDR / TEST_SMTP_MAILDIR not set (no SMTP capture server)");
        return;
    };
    let (host, port) = addr.rsplit_once(':').expect("TEST_SMTP_ADDR is host:port");
    let mailer = smtp_mailer(host, port.parse().expect("TEST_SMTP_ADDR port"));
    let t = fresh_database().await;
    let to = unique_recipient();
    let id = outbox::enqueue_email(&t.db, None, &thai_email(&to))
        .await
        .unwrap();

    assert_eq!(
        drain_once(&t.db, &mailer, &options(3), Utc::now())
            .await
            .unwrap(),
        1
    );
    let row = stored(&t.db, id).await;
    assert_eq!(row.status, "sent", "last error: {:?}", row.last_error);

    let maildir = PathBuf::from(maildir);
    let raw = eventually(StdDuration::from_secs(10), "the captured message", || {
        let found = find_captured(&maildir, &to);
        async move { found }
    })
    .await;
    let parsed = MessageParser::default().parse(&raw).unwrap();
    let expected = thai_email(&to);
    assert_eq!(parsed.subject(), Some(expected.subject.as_str()));
    assert_eq!(
        parsed.to().unwrap().first().unwrap().address(),
        Some(to.as_str())
    );
    assert_eq!(
        parsed.header_raw("X-RcptTo").map(str::trim),
        Some(to.as_str()),
        "envelope recipient"
    );
    assert_eq!(
        parsed.from().unwrap().first().unwrap().name(),
        Some("เทศบาลตำบลบ้านตัวอย่าง")
    );
    assert_eq!((parsed.text_body_count(), parsed.html_body_count()), (1, 1));
    assert!(parsed.text_part(0).is_some_and(|p| !p.is_text_html()));
    assert!(parsed.html_part(0).is_some_and(|p| p.is_text_html()));
    assert_eq!(
        parsed.body_text(0).map(|t| t.replace("\r\n", "\n")),
        Some(expected.text.clone())
    );
    assert_eq!(parsed.body_html(0).as_deref(), Some(expected.html.as_str()));
}

/// The raw message addressed to `to` in a Maildir (`new/` or `cur/`).
fn find_captured(maildir: &Path, to: &str) -> Option<Vec<u8>> {
    ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
        .flatten()
        .filter_map(|entry| std::fs::read(entry.ok()?.path()).ok())
        .find(|raw| {
            MessageParser::default()
                .parse_headers(raw)
                .and_then(|m| {
                    m.to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .map(|a| a == to)
                })
                .unwrap_or(false)
        })
}

/// A local port with nothing listening: bound, then released.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

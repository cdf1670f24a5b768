//! The listener's own limits: a client that stalls in its headers or its body is dropped, and a
//! stop signal ends the server within the shutdown deadline whatever a client is doing.

use eservice_tests::{DEMO, spawn_app_with};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; the answer it gave first, if any.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok().map(|()| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn a_client_that_stops_halfway_through_its_headers_is_dropped() {
    let app = spawn_app_with(|c| c.http.headers = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(format!("GET / HTTP/1.1\r\nHost: {DEMO}\r\nAccept: text/html\r\n").as_bytes()).await.expect("write");
    let closed = read_until_closed(&mut stream, Duration::from_secs(8)).await;
    assert!(closed.is_some(), "the connection must be closed once the header timeout passes");

    // A client that sends its headers in time is served as before.
    let home = app.get(DEMO, "/").send().await.expect("home");
    assert_eq!(home.status(), 200);
}

#[tokio::test]
async fn an_upload_that_stalls_is_cut_off_after_the_body_timeout() {
    let app = spawn_app_with(|c| c.http.body_idle = Duration::from_secs(1)).await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {DEMO}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"national_id\":"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let answer = read_until_closed(&mut stream, Duration::from_secs(8)).await;
    let answer = answer.expect("the server must give up on a body that stops arriving");
    assert!(!answer.starts_with("HTTP/1.1 2"), "a cut-off body is never a success: {answer}");
}

#[tokio::test]
async fn a_stop_signal_ends_the_server_within_the_shutdown_deadline_while_a_request_hangs() {
    let mut app = spawn_app_with(|c| {
        c.http.headers = Duration::from_secs(300);
        c.http.body_idle = Duration::from_secs(300);
        c.http.shutdown = Duration::from_secs(1);
    })
    .await;
    // An upload in flight that will never finish, and an idle keep-alive connection.
    let mut hanging = TcpStream::connect(app.addr).await.expect("connect");
    let head = format!("POST /api/v1/auth/login HTTP/1.1\r\nHost: {DEMO}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{{");
    hanging.write_all(head.as_bytes()).await.expect("write");
    let home = app.get(DEMO, "/").send().await.expect("home");
    assert_eq!(home.status(), 200);

    let stopped = tokio::time::timeout(Duration::from_secs(10), app.stop_serving()).await;
    assert!(stopped.is_ok(), "serve must return within the shutdown deadline, not wait for the client");
    assert!(stopped.expect("in time").is_ok());
    let closed = read_until_closed(&mut hanging, Duration::from_secs(5)).await;
    assert!(closed.is_some(), "the hanging connection is closed when the deadline passes");
}

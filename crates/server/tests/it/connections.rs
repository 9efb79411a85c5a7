//! What a connection may cost: half-sent headers and idle kept-alive connections are
//! closed after their timeouts, the server keeps answering with a thousand such
//! connections open, and connections beyond `max_connections` wait their turn.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::TestApp;

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection; answers what it sent. Fails the
/// test when the server has not closed it within `within`.
async fn read_until_closed(s: &mut TcpStream, within: Duration) -> String {
    let mut got = Vec::new();
    let r = tokio::time::timeout(within, s.read_to_end(&mut got)).await;
    assert!(r.is_ok(), "the server kept the connection open");
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn half_sent_headers_are_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with(|o| {
        o.config.http.header_read_timeout_secs = 1;
        o.config.http.idle_timeout_secs = 3600;
    })
    .await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: ")
        .await
        .unwrap();
    let said = read_until_closed(&mut s, Duration::from_secs(20)).await;
    assert!(
        !said.contains("200 OK"),
        "no answer to half a request: {said}"
    );
    // And one that sends nothing at all.
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    read_until_closed(&mut s, Duration::from_secs(20)).await;
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let app = TestApp::spawn_with(|o| {
        o.config.http.header_read_timeout_secs = 3600;
        o.config.http.idle_timeout_secs = 1;
    })
    .await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The answer comes, then (nothing more asked) the connection is closed.
    let said = read_until_closed(&mut s, Duration::from_secs(20)).await;
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
}

#[tokio::test]
async fn a_thousand_slow_connections_do_not_stop_the_server() {
    let app = TestApp::spawn_with(|o| o.config.http.header_read_timeout_secs = 2).await;
    let mut slow = Vec::new();
    for _ in 0..1000 {
        let mut s = TcpStream::connect(addr(&app)).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(s);
    }
    let (status, body) = app.get("/healthz", None).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    // Every one of them is closed by the server after the timeout.
    for s in &mut slow {
        read_until_closed(s, Duration::from_secs(30)).await;
    }
    // On a new connection: the harness's pooled one sat idle past the same header
    // timeout, and the server may be closing it just as a request is written to it.
    let res = reqwest::Client::new()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let app = TestApp::spawn_with(|o| {
        o.config.http.max_connections = 1;
        o.config.http.header_read_timeout_secs = 3600;
        o.config.http.idle_timeout_secs = 3600;
    })
    .await;
    // One connection holds the only slot.
    let held = TcpStream::connect(addr(&app)).await.unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let waited = client.get(app.url("/healthz")).send().await;
    assert!(
        waited.is_err(),
        "a second connection was served past the cap"
    );
    // Once it closes, the next one is served.
    drop(held);
    let r = reqwest::Client::new()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn a_body_that_stops_arriving_fails_after_the_body_timeout() {
    let app = TestApp::spawn_with(|o| {
        o.config.http.body_read_timeout_secs = 1;
        o.config.http.idle_timeout_secs = 3600;
    })
    .await;
    let mut s = TcpStream::connect(addr(&app)).await.unwrap();
    s.write_all(
        b"POST /v2/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=",
    )
    .await
    .unwrap();
    let said = read_until_closed(&mut s, Duration::from_secs(20)).await;
    let status: u16 = said
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    assert!(
        (400..500).contains(&status) || said.is_empty(),
        "a stalled body gets a 4xx (or the connection closed), not a request held open: {said}"
    );
}

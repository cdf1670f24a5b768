//! The HTTP/1.1 listener: hyper with a timer, so a client that stalls in its headers or its body is
//! dropped, and a shutdown that lets in-flight requests finish only until a deadline.

use axum::Router;
use axum::http::HeaderMap;
use hyper::body::Incoming;
use ipnet::IpNet;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::timeout::TimeoutBody;

/// How long a client may take, and how long a shutdown waits (`ESERVICE_*_TIMEOUT_SECS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpTimeouts {
    /// From a connection's first byte (or the end of its previous request) to the end of the headers.
    pub headers: Duration,
    /// The longest pause between two pieces of a request body.
    pub body_idle: Duration,
    /// After a stop signal, how long open requests may still run before their connections close.
    pub shutdown: Duration,
}

impl Default for HttpTimeouts {
    fn default() -> Self {
        Self { headers: Duration::from_secs(10), body_idle: Duration::from_secs(30), shutdown: Duration::from_secs(30) }
    }
}

/// Where a request comes from, as rate limits and the audit trail see it: the socket peer, or,
/// when the peer is a trusted proxy, the address that proxy says it served (`X-Forwarded-For`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The nearest address in the `X-Forwarded-For` chain that is not a trusted proxy. A header from a
/// peer that is not trusted is ignored, so nobody can choose their own address by sending one; the
/// entries a client wrote itself sit left of those the proxies appended and are never reached
/// while an untrusted entry comes first from the right.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let chain: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let mut client = peer;
    for hop in chain.iter().rev() {
        let Ok(ip) = hop.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() else {
            // Garbage where an address belongs: stop at the last hop we could read.
            return client;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// The client address of a request, as text for rate-limit keys and audit records.
pub fn request_client_ip(parts: &axum::http::request::Parts) -> String {
    parts.extensions.get::<ClientAddr>().map_or_else(|| "unknown".to_owned(), |ClientAddr(ip)| ip.to_string())
}

/// Accepts connections until `shutdown` resolves, then stops accepting, closes idle connections,
/// and gives the others `timeouts.shutdown` to finish before they are closed.
pub async fn run(
    listener: TcpListener,
    app: Router,
    timeouts: HttpTimeouts,
    trusted_proxies: Arc<[IpNet]>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(timeouts.headers);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let body_idle = timeouts.body_idle;
        let trusted = trusted_proxies.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(|body| axum::body::Body::new(TimeoutBody::new(body_idle, body)));
            let client = ClientAddr(client_addr(peer.ip(), request.headers(), &trusted));
            request.extensions_mut().insert(client);
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection closed with an error");
            }
        });
    }
    drop(listener);
    let open_at_stop = graceful.count();
    if tokio::time::timeout(timeouts.shutdown, graceful.shutdown()).await.is_err() {
        tracing::warn!(open_at_stop, deadline_secs = timeouts.shutdown.as_secs(), "requests still open at the shutdown deadline; closing them");
        connections.abort_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in forwarded {
            map.append("x-forwarded-for", value.parse().expect("header value"));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().expect("cidr"), "127.0.0.1/32".parse().expect("cidr")];
        // A stranger sending the header directly changes nothing.
        assert_eq!(client_addr(ip("203.0.113.9"), &headers(&["1.2.3.4"]), &trusted), ip("203.0.113.9"));
        // Through the ingress: the address it appended.
        assert_eq!(client_addr(ip("10.1.2.3"), &headers(&["198.51.100.7"]), &trusted), ip("198.51.100.7"));
        // A spoofed entry left of the real one is never reached; trusted hops are skipped.
        let chain = headers(&["6.6.6.6, 198.51.100.7", "10.0.0.5"]);
        assert_eq!(client_addr(ip("127.0.0.1"), &chain, &trusted), ip("198.51.100.7"));
        // No header, or garbage: the last address that could be read.
        assert_eq!(client_addr(ip("10.1.2.3"), &HeaderMap::new(), &trusted), ip("10.1.2.3"));
        assert_eq!(client_addr(ip("10.1.2.3"), &headers(&["not-an-ip"]), &trusted), ip("10.1.2.3"));
        assert_eq!(client_addr(ip("10.1.2.3"), &headers(&["[2001:db8::1]"]), &trusted), ip("2001:db8::1"));
        // Nothing is trusted by default.
        assert_eq!(client_addr(ip("127.0.0.1"), &headers(&["1.2.3.4"]), &[]), ip("127.0.0.1"));
    }
}

//! The HTTP/1.1 listener: hyper with a timer, so a client that stalls in its headers or its body is
//! dropped, and a shutdown that lets in-flight requests finish only until a deadline.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
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

/// Accepts connections until `shutdown` resolves, then stops accepting, closes idle connections,
/// and gives the others `timeouts.shutdown` to finish before they are closed.
pub async fn run(
    listener: TcpListener,
    app: Router,
    timeouts: HttpTimeouts,
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
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(|body| axum::body::Body::new(TimeoutBody::new(body_idle, body)));
            request.extensions_mut().insert(ConnectInfo(peer));
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

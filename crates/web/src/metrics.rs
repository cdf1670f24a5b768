//! Prometheus metrics: recorded through the `metrics` facade wherever something happens, and
//! rendered only on a listener of their own (`ESERVICE_METRICS_LISTEN`), never on a tenant's host.

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{DatabaseConnection, DatabaseConnectionType};
use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Seconds: from a fast page (1 ms) to a slow upload (10 s).
const LATENCY_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// How often the database gauges (pool, outbox) are read.
const GAUGE_INTERVAL: Duration = Duration::from_secs(15);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &LATENCY_BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; these metrics stay empty");
            }
            handle
        })
        .clone()
}

/// The route template a response came from (`/requests/{reference}`), for the request metrics.
#[derive(Clone, Debug)]
pub struct RouteTemplate(pub MatchedPath);

/// Inside a router: tags the response with the template of the route that matched.
pub async fn tag_route(matched: Option<MatchedPath>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(matched) = matched {
        response.extensions_mut().insert(RouteTemplate(matched));
    }
    response
}

/// Adds the metrics layers to `router` when metrics are served (`ESERVICE_METRICS_LISTEN`), so a
/// process without them pays nothing per request.
pub fn tagged<S: Clone + Send + Sync + 'static>(router: Router<S>, metered: bool) -> Router<S> {
    if metered { router.route_layer(axum::middleware::from_fn(tag_route)) } else { router }
}

/// Outermost: counts every request and its latency by method, route template and status.
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response.extensions().get::<RouteTemplate>().map_or("unmatched", |r| r.0.as_str()).to_owned();
    let labels = [("method", method), ("route", route), ("status", response.status().as_u16().to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in the Prometheus text format, and nothing else.
pub fn router() -> Router {
    let handle = handle();
    Router::new().route("/metrics", get(render)).with_state(handle)
}

async fn render(State(handle): State<PrometheusHandle>) -> impl IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], handle.render())
}

/// Serves `/metrics` on its own listener and keeps the database gauges fresh, until `shutdown`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    db: DatabaseConnection,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let gauges = tokio::spawn(async move {
        let mut every = tokio::time::interval(GAUGE_INTERVAL);
        loop {
            every.tick().await;
            record_database_gauges(&db).await;
        }
    });
    let served = axum::serve(listener, router()).with_graceful_shutdown(shutdown).await;
    gauges.abort();
    served
}

/// Pool connections in use and idle, and the outbox's depth and the age of its oldest message.
pub async fn record_database_gauges(db: &DatabaseConnection) {
    let (size, idle, max) = match &db.inner {
        DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        _ => (0, 0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics::gauge!("db_pool_connections", "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!("db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("db_pool_max_connections").set(f64::from(max));
    match store::outbox::pending_summary(db).await {
        Ok((pending, oldest)) => {
            metrics::gauge!("outbox_pending_messages").set(pending as f64);
            let age = oldest.map_or(0.0, |at| (chrono::Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0);
            metrics::gauge!("outbox_oldest_pending_seconds").set(age);
        }
        Err(e) => tracing::warn!(error = %e, "reading the outbox for the metrics failed"),
    }
}

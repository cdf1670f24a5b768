//! The axum application: tenant resolution, pages, JSON API, static assets.
//! `build` makes the state from a `Config`; `app` assembles every area's router.

pub mod accounts;
pub mod admin;
pub mod api;
pub mod assets;
pub mod backoffice;
pub mod config;
pub mod email;
pub mod error;
pub mod extract;
pub mod form_errors;
pub mod health;
pub mod i18n;
pub mod metrics;
pub mod operator;
pub mod pages;
pub mod render;
pub mod requests;
pub mod server;
pub mod services;
pub mod state;
pub mod tenancy;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sea_orm::DatabaseConnection;
use serde::Serialize;
use std::future::Future;
use tower::ServiceExt;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use state::AppState;

use error::{AppError, ErrorInfo};
use i18n::RequestLang;
use render::PageCtx;
use tenancy::{Site, Tenant};

/// Connects, migrates and (in the embedded mode) loads the demo tenants, then builds the state.
pub async fn build(config: Config) -> anyhow::Result<AppState> {
    use anyhow::Context as _;
    if config.metrics_listen.is_some() {
        metrics::handle();
    }
    let db = connect(&config, config.db_max_connections).await?;
    if config.migrate_on_start {
        store::migrate(&db).await.context("applying migrations")?;
    }
    access::authz::Authorizer::install_roles(&db).await.context("installing the role permissions")?;
    if config.load_demo_tenants {
        seed_tenants_if_empty(&db, &config).await?;
    }
    let state = AppState::new(config, db, access::password::PasswordHasher::new())?;
    if state.config.load_demo_tenants {
        backoffice::demo::ensure(&state).await?;
    }
    if let files::ObjectStore::Local(_) = &state.files {
        // The local store creates its folders on first write; nothing to prepare.
    }
    Ok(state)
}

/// Delivers the outbox until `shutdown` resolves (inside `serve`, or alone as `eservice worker`).
/// Also, once an hour, removes expired sessions and sweeps stored files nobody needs.
pub async fn run_worker(state: AppState, shutdown: impl Future<Output = ()>) {
    let db = state.db.clone();
    let files = state.files.clone();
    let grace = state.config.file_sweep_grace;
    let housekeeping = async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            match store::sessions::unscoped_purge_expired(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "expired sessions removed"),
                Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
            }
            match store::staff::sessions::unscoped_purge_expired(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "expired staff sessions removed"),
                Err(e) => tracing::warn!(error = %e, "removing expired staff sessions failed"),
            }
            match store::operators::sessions::unscoped_purge_expired(&db, chrono::Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "expired operator sessions removed"),
                Err(e) => tracing::warn!(error = %e, "removing expired operator sessions failed"),
            }
            match app::stored_files::sweep(&db, &files, grace).await {
                Ok(swept) if swept.removed() + swept.failed == 0 => {}
                Ok(swept) => tracing::info!(
                    orphans = swept.orphans, staged = swept.staged, temporaries = swept.temporaries,
                    failed = swept.failed, seen = swept.seen, "removed stored files no row needs"
                ),
                Err(e) => tracing::warn!(error = format!("{e:#}"), "sweeping stored files failed"),
            }
        }
    };
    tokio::select! {
        () = notify::run_worker(state.db.clone(), state.mailer.clone(), worker_options(&state.config), shutdown) => {}
        () = housekeeping => {}
    }
}

/// The outbox worker's settings: the configured lease, and sends bounded well within it.
fn worker_options(config: &Config) -> notify::WorkerOptions {
    let defaults = notify::WorkerOptions::default();
    notify::WorkerOptions { lease: config.outbox_lease, send_timeout: defaults.send_timeout.min(config.outbox_lease / 3), ..defaults }
}

/// Opens the configured database; an embedded SQLite file gets its folder created first.
pub async fn connect(config: &Config, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    use anyhow::Context as _;
    if let Some(path) = config.sqlite_path() {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    store::connect(config.database_url.expose(), max_connections)
        .await
        .context("connecting to the database (DATABASE_URL)")
}

/// Applies every folder of `tenants_dir` when the database has no tenant yet.
async fn seed_tenants_if_empty(db: &DatabaseConnection, config: &Config) -> anyhow::Result<()> {
    if store::tenants::count(db).await? > 0 || !config.tenants_dir.is_dir() {
        return Ok(());
    }
    for dir in store::tenant_dir::tenant_dirs(&config.tenants_dir)? {
        match store::tenant_dir::load_dir(&dir) {
            Ok(bundle) => {
                store::tenants::apply(db, &bundle, false).await?;
                tracing::info!(tenant = %bundle.tenant.slug, "loaded demo tenant");
            }
            Err(errors) => {
                for e in errors {
                    tracing::warn!("skipping demo tenant: {e}");
                }
            }
        }
    }
    Ok(())
}

/// Every route of the product. Tenant routes are reached only through the Host dispatcher.
pub fn app(state: AppState) -> Router {
    let https = state.config.https;
    let metered = state.config.metrics_listen.is_some();
    let tenant_site = Router::new()
        .merge(pages::tenant_router())
        .merge(assets::tenant_router())
        .merge(accounts::registration::router())
        .merge(accounts::login::router())
        .merge(accounts::terms::router())
        .merge(services::router())
        .merge(requests::router())
        .merge(backoffice::router())
        .merge(api::tenant_router())
        .merge(dev_mailbox_router(&state));
    let tenant_site = metrics::tagged(tenant_site, metered)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(move |req, next| accounts::csrf::ensure_cookie(https, req, next)))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state.clone());
    let platform_site = Router::new()
        .merge(pages::platform_router())
        .merge(operator::router())
        .merge(operator::api::router().split_for_parts().0);
    let platform_site = metrics::tagged(platform_site, metered)
        .fallback(not_found)
        .layer(axum::middleware::from_fn(move |req, next| accounts::csrf::ensure_cookie(https, req, next)))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state.clone());
    let sites = Sites { state: state.clone(), tenant: tenant_site, platform: platform_site };

    let x_request_id = HeaderName::from_static("x-request-id");
    let site = metrics::tagged(Router::new().merge(health::router()).merge(assets::router()), metered)
        .with_state(state)
        .fallback(move |req: Request| dispatch(sites.clone(), req))
        .layer(security_headers())
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!(
                "request",
                request_id = %id,
                tenant = tracing::field::Empty,
                method = %req.method(),
                host = %host,
                path = %req.uri().path()
            )
        })
        .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid));
    if metered { site.layer(axum::middleware::from_fn(metrics::track)) } else { site }
}

fn security_headers() -> tower::layer::util::Stack<
    SetResponseHeaderLayer<HeaderValue>,
    tower::layer::util::Stack<SetResponseHeaderLayer<HeaderValue>, tower::layer::util::Stack<SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>>>,
> {
    tower::layer::util::Stack::new(
        SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        tower::layer::util::Stack::new(
            SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
            tower::layer::util::Stack::new(
                SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
                SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                    ),
                ),
            ),
        ),
    )
}

/// The largest request body accepted (several ID photos or evidence files); forms are checked
/// against it when a tenant is applied.
pub const MAX_BODY_BYTES: usize = domain::form::MAX_REQUEST_BYTES as usize;

fn dev_mailbox_router(state: &AppState) -> Router<AppState> {
    if state.config.dev_mailbox { accounts::login::dev_mailbox_router() } else { Router::new() }
}

#[derive(Clone)]
struct Sites {
    state: AppState,
    tenant: Router,
    platform: Router,
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// Sends the request to the tenant site or the platform site by its Host, and renders errors.
async fn dispatch(sites: Sites, mut req: Request) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    let (mut parts, body) = req.into_parts();
    let lang = RequestLang::from_parts(&parts).0;
    let path = parts.uri.path().to_owned();
    parts.extensions.insert(RequestLang(lang));
    req = Request::from_parts(parts, body);

    let (response, tenant) = match sites.state.tenants.resolve(host.as_deref()).await {
        Ok(Site::Platform) => (sites.platform.oneshot(req).await.into_response(), None),
        Ok(Site::Tenant(t)) if t.status == domain::tenant::TenantStatus::Active => {
            tracing::Span::current().record("tenant", t.slug.as_str());
            let tenant = Tenant(t);
            req.extensions_mut().insert(tenant.clone());
            (sites.tenant.oneshot(req).await.into_response(), Some(tenant))
        }
        Ok(Site::Tenant(_)) => (AppError::Unavailable.into_response(), None),
        Ok(Site::Unknown) => (AppError::NotFound.into_response(), None),
        Err(e) => (e.into_response(), None),
    };
    match response.extensions().get::<ErrorInfo>().cloned() {
        Some(info) => {
            let mut rendered = render_error(&sites.state, response.status(), info, lang, &path, tenant.as_ref());
            if let Some(route) = response.extensions().get::<metrics::RouteTemplate>() {
                rendered.extensions_mut().insert(route.clone());
            }
            if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
                rendered.headers_mut().insert(header::RETRY_AFTER, retry.clone());
            }
            rendered
        }
        None => response,
    }
}

/// Every refusal of the JSON API: a code to branch on and a message in the request's language.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub(crate) struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: String,
    /// Each field that was refused (422, 409), with its own code and message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldView>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct FieldView {
    field: String,
    code: String,
    message: String,
}

#[derive(Serialize)]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
    /// A way back to the platform page when no tenant could be shown.
    platform_url: Option<String>,
}

fn render_error(
    state: &AppState,
    status: StatusCode,
    info: ErrorInfo,
    lang: domain::locale::Lang,
    path: &str,
    tenant: Option<&Tenant>,
) -> Response {
    let views = &state.views;
    if path.starts_with("/api/") {
        let fields = info
            .fields
            .iter()
            .map(|f| FieldView {
                field: f.field.clone(),
                code: f.code.clone(),
                message: fill(views.t(lang, &f.message_key()), &[("detail", f.detail.clone().unwrap_or_default())]),
            })
            .collect();
        let body = ErrorBody { error: ErrorDetail { code: info.code, message: fill(views.t(lang, info.message_key), &info.params), fields } };
        return (status, axum::Json(body)).into_response();
    }
    let platform_url = tenant.is_none().then(|| {
        let scheme = if state.config.https { "https" } else { "http" };
        match state.config.public_port {
            Some(port) => format!("{scheme}://{}:{port}/", state.config.base_domain),
            None => format!("{scheme}://{}/", state.config.base_domain),
        }
    });
    let page = ErrorPage {
        status: status.as_u16(),
        title: views.t(lang, info.title_key),
        message: fill(views.t(lang, info.message_key), &info.params),
        platform_url,
    };
    match views.page("error.html", &PageCtx::new(lang, path, tenant), &page) {
        Ok(Html(html)) => (status, Html(html)).into_response(),
        Err(_) => (status, page.message).into_response(),
    }
}

fn fill(mut text: String, params: &[(&str, String)]) -> String {
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// Serves until `shutdown` resolves, then finishes in-flight requests within the shutdown deadline.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timeouts = state.config.http;
    let trusted = state.config.trusted_proxies.clone().into();
    server::run(listener, app(state), timeouts, trusted, shutdown).await
}

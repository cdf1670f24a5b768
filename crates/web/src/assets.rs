//! Static files compiled into the binary (stylesheet, Thai webfont) and each tenant's branding.

use axum::Router;
use axum::extract::State;
use crate::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

use crate::error::AppError;
use crate::state::AppState;
use crate::tenancy::Tenant;

const APP_CSS: &str = include_str!("../static/app.css");
const ADDRESS_JS: &str = include_str!("../static/address.js");
const ADMIN_BUILDER_JS: &str = include_str!("../static/admin-builder.js");
const FONT_THAI_REGULAR: &[u8] = include_bytes!("../../files/fonts/NotoSansThai-Regular.ttf");
const FONT_THAI_BOLD: &[u8] = include_bytes!("../../files/fonts/NotoSansThai-Bold.ttf");
const FONT_LATIN_REGULAR: &[u8] = include_bytes!("../../files/fonts/NotoSans-Regular.ttf");
const FONT_LATIN_BOLD: &[u8] = include_bytes!("../../files/fonts/NotoSans-Bold.ttf");
const FAVICON: &str = include_str!("../static/favicon.svg");
const FONT_LICENCE: &str = include_str!("../../files/fonts/OFL.txt");

static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    h.update(APP_CSS.as_bytes());
    h.update(ADDRESS_JS.as_bytes());
    h.update(ADMIN_BUILDER_JS.as_bytes());
    h.update(FONT_THAI_REGULAR);
    h.update(FONT_THAI_BOLD);
    hex::encode(&h.finalize()[..6])
});

/// A short digest of the static files, appended to their URLs so they can be cached forever.
pub fn version() -> &'static str {
    &VERSION
}

/// `/static/…`: no tenant needed.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/{file}", get(static_file))
        .route("/favicon.ico", get(|| async { axum::response::Redirect::permanent("/static/favicon.svg") }))
}

/// `/branding/…`: the current tenant's logo and colours.
pub fn tenant_router() -> Router<AppState> {
    Router::new()
        .route("/branding/logo", get(logo))
        .route("/branding/slots/{n}", get(slot_example))
        .route("/branding/theme.css", get(theme))
}

async fn static_file(Path(file): Path<String>) -> Response {
    let (body, mime): (&'static [u8], &str) = match file.as_str() {
        "app.css" => (APP_CSS.as_bytes(), "text/css; charset=utf-8"),
        "address.js" => (ADDRESS_JS.as_bytes(), "text/javascript; charset=utf-8"),
        "admin-builder.js" => (ADMIN_BUILDER_JS.as_bytes(), "text/javascript; charset=utf-8"),
        "noto-sans-thai-regular.ttf" => (FONT_THAI_REGULAR, "font/ttf"),
        "noto-sans-thai-bold.ttf" => (FONT_THAI_BOLD, "font/ttf"),
        "noto-sans-regular.ttf" => (FONT_LATIN_REGULAR, "font/ttf"),
        "noto-sans-bold.ttf" => (FONT_LATIN_BOLD, "font/ttf"),
        "favicon.svg" => (FAVICON.as_bytes(), "image/svg+xml"),
        "fonts-licence.txt" => (FONT_LICENCE.as_bytes(), "text/plain; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream"))),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        body,
    )
        .into_response()
}

async fn logo(State(state): State<AppState>, Tenant(tenant): Tenant, headers: HeaderMap) -> Result<Response, AppError> {
    let etag = format!("\"{}\"", tenant.revision);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let (bytes, mime) = store::tenants::logo(&state.db, tenant.id).await?.ok_or(AppError::NotFound)?;
    let mime = HeaderValue::from_str(&mime).map_err(|e| AppError::Internal(e.into()))?;
    let etag = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
            // An SVG logo opened directly must not run scripts.
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'")),
        ],
        bytes,
    )
        .into_response())
}

/// The example picture of ID-photo slot `n` (1-based), as the "ยืนยันตัวตน" step shows it.
async fn slot_example(State(state): State<AppState>, Tenant(tenant): Tenant, headers: HeaderMap, crate::extract::Path(n): crate::extract::Path<usize>) -> Result<Response, AppError> {
    let etag = format!("\"{}-{n}\"", tenant.revision);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    let slot = n.checked_sub(1).ok_or(AppError::NotFound)?;
    let (bytes, mime) = store::tenants::slot_example(&state.db, &tenant, slot).await?.ok_or(AppError::NotFound)?;
    let mime = HeaderValue::from_str(&mime).map_err(|e| AppError::Internal(e.into()))?;
    let etag = HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?;
    Ok(([(header::CONTENT_TYPE, mime), (header::ETAG, etag), (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"))], bytes).into_response())
}

async fn theme(Tenant(tenant): Tenant) -> Response {
    let b = &tenant.settings.branding;
    let css = format!(":root{{--primary:{};--accent:{};}}\n", b.primary_color, b.accent_color);
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300")),
        ],
        css,
    )
        .into_response()
}

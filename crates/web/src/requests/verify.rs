//! The public `/verify/<code>` page an inspecting officer opens from a document's QR code: issuer,
//! type, the holder's masked name, issue date and whether it is still valid. Only this tenant's
//! documents are found; an unknown code is a plain 404 page.

use axum::extract::State;
use crate::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use domain::locale::{Lang, format_date};
use serde::Serialize;
use store::documents::{self, Validity};
use uuid::Uuid;

use super::view;
use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(Serialize)]
struct VerifyPage {
    code: String,
    issuer: String,
    kind_label: String,
    title: String,
    number: String,
    holder: String,
    issued: String,
    valid_until: Option<String>,
    state: &'static str,
    state_label: String,
    revoked_on: Option<String>,
    revoked_reason: Option<String>,
}

#[derive(Serialize)]
struct UnknownPage {
    code: String,
}

/// "สมชาย ใ***": the first name and the first letter of the surname.
pub fn masked_name(first: &str, last: &str) -> String {
    match last.chars().next() {
        Some(initial) => format!("{first} {initial}***"),
        None => first.to_owned(),
    }
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug))]
pub async fn page(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let scope = tenant.scope();
    let path = format!("/verify/{code}");
    let ctx = PageCtx::new(lang, &path, Some(&tenant));
    let Some(doc) = documents::by_code(&state.db, scope, &code).await? else {
        let html = state.views.page("verify_unknown.html", &ctx, &UnknownPage { code: code.chars().take(40).collect() })?;
        return Ok((StatusCode::NOT_FOUND, no_store(html)).into_response());
    };
    let holder = store::citizens::find(&state.db, scope, doc.citizen_id)
        .await?
        .map(|c| masked_name(&c.first_name, &c.last_name))
        .unwrap_or_default();
    let validity = documents::validity(&doc, view::thai_date(Utc::now()));
    let state_code = view::validity_code(&validity);
    let (revoked_on, revoked_reason) = match &validity {
        Validity::Revoked { at, reason } => (Some(format_date(view::thai_date(*at), lang)), reason.clone()),
        _ => (None, None),
    };
    let body = VerifyPage {
        code: doc.verification_code.clone(),
        issuer: tenant.name(lang).to_owned(),
        kind_label: state.views.t(lang, &format!("document.kind.{}", doc.kind)),
        title: match lang {
            Lang::Th => doc.title_th.clone(),
            Lang::En => doc.title_en.clone(),
        },
        number: doc.number.clone(),
        holder,
        issued: format_date(view::thai_date(doc.issued_at), lang),
        valid_until: doc.valid_until.map(|d| format_date(d, lang)),
        state: state_code,
        state_label: state.views.t(lang, &format!("document.state.{state_code}")),
        revoked_on,
        revoked_reason,
    };
    let html = state.views.page("verify.html", &ctx, &body)?;
    Ok(no_store(html).into_response())
}

/// A verification answers for now: never from a cache after a revocation.
fn no_store(html: Html<String>) -> Response {
    let mut response = html.into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /requests/{reference}/documents/{id}/qr.svg`: the QR code of the document's verify URL.
pub async fn qr(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    Path((reference, id)): Path<(String, Uuid)>,
) -> Result<Response, AppError> {
    let doc = documents::find_for_citizen(&state.db, tenant.scope(), me.citizen.id, &reference, id).await?.ok_or(AppError::NotFound)?;
    let url = view::verify_url(&state, &tenant.0, &doc.verification_code);
    let svg = qr_svg(&url)?;
    let mut response = svg.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    Ok(response)
}

pub fn qr_svg(text: &str) -> Result<String, AppError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("making a QR code: {e}")))?;
    Ok(code.render::<svg::Color>().min_dimensions(200, 200).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_after_the_surname_initial() {
        assert_eq!(masked_name("สมชาย", "ใจดี"), "สมชาย ใ***");
        assert_eq!(masked_name("Ann", ""), "Ann");
    }

    #[test]
    fn qr_codes_are_svg() {
        let svg = qr_svg("http://demo.localhost/verify/ABCDEFGHJKLM").unwrap_or_default();
        assert!(svg.contains("<svg"));
    }
}

//! `GET /documents`: every receipt and licence issued to the citizen, across requests.

use axum::extract::State;
use crate::extract::Query;
use axum::response::Html;
use serde::Serialize;
use store::documents;
use store::requests::track;

use super::PER_PAGE;
use super::view::{self, DocumentView, PageQuery, Pager};
use crate::accounts::csrf::CsrfToken;
use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(Serialize)]
struct DocumentsPage {
    csrf_token: String,
    documents: Vec<DocumentView>,
    pager: Pager,
}

/// The citizen's documents with the reference of the request each was issued on.
pub async fn own_documents(
    state: &AppState,
    tenant: &Tenant,
    me: &CurrentCitizen,
    lang: domain::locale::Lang,
    page: u64,
) -> Result<(Vec<DocumentView>, u64), AppError> {
    let scope = tenant.scope();
    let found = documents::list_for_citizen(&state.db, scope, me.citizen.id, page, PER_PAGE).await?;
    let ids: Vec<uuid::Uuid> = found.items.iter().map(|d| d.request_id).collect();
    let references = track::references_for_citizen(&state.db, scope, me.citizen.id, &ids).await?;
    let out = found
        .items
        .iter()
        .map(|doc| {
            let reference = references.get(&doc.request_id).map(String::as_str).unwrap_or_default();
            view::document_view(state, &tenant.0, lang, reference, doc)
        })
        .collect();
    Ok((out, found.total))
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn list(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, AppError> {
    let page = q.number();
    let (documents, total) = own_documents(&state, &tenant, &me, lang, page).await?;
    let body = DocumentsPage { csrf_token: csrf.0, documents, pager: Pager::new(page, total, PER_PAGE) };
    state.views.page("documents_list.html", &PageCtx::new(lang, "/documents", Some(&tenant)), &body)
}

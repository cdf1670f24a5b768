//! `GET /requests` (my requests, paginated) and `GET /requests/{reference}` (answers, files,
//! timeline with staff notes, documents).

use axum::extract::State;
use crate::extract::{Path, Query};
use axum::response::Html;
use serde::Serialize;
use store::requests::track;

use super::view::{self, AnswerView, DocumentView, PageQuery, Pager, StatusView};
use super::{PER_PAGE, progress};
use crate::accounts::csrf::CsrfToken;
use crate::accounts::session::CurrentCitizen;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;

#[derive(Serialize)]
struct Row {
    reference: String,
    service: String,
    submitted: String,
    status: StatusView,
    rejection_reason: Option<String>,
    url: String,
}

#[derive(Serialize)]
struct ListPage {
    csrf_token: String,
    rows: Vec<Row>,
    pager: Pager,
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
    let scope = tenant.scope();
    let page = q.number();
    let found = track::list_rows_for_citizen(&state.db, scope, me.citizen.id, page, PER_PAGE).await?;
    let rows = found
        .items
        .into_iter()
        .map(|r| Row {
            service: match lang {
                domain::locale::Lang::Th => r.title_th,
                domain::locale::Lang::En => r.title_en,
            }
            .unwrap_or_default(),
            submitted: view::when(r.submitted_at, lang),
            status: view::status_view(&state.views, lang, &r.status),
            url: format!("/requests/{}", r.reference),
            reference: r.reference,
            rejection_reason: r.rejection_reason,
        })
        .collect();
    let body = ListPage { csrf_token: csrf.0, rows, pager: Pager::new(page, found.total, PER_PAGE) };
    state.views.page("requests_list.html", &PageCtx::new(lang, "/requests", Some(&tenant)), &body)
}

#[derive(Serialize)]
struct ShowPage {
    csrf_token: String,
    reference: String,
    service: String,
    submitted: String,
    form_version: i32,
    status: StatusView,
    rejection_reason: Option<String>,
    answers: Vec<AnswerView>,
    file_groups: Vec<progress::FileGroup>,
    steps: Vec<progress::Step>,
    documents: Vec<DocumentView>,
    notes: Vec<view::NoteView>,
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.0.slug, citizen = %me.citizen.id))]
pub async fn show(
    State(state): State<AppState>,
    tenant: Tenant,
    me: CurrentCitizen,
    RequestLang(lang): RequestLang,
    csrf: CsrfToken,
    Path(reference): Path<String>,
) -> Result<Html<String>, AppError> {
    let scope = tenant.scope();
    let d = view::detail(&state, scope, me.citizen.id, &reference).await?;
    let r = &d.request;
    let version = u32::try_from(r.form_version).unwrap_or_default();
    let form = store::services::form_version(&state.db, scope, &r.form_key, version).await?;
    let body = ShowPage {
        csrf_token: csrf.0,
        reference: r.reference.clone(),
        service: view::service_title(&state, scope, r.item_id, lang).await?,
        submitted: view::when(r.submitted_at, lang),
        form_version: r.form_version,
        status: view::status_view(&state.views, lang, &r.status),
        rejection_reason: r.rejection_reason.clone(),
        answers: view::answers(&state, scope, r, lang).await?,
        file_groups: progress::file_groups(form.as_ref().map(|f| &f.schema), &r.reference, &d.files, lang),
        steps: progress::timeline(&state.views, lang, &d.events, &r.status),
        documents: d.documents.iter().map(|doc| view::document_view(&state, &tenant.0, lang, &r.reference, doc)).collect(),
        notes: d.notes.iter().map(|n| view::note_view(lang, n)).collect(),
    };
    let path = format!("/requests/{}", r.reference);
    state.views.page("requests_show.html", &PageCtx::new(lang, &path, Some(&tenant)), &body)
}

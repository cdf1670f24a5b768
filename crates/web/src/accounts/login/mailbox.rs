//! The development mailbox: the newest messages the file transport wrote, one message's text with
//! its links, and its HTML in a sandboxed frame served under a CSP that allows nothing active.

use axum::Router;
use axum::extract::State;
use crate::extract::Path;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use notify::dev_mailbox::{self, MailSummary, MailView};
use serde::Serialize;
use std::path::PathBuf;

use crate::email::in_thailand;
use crate::error::AppError;
use crate::i18n::RequestLang;
use crate::render::PageCtx;
use crate::state::AppState;
use crate::tenancy::Tenant;

const NEWEST: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dev/mailbox", get(list))
        .route("/dev/mailbox/{id}", get(show))
        .route("/dev/mailbox/{id}/html", get(html))
}

#[derive(Serialize)]
struct ListPage {
    messages: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    summary: MailSummary,
    /// Bangkok time, for people reading the list.
    when: String,
}

async fn list(State(state): State<AppState>, tenant: Tenant, RequestLang(lang): RequestLang, uri: Uri) -> Result<Html<String>, AppError> {
    let dir = mailbox_dir(&state)?;
    let messages = blocking(move || dev_mailbox::list(&dir, NEWEST)).await?;
    let messages = messages
        .into_iter()
        .map(|summary| {
            let when = in_thailand(summary.date).format("%Y-%m-%d %H:%M:%S").to_string();
            Row { summary, when }
        })
        .collect();
    state.views.page("mailbox.html", &PageCtx::new(lang, uri.path(), Some(&tenant)), &ListPage { messages })
}

#[derive(Serialize)]
struct MessagePage {
    id: String,
    message: MailView,
    /// The text part split into plain text and links, so the links can be followed.
    text: Vec<Piece>,
}

#[derive(Serialize)]
struct Piece {
    text: String,
    link: bool,
}

async fn show(
    State(state): State<AppState>,
    tenant: Tenant,
    RequestLang(lang): RequestLang,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    let message = read(&state, id.clone()).await?;
    let text = message.text.as_deref().map(split_links).unwrap_or_default();
    state.views.page("mailbox_message.html", &PageCtx::new(lang, uri.path(), Some(&tenant)), &MessagePage { id, message, text })
}

/// The message's own HTML, for the frame on its page only: no scripts, no requests but the site's
/// font, no forms.
async fn html(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let html = with_thai_font(read(&state, id).await?.html.ok_or(AppError::NotFound)?);
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; img-src data:; frame-ancestors 'self'; sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox",
                ),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        Html(html),
    )
        .into_response())
}

/// Mail clients have Thai fonts; the machines that run the trial mode (CI, servers) often do not.
const THAI_FONT: &str = "<style>@font-face{font-family:'Noto Sans Thai';font-weight:400;src:url(/static/noto-sans-thai-regular.ttf)}\
@font-face{font-family:'Noto Sans Thai';font-weight:700;src:url(/static/noto-sans-thai-bold.ttf)}</style>";

fn with_thai_font(html: String) -> String {
    match html.find("<head>") {
        Some(at) => format!("{}{THAI_FONT}{}", &html[..at + "<head>".len()], &html[at + "<head>".len()..]),
        None => format!("{THAI_FONT}{html}"),
    }
}

async fn read(state: &AppState, id: String) -> Result<MailView, AppError> {
    let dir = mailbox_dir(state)?;
    blocking(move || dev_mailbox::read(&dir, &id)).await?.ok_or(AppError::NotFound)
}

fn mailbox_dir(state: &AppState) -> Result<PathBuf, AppError> {
    state.mailer.mailbox_dir().map(PathBuf::from).ok_or(AppError::NotFound)
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(anyhow::anyhow!("reading the dev mailbox: {e}")))
}

/// Splits text at every `http://` or `https://` link (which ends at whitespace or a bracket).
fn split_links(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = ["http://", "https://"].iter().filter_map(|scheme| rest.find(scheme)).min() {
        let end = rest[start..].find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')')).map_or(rest.len(), |e| start + e);
        if start > 0 {
            pieces.push(Piece { text: rest[..start].to_owned(), link: false });
        }
        pieces.push(Piece { text: rest[start..end].to_owned(), link: true });
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        pieces.push(Piece { text: rest.to_owned(), link: false });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::split_links;

    #[test]
    fn links_are_found_in_text() {
        let pieces = split_links("คลิก http://demo.localhost:8080/password/reset?token=abc\nแล้ว (https://x.test/a) จบ");
        let shown: Vec<(bool, &str)> = pieces.iter().map(|p| (p.link, p.text.as_str())).collect();
        assert_eq!(
            shown,
            vec![
                (false, "คลิก "),
                (true, "http://demo.localhost:8080/password/reset?token=abc"),
                (false, "\nแล้ว ("),
                (true, "https://x.test/a"),
                (false, ") จบ"),
            ]
        );
        assert!(split_links("").is_empty());
    }
}

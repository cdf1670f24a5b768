//! Tracking: my requests, a request with its answers, files and timeline, my documents, and the
//! tenant's public `/verify/<code>` page for the receipts and licences issued on them.

mod documents;
pub(crate) mod download;
pub mod mail;
mod pages;
mod progress;
pub(crate) mod verify;
pub(crate) mod view;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

/// Requests and documents shown per page.
pub const PER_PAGE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(pages::list))
        .route("/requests/{reference}", get(pages::show))
        .route("/requests/{reference}/files/{id}", get(download::file))
        .route("/requests/{reference}/documents/{id}", get(download::document))
        .route("/requests/{reference}/documents/{id}/qr.svg", get(verify::qr))
        .route("/documents", get(documents::list))
        .route("/verify/{code}", get(verify::page))
}

pub(crate) use download::document_response;

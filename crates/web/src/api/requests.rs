//! `GET /api/v1/requests`, `/requests/{reference}` and its documents. (Being built.)

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

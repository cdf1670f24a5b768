//! `GET /api/v1/services` and `POST /api/v1/requests`. (Being built.)

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

//! Tracking: my requests, a request with its timeline and files, my documents, verification. (Being built.)

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

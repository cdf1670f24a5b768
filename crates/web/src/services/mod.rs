//! The citizen side of services: categories, sub-menus, forms, submission. (Being built.)

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

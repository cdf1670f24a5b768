use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}

pub fn dev_mailbox_router() -> Router<AppState> {
    Router::new()
}

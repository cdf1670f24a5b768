//! What the registration pages and the API share besides the use cases
//! (`app::citizens::{registration, photos}`): where a citizen lands, the upload limits, and
//! reading a stored picture back.

use anyhow::Context as _;
use bytes::Bytes;
use files::ImageLimits;
use store::citizens::{Citizen, identity_status};

use crate::error::AppError;
use crate::state::AppState;

pub use app::citizens::thai_today;

/// Where a signed-in citizen belongs: the photo step until photos are in, else the welcome page.
pub fn landing_path(citizen: &Citizen) -> &'static str {
    if citizen.identity_status == identity_status::PHOTOS_REQUIRED { "/register/identity" } else { "/welcome" }
}

/// The limits every upload is held to before and while it is decoded.
pub fn image_limits() -> ImageLimits {
    ImageLimits::default()
}

/// A stored image of the citizen: one of their ID photos, or their profile picture.
pub async fn image_bytes(state: &AppState, key: &str) -> Result<Bytes, AppError> {
    state.files.get(key).await.context("reading an image from object storage")?.ok_or(AppError::NotFound)
}

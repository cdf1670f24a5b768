//! The use cases: one function per thing a citizen or a person at the municipality does. Each
//! owns its transaction, writes its audit record and outbox message, and returns its own error
//! type; a use case that needs a permission takes the `Granted<P>` capability the enforcer minted.
//! `web` parses a request, calls one of these, and renders what comes back; the HTML pages and the
//! JSON API call the same ones.

pub mod admin;
pub mod audit;
pub mod backoffice;
pub mod citizens;
pub mod letters;
pub mod operator;
pub mod staff;
pub mod stored_files;
pub mod submission;

use std::sync::Arc;

use access::authz::Authorizer;
use access::password::PasswordHasher;
use anyhow::Context as _;
use sea_orm::DatabaseConnection;
use tokio::sync::Semaphore;

pub use letters::{IdentityOutcome, Letters};

/// What every use case works with.
#[derive(Clone)]
pub struct App {
    pub db: DatabaseConnection,
    pub files: files::ObjectStore,
    pub hasher: PasswordHasher,
    pub authz: Authorizer,
    pub letters: Arc<dyn Letters>,
    /// Bounds concurrent image decoding and stamping to the number of cores.
    pub image_permits: Arc<Semaphore>,
}

impl App {
    /// Runs the image pipeline off the async runtime, at most one image per permit at a time.
    /// The outer error is the task failing; the inner one is the image being refused.
    pub async fn process_image(
        &self,
        bytes: bytes::Bytes,
        work: impl FnOnce(&[u8], &files::ImageLimits) -> Result<files::ProcessedImage, files::ImageError> + Send + 'static,
    ) -> anyhow::Result<Result<files::ProcessedImage, files::ImageError>> {
        let permit = self.image_permits.clone().acquire_owned().await.context("image permits closed")?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            span.in_scope(|| work(&bytes, &files::ImageLimits::default()))
        })
        .await
        .context("image task panicked")
    }
}

/// Where a client acts from and with what: its address (for limits and the audit trail), its
/// user agent, and the session kind it gets (`web` or `api`).
#[derive(Clone, Debug)]
pub struct Client<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub kind: &'a str,
}

/// One field a citizen must correct, by its form name and a code the message catalogue words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub field: String,
    pub code: String,
}

impl Issue {
    pub fn new(field: impl Into<String>, code: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into() }
    }
}

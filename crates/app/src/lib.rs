//! The use cases: one function per thing a person at the municipality does. Each owns its
//! transaction, writes its audit record and outbox message, and returns its own error type; a
//! use case that needs a permission takes the `Granted<P>` capability the enforcer minted.
//! `web` parses a request, calls one of these, and renders what comes back.

pub mod admin;
pub mod audit;
pub mod backoffice;
pub mod letters;
pub mod staff;
pub mod stored_files;

use std::sync::Arc;

use access::authz::Authorizer;
use access::password::PasswordHasher;
use sea_orm::DatabaseConnection;

pub use letters::{IdentityOutcome, Letters};

/// What every use case works with.
#[derive(Clone)]
pub struct App {
    pub db: DatabaseConnection,
    pub files: files::ObjectStore,
    pub hasher: PasswordHasher,
    pub authz: Authorizer,
    pub letters: Arc<dyn Letters>,
}

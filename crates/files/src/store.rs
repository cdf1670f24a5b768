//! Where file bytes live: a local folder (the embedded default) or an S3-compatible bucket.
//! Keys are made here, always start with the tenant, and are checked before any backend sees them.

mod local;
mod s3;

use anyhow::Context as _;
use bytes::Bytes;
use chrono::Datelike as _;
use sha2::{Digest as _, Sha256};

pub use local::LocalStore;
pub use s3::{DEFAULT_TIMEOUT as S3_DEFAULT_TIMEOUT, S3Settings, S3Store};

const MAX_KEY_LEN: usize = 512;

#[derive(Debug, Clone)]
pub enum ObjectStore {
    Local(LocalStore),
    S3(S3Store),
}

impl ObjectStore {
    #[tracing::instrument(skip(self, bytes), fields(size = bytes.len()))]
    pub async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()> {
        check_key(key)?;
        match self {
            ObjectStore::Local(store) => store.put(key, bytes).await,
            ObjectStore::S3(store) => store.put(key, bytes, content_type).await,
        }
    }

    /// The object's bytes, or `None` when there is no object under the key.
    #[tracing::instrument(skip(self))]
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        check_key(key)?;
        match self {
            ObjectStore::Local(store) => store.get(key).await,
            ObjectStore::S3(store) => store.get(key).await,
        }
    }

    /// Removes the object; removing a missing object is not an error.
    #[tracing::instrument(skip(self))]
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        check_key(key)?;
        match self {
            ObjectStore::Local(store) => store.delete(key).await,
            ObjectStore::S3(store) => store.delete(key).await,
        }
    }

    #[tracing::instrument(skip(self))]
    pub async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        check_key(key)?;
        match self {
            ObjectStore::Local(store) => store.exists(key).await,
            ObjectStore::S3(store) => store.exists(key).await,
        }
    }
}

/// A fresh server-side key, `<tenant>/<kind>/<yyyy>/<uuid>`; nothing of the uploaded file's
/// name ends up in it.
pub fn object_key(tenant_id: &str, kind: &str) -> String {
    let year = chrono::Utc::now().year();
    format!("{tenant_id}/{kind}/{year}/{}", uuid::Uuid::new_v4())
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Keys are relative paths of plain segments, so no key can climb out of the store's root or
/// collide with the local store's hidden temporary files.
fn check_key(key: &str) -> anyhow::Result<()> {
    let plain_segment = |segment: &str| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    let valid = key.len() <= MAX_KEY_LEN && key.split('/').all(plain_segment);
    valid
        .then_some(())
        .with_context(|| format!("refused object key {key:?}"))
}

#[cfg(test)]
mod tests;

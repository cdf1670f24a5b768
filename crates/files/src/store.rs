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

/// One stored file as a listing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub key: String,
    pub modified: std::time::SystemTime,
    /// Half of a write the local store never moved into place (the process died in between).
    pub temporary: bool,
}

/// Every stored file, a batch at a time: S3 a page per call, the local folder walked once.
pub struct Listing {
    store: ObjectStore,
    batch: usize,
    state: ListingState,
}

enum ListingState {
    Start,
    Local(std::vec::IntoIter<Listed>),
    S3(String),
    Done,
}

impl ObjectStore {
    pub fn list(&self, batch: usize) -> Listing {
        Listing { store: self.clone(), batch: batch.max(1), state: ListingState::Start }
    }

    /// Removes what a listing found: an object, or a temporary file of the local store.
    pub async fn remove_listed(&self, listed: &Listed) -> anyhow::Result<()> {
        match (self, listed.temporary) {
            (ObjectStore::Local(store), true) => store.remove_temporary(&listed.key).await,
            (ObjectStore::S3(_), true) => Ok(()),
            (_, false) => self.delete(&listed.key).await,
        }
    }
}

impl Listing {
    /// The next batch, or `None` when every file has been listed.
    pub async fn next_batch(&mut self) -> anyhow::Result<Option<Vec<Listed>>> {
        let token = match std::mem::replace(&mut self.state, ListingState::Done) {
            ListingState::Done => return Ok(None),
            ListingState::Start => match &self.store {
                ObjectStore::Local(store) => {
                    self.state = ListingState::Local(store.list_all().await?.into_iter());
                    return Ok(self.next_local());
                }
                ObjectStore::S3(_) => None,
            },
            ListingState::Local(rest) => {
                self.state = ListingState::Local(rest);
                return Ok(self.next_local());
            }
            ListingState::S3(token) => Some(token),
        };
        let ObjectStore::S3(store) = &self.store else { return Ok(None) };
        let (page, next) = store.list_page(token, self.batch).await?;
        if let Some(next) = next {
            self.state = ListingState::S3(next);
        }
        Ok(Some(page))
    }

    fn next_local(&mut self) -> Option<Vec<Listed>> {
        let ListingState::Local(rest) = &mut self.state else { return None };
        let batch: Vec<Listed> = rest.by_ref().take(self.batch).collect();
        if batch.is_empty() {
            self.state = ListingState::Done;
            return None;
        }
        Some(batch)
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

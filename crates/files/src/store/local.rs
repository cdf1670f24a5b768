//! Objects as files under one folder, written to a temporary name and renamed into place so a
//! reader never sees half a file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use bytes::Bytes;
use tokio::io::AsyncWriteExt as _;

#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalStore { root: root.into() }
    }

    /// Only called with keys `check_key` accepted: relative, no `..`, no backslash.
    fn path(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    pub(super) async fn put(&self, key: &str, bytes: Bytes) -> anyhow::Result<()> {
        let path = self.path(key);
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            anyhow::bail!("object key {key:?} has no file name");
        };
        tokio::fs::create_dir_all(dir)
            .await
            .with_context(|| format!("creating folder {}", dir.display()))?;
        let temporary = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            uuid::Uuid::new_v4()
        ));
        let written = write_durably(&temporary, &bytes).await;
        let renamed = match written {
            Ok(()) => tokio::fs::rename(&temporary, &path)
                .await
                .with_context(|| format!("moving {} into place", path.display())),
            Err(error) => Err(error),
        };
        if renamed.is_err() {
            let _ = tokio::fs::remove_file(&temporary).await;
        }
        renamed
    }

    pub(super) async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        let path = self.path(key);
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(Bytes::from(bytes))),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
        }
    }

    pub(super) async fn delete(&self, key: &str) -> anyhow::Result<()> {
        let path = self.path(key);
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(error) => Err(error).with_context(|| format!("deleting {}", path.display())),
        }
    }

    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        let path = self.path(key);
        tokio::fs::try_exists(&path)
            .await
            .with_context(|| format!("looking for {}", path.display()))
    }
}

async fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .await
        .with_context(|| format!("writing {}", path.display()))?;
    file.sync_all()
        .await
        .with_context(|| format!("flushing {}", path.display()))
}

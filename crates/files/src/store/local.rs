//! Objects as files under one folder, written to a temporary name and renamed into place so a
//! reader never sees half a file.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use bytes::Bytes;
use tokio::io::AsyncWriteExt as _;

use super::Listed;

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

    /// Every file under the root, temporary ones included, in one walk (a blocking task).
    pub(super) async fn list_all(&self) -> anyhow::Result<Vec<Listed>> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            walk(&root, &root, &mut found)?;
            found.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(found)
        })
        .await
        .context("listing the local store")?
    }

    /// Removes a temporary file that a crash between write and rename left behind.
    pub(super) async fn remove_temporary(&self, key: &str) -> anyhow::Result<()> {
        let (dir, name) = key.rsplit_once('/').unwrap_or(("", key));
        anyhow::ensure!(is_temporary(name) && (dir.is_empty() || super::check_key(dir).is_ok()), "{key:?} is not a temporary file");
        self.delete(key).await
    }

    pub(super) async fn exists(&self, key: &str) -> anyhow::Result<bool> {
        let path = self.path(key);
        tokio::fs::try_exists(&path)
            .await
            .with_context(|| format!("looking for {}", path.display()))
    }
}

fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Collects the files under `dir` as keys relative to `root`; names no key could have (a stray
/// file an operator put there) are left out, so a sweep never touches them.
fn walk(root: &Path, dir: &Path, found: &mut Vec<Listed>) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error).with_context(|| format!("listing {}", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        let kind = entry.file_type().with_context(|| format!("reading {}", path.display()))?;
        if kind.is_dir() {
            walk(root, &path, found)?;
            continue;
        }
        let Some(key) = path.strip_prefix(root).ok().and_then(Path::to_str).map(|k| k.replace('\\', "/")) else {
            continue;
        };
        let name = key.rsplit('/').next().unwrap_or_default();
        let temporary = is_temporary(name);
        if !kind.is_file() || !(temporary || super::check_key(&key).is_ok()) {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified()).with_context(|| format!("reading {}", path.display()))?;
        found.push(Listed { key, modified, temporary });
    }
    Ok(())
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

//! The worker's sweep of the object store: files that no row points to (left by a process that
//! died between storing a file and committing its row), files staged for a refused form, and the
//! local store's half-written temporaries, each removed once older than the grace period.

use std::time::{Duration, SystemTime};

use sea_orm::DatabaseConnection;

/// Keys checked against the database per query.
const BATCH: usize = 500;

/// What one sweep found and removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    /// Files looked at, of any age.
    pub seen: usize,
    /// Objects no ID photo, request file, document or avatar names.
    pub orphans: usize,
    /// Files kept for a citizen to send again after a refused form.
    pub staged: usize,
    /// Temporaries of writes that never finished.
    pub temporaries: usize,
    /// Files that could not be removed this time (logged; the next sweep tries again).
    pub failed: usize,
}

impl SweepReport {
    pub fn removed(&self) -> usize {
        self.orphans + self.staged + self.temporaries
    }
}

/// Removes every stored file older than `grace` that nothing needs. A file younger than `grace`
/// is never touched, so an upload whose row is still being committed stays.
pub async fn sweep(db: &DatabaseConnection, files: &files::ObjectStore, grace: Duration) -> anyhow::Result<SweepReport> {
    let cutoff = SystemTime::now().checked_sub(grace).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut report = SweepReport::default();
    let mut listing = files.list(BATCH);
    while let Some(batch) = listing.next_batch().await? {
        report.seen += batch.len();
        let old: Vec<files::Listed> = batch.into_iter().filter(|f| f.modified < cutoff).collect();
        let keys: Vec<String> = old.iter().filter(|f| !f.temporary && !is_staged(&f.key)).map(|f| f.key.clone()).collect();
        let named = store::stored_objects::unscoped_referenced(db, &keys).await?;
        for file in old.iter().filter(|f| !named.contains(&f.key)) {
            if let Err(e) = files.remove_listed(file).await {
                tracing::warn!(key = %file.key, error = format!("{e:#}"), "could not remove a stored file nobody needs");
                report.failed += 1;
                continue;
            }
            match (file.temporary, is_staged(&file.key)) {
                (true, _) => report.temporaries += 1,
                (false, true) => report.staged += 1,
                (false, false) => report.orphans += 1,
            }
        }
    }
    Ok(report)
}

/// Staged uploads live under `<tenant>/staging/…` (see the web layer's `services::staging`).
fn is_staged(key: &str) -> bool {
    key.split('/').nth(1) == Some(STAGING_KIND)
}

/// The second segment of a staged upload's key.
pub const STAGING_KIND: &str = "staging";

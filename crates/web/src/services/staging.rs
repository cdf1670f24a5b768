//! Files of a refused HTML submission, kept for the next attempt so the citizen need not attach
//! them again. They live under `<tenant>/staging/<citizen>/<id>`: the key is rebuilt from the
//! signed-in citizen and tenant, so a page can only bring back its own citizen's files.

use domain::form::FieldIssue as FormIssue;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

use super::submission::Upload;
use crate::error::AppError;
use crate::state::AppState;

/// The page's inputs for kept files: `staged.<field key>` = `<id>/<file name>`.
pub const FIELD_PREFIX: &str = "staged.";

/// A kept file as the form shows it (a ticked checkbox: untick to drop it).
#[derive(Clone, Debug, Serialize)]
pub struct Staged {
    pub value: String,
    pub filename: String,
}

fn key(tenant: Uuid, citizen: Uuid, id: Uuid) -> String {
    format!("{tenant}/{}/{citizen}/{id}", app::stored_files::STAGING_KIND)
}

/// Puts the files named by the page's `staged.*` inputs back in front of each field's uploads;
/// an unknown or foreign id finds nothing and is ignored.
pub async fn restore(
    state: &AppState,
    tenant: Uuid,
    citizen: Uuid,
    values: &[(String, String)],
    files: &mut BTreeMap<String, Vec<Upload>>,
) -> Result<(), AppError> {
    let mut restored: BTreeMap<String, Vec<Upload>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (name, value) in values {
        let Some(field) = name.strip_prefix(FIELD_PREFIX) else { continue };
        let (id, filename) = value.split_once('/').unwrap_or((value.as_str(), "file"));
        let Ok(id) = Uuid::parse_str(id.trim()) else { continue };
        if !seen.insert(id) {
            continue;
        }
        let Some(bytes) = state.files.get(&key(tenant, citizen, id)).await.map_err(AppError::Internal)? else {
            continue;
        };
        restored.entry(field.to_owned()).or_default().push(Upload {
            filename: filename.to_owned(),
            bytes,
            oversize: false,
            staged: Some(id),
        });
    }
    for (field, mut kept) in restored {
        let list = files.entry(field).or_default();
        kept.append(list);
        *list = kept;
    }
    Ok(())
}

/// After a refusal: stores every file that was not itself refused (type, size) under staging
/// and returns, per field, what the page shows again.
pub async fn keep(
    state: &AppState,
    tenant: Uuid,
    citizen: Uuid,
    files: &mut BTreeMap<String, Vec<Upload>>,
    issues: &[FormIssue],
) -> Result<BTreeMap<String, Vec<Staged>>, AppError> {
    let refused: HashSet<&str> = issues.iter().map(|i| i.field.as_str()).collect();
    let mut shown: BTreeMap<String, Vec<Staged>> = BTreeMap::new();
    for (field, uploads) in files.iter_mut() {
        for (i, upload) in uploads.iter_mut().enumerate() {
            if upload.oversize || refused.contains(format!("{field}[{i}]").as_str()) {
                continue;
            }
            let id = match upload.staged {
                Some(id) => id,
                None => {
                    let id = Uuid::new_v4();
                    let mime = files::sniff(&upload.bytes).map(|s| s.mime()).unwrap_or("application/octet-stream");
                    state
                        .files
                        .put(&key(tenant, citizen, id), upload.bytes.clone(), mime)
                        .await
                        .map_err(AppError::Internal)?;
                    upload.staged = Some(id);
                    id
                }
            };
            let filename = domain::text::display_filename(&upload.filename, 200);
            shown.entry(field.clone()).or_default().push(Staged { value: format!("{id}/{filename}"), filename });
        }
    }
    Ok(shown)
}

/// Deletes the staged copies once the request holds the files.
pub async fn discard(state: &AppState, tenant: Uuid, citizen: Uuid, files: &BTreeMap<String, Vec<Upload>>) {
    for id in files.values().flatten().filter_map(|u| u.staged) {
        if let Err(e) = state.files.delete(&key(tenant, citizen, id)).await {
            tracing::warn!(error = format!("{e:#}"), "could not delete a staged upload");
        }
    }
}

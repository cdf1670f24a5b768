//! The citizen's request page, beyond the answers: the evidence files under the form field they
//! were attached to, and the timeline of every step, the steps still ahead included.

use domain::form::{FieldType, FormSchema};
use domain::locale::Lang;
use domain::request::Status;
use serde::Serialize;
use store::requests::{RequestEvent, RequestFile};

use super::view::{EventView, FileView, StatusView, event_view, file_view};
use crate::render::Views;

/// The files of one file field of the form, under that field's label.
#[derive(Serialize)]
pub struct FileGroup {
    pub key: String,
    pub label: String,
    pub files: Vec<FileView>,
}

/// Files grouped by the form's file fields, in the order of the form; files of a field the form
/// version no longer names come last, under their key.
pub fn file_groups(schema: Option<&FormSchema>, reference: &str, files: &[RequestFile], lang: Lang) -> Vec<FileGroup> {
    let mut groups: Vec<FileGroup> = schema
        .map(|s| s.fields.iter().filter(|f| f.kind == FieldType::File))
        .into_iter()
        .flatten()
        .map(|f| FileGroup { key: f.key.clone(), label: f.label.get(lang).to_owned(), files: Vec::new() })
        .collect();
    for file in files {
        match groups.iter_mut().find(|g| g.key == file.field_key) {
            Some(group) => group.files.push(file_view(reference, file)),
            None => groups.push(FileGroup {
                key: file.field_key.clone(),
                label: file.field_key.clone(),
                files: vec![file_view(reference, file)],
            }),
        }
    }
    groups.retain(|g| !g.files.is_empty());
    groups
}

/// A step of the timeline: one that happened (with its date and time) or one still ahead.
#[derive(Serialize)]
pub struct Step {
    #[serde(flatten)]
    pub event: EventView,
    /// `YYYY-MM-DDTHH:MM:SSZ` for `<time datetime>`; empty for a step still ahead.
    pub datetime: String,
    pub ahead: bool,
}

/// The usual path of a request, which the steps still ahead are taken from.
const PATH: [Status; 4] = [Status::Submitted, Status::Received, Status::InProgress, Status::Completed];

pub fn timeline(views: &Views, lang: Lang, events: &[RequestEvent], current: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = events
        .iter()
        .map(|e| Step { event: event_view(views, lang, e), datetime: e.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), ahead: false })
        .collect();
    let Some(now) = Status::parse(current).filter(|s| s.is_open()) else { return steps };
    let reached = PATH.iter().position(|s| *s == now).unwrap_or(0);
    steps.extend(PATH[reached + 1..].iter().map(|s| Step {
        event: EventView { status: StatusView { code: s.as_str(), label: views.t(lang, s.message_key()) }, note: None, at: String::new() },
        datetime: String::new(),
        ahead: true,
    }));
    steps
}

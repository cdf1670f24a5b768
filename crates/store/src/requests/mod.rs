//! Requests of citizens: `submit` writes a submission (reference, answers, files, first event) in
//! one transaction; `track` reads them back and moves them through their statuses.

pub mod process;
pub mod submit;
pub mod track;

pub use crate::entities::request::Model as Request;
pub use crate::entities::request_event::Model as RequestEvent;
pub use crate::entities::request_file::Model as RequestFile;
pub use crate::entities::request_note::Model as RequestNote;

//! The multipart bodies of the API as its OpenAPI document shows them: the handlers read them part
//! by part (`extract::form_with_file`, `uploads::files`, `submission::read_body`), so these types
//! only describe them.

#![allow(dead_code)] // never built

use utoipa::ToSchema;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;

/// `POST /api/v1/me/identity-photos`.
#[derive(ToSchema)]
pub struct PhotoUpload {
    /// One part per photo, as many as `identity_photos_required`.
    #[schema(value_type = Vec<String>, format = Binary)]
    photo: Vec<Vec<u8>>,
}

/// `POST /api/v1/requests`: the text parts and, besides them, one part per file named by the file
/// field's key (which no derive can say).
pub struct SubmissionForm;

impl utoipa::PartialSchema for SubmissionForm {
    fn schema() -> RefOr<Schema> {
        let text = |description: &str| ObjectBuilder::new().schema_type(Type::String).description(Some(description));
        let file = ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("one part per file, named by the file field's key"));
        ObjectBuilder::new()
            .property("form_id", text("a sub-menu key from GET /api/v1/services"))
            .required("form_id")
            .property("form_version", ObjectBuilder::new().schema_type(Type::Integer).description(Some("the version the citizen filled in; refused unless it is the current one")))
            .property("data", text("JSON object of field values (default {})"))
            .additional_properties(Some(file))
            .into()
    }
}

impl ToSchema for SubmissionForm {}

/// `POST /api/v1/backoffice/requests/{id}/documents`.
#[derive(ToSchema)]
#[schema(as = NewDocument)]
pub struct DocumentForm {
    /// `receipt` or `licence`.
    #[schema(pattern = "^(receipt|licence)$")]
    kind: String,
    number: String,
    title_th: String,
    title_en: String,
    valid_until: Option<chrono::NaiveDate>,
    /// A PDF or an image, sniffed by content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// `POST /api/v1/admin/logo`.
#[derive(ToSchema)]
pub struct LogoForm {
    revision: String,
    /// PNG, JPEG, WebP or SVG, at most 1 MiB; stored as a PNG of at most 512 px (an SVG is drawn;
    /// one with script or outside references is refused).
    #[schema(value_type = String, format = Binary)]
    logo: Vec<u8>,
}

/// `POST /api/v1/admin/identity/example`: a new example picture, or `remove=1`.
#[derive(ToSchema)]
pub struct SlotExampleForm {
    revision: String,
    /// The slot's number, from 1.
    slot: String,
    /// PNG, JPEG or WebP, at most 1 MiB; stored as a PNG of at most 480 px.
    #[schema(value_type = Option<String>, format = Binary)]
    example: Option<Vec<u8>>,
    /// `1` to remove the slot's example.
    remove: Option<String>,
}

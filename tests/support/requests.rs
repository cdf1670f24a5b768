//! Requests and documents put straight into the store for a citizen (not through the submission
//! flow), so that tracking, documents and verification are tested on their own.

use crate::TestApp;
use chrono::{Duration, NaiveDate, Utc};
use domain::form::FieldType;
use domain::request::Status;
use sea_orm::{ActiveModelTrait, Set};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use store::documents::Document;
use store::entities::{request, request_event, request_file};
use store::requests::{Request, RequestFile};
use uuid::Uuid;

/// Keeps references unique within a test's tenant.
static SEQUENCE: AtomicI64 = AtomicI64::new(1);

pub const EVIDENCE: &[u8] = b"%PDF-1.4\n% evidence\n";

pub struct Seeded {
    pub request: Request,
    pub file: RequestFile,
}

pub async fn tenant(app: &TestApp, slug: &str) -> web::tenancy::Tenant {
    let record = store::tenants::find_by_slug(app.db(), slug).await.expect("db").expect("tenant exists");
    web::tenancy::Tenant(Arc::new(record))
}

/// A submitted request of `citizen` for the tenant's first service, `minutes_ago` old, with its
/// "submitted" event, the answers to its text fields and one evidence file in the object store.
pub async fn insert_request(app: &TestApp, slug: &str, citizen: Uuid, minutes_ago: i64) -> Seeded {
    let tenant = tenant(app, slug).await;
    let scope = tenant.scope();
    let catalogue = store::services::catalogue(app.db(), scope).await.expect("catalogue");
    let item = catalogue.into_iter().flat_map(|c| c.items).next().expect("a service");
    let form = store::services::current_form(app.db(), scope, &item.form_key).await.expect("db").expect("its form");
    let mut data = serde_json::Map::new();
    for field in &form.schema.fields {
        if matches!(field.kind, FieldType::Text | FieldType::LongText) {
            data.insert(field.key.clone(), serde_json::Value::String(format!("คำตอบ {}", field.key)));
        }
    }
    let at = Utc::now() - Duration::minutes(minutes_ago);
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    let request = request::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        citizen_id: Set(citizen),
        reference: Set(domain::request::reference(slug, 2569, sequence)),
        item_id: Set(item.id),
        form_key: Set(item.form_key.clone()),
        form_version: Set(i32::try_from(form.version).expect("version")),
        data: Set(serde_json::Value::Object(data).to_string()),
        status: Set(Status::Submitted.as_str().into()),
        rejection_reason: Set(None),
        idempotency_key: Set(Uuid::new_v4().to_string()),
        submitted_at: Set(at),
        updated_at: Set(at),
        version: Set(1),
        assigned_to: Set(None),
        updated_by: Set(None),
    }
    .insert(app.db())
    .await
    .expect("request stored");
    request_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        request_id: Set(request.id),
        from_status: Set(None),
        to_status: Set(Status::Submitted.as_str().into()),
        note: Set(None),
        actor_kind: Set("citizen".into()),
        actor_id: Set(Some(citizen)),
        created_at: Set(at),
    }
    .insert(app.db())
    .await
    .expect("event stored");
    let key = format!("{}/requests/{}", scope.tenant_id(), Uuid::new_v4());
    app.state.files.put(&key, EVIDENCE.to_vec().into(), "application/pdf").await.expect("object stored");
    let file = request_file::ActiveModel {
        id: Set(Uuid::new_v4()),
        tenant_id: Set(scope.tenant_id()),
        request_id: Set(request.id),
        field_key: Set("evidence".into()),
        position: Set(0),
        object_key: Set(key),
        filename: Set("สำเนาทะเบียนบ้าน.pdf".into()),
        mime: Set("application/pdf".into()),
        bytes: Set(EVIDENCE.len() as i64),
        sha256: Set("0".repeat(64)),
        created_at: Set(at),
    }
    .insert(app.db())
    .await
    .expect("file stored");
    Seeded { request, file }
}

/// Moves the request as staff do, through the back office's use case (which queues the citizen's
/// e-mail). Completing needs a verified identity, so the citizen's is verified first as an officer
/// would after checking it.
pub async fn move_to(app: &TestApp, slug: &str, reference: &str, to: Status, note: Option<&str>) -> Request {
    try_move(app, slug, reference, to, note).await.expect("status changed")
}

pub async fn try_move(
    app: &TestApp,
    slug: &str,
    reference: &str,
    to: Status,
    note: Option<&str>,
) -> Result<Request, app::backoffice::requests::ProcessError> {
    let tenant = crate::staff::tenant_record(app, slug).await;
    let scope = tenant.scope();
    let request = store::requests::track::find(app.db(), scope, reference).await.expect("db").expect("the request");
    if to == Status::Completed {
        let citizen = store::citizens::find(app.db(), scope, request.citizen_id).await.expect("db").expect("citizen");
        if citizen.identity_status != store::citizens::identity_status::VERIFIED {
            store::citizens::set_identity_status(app.db(), scope, citizen.id, store::citizens::identity_status::VERIFIED, None)
                .await
                .expect("db");
        }
    }
    let granted = crate::staff::granted::<access::authz::ProcessRequests>(app, slug).await;
    let wanted = app::backoffice::requests::Move { to, version: request.version, note: note.map(str::to_owned) };
    app::backoffice::requests::change_status(&app.state.app, &granted, &tenant, request.id, wanted).await
}

/// Issues a document on the request through the back office's use case (file sniffed and stored first).
pub async fn issue(app: &TestApp, slug: &str, request: &Request, kind: &str, valid_until: Option<NaiveDate>) -> Document {
    let granted = crate::staff::granted::<access::authz::IssueDocuments>(app, slug).await;
    let input = app::backoffice::documents::NewDocumentInput {
        kind: kind.into(),
        number: "12/2569".into(),
        title_th: "ใบอนุญาตประกอบกิจการที่เป็นอันตรายต่อสุขภาพ".into(),
        title_en: "Public health licence".into(),
        name: "ใบอนุญาต 12-2569.pdf".into(),
        bytes: EVIDENCE.to_vec().into(),
        valid_until,
    };
    app::backoffice::documents::issue(&app.state.app, &granted, request.id, input).await.expect("document issued")
}

//! The append-only trail of staff and admin actions: who, what, when, from where, before and
//! after. The database itself refuses UPDATE and DELETE on it.
use sea_orm_migration::{prelude::*, schema::*};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_GUARD: &str = "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$";
const PG_TRIGGER: &str = "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()";
const SQLITE_NO_UPDATE: &str = "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END";
const SQLITE_NO_DELETE: &str = "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(uuid_null(AuditLog::TenantId))
                    .col(string_len(AuditLog::ActorKind, 16))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::ActorLabel, 254))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::SubjectKind, 32))
                    .col(string_len(AuditLog::SubjectId, 64))
                    .col(string_len(AuditLog::Ip, 64))
                    .col(text_null(AuditLog::Before))
                    .col(text_null(AuditLog::After))
                    .col(timestamp_with_time_zone(AuditLog::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            ("idx_audit_log_tenant_time", vec![AuditLog::TenantId, AuditLog::CreatedAt]),
            ("idx_audit_log_tenant_action", vec![AuditLog::TenantId, AuditLog::Action, AuditLog::CreatedAt]),
            ("idx_audit_log_tenant_actor", vec![AuditLog::TenantId, AuditLog::ActorId, AuditLog::CreatedAt]),
            ("idx_audit_log_tenant_subject", vec![AuditLog::TenantId, AuditLog::SubjectId, AuditLog::CreatedAt]),
        ] {
            let mut index = Index::create();
            index.name(name).table(AuditLog::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(PG_GUARD).await?;
                db.execute_unprepared(PG_TRIGGER).await?;
            }
            _ => {
                db.execute_unprepared(SQLITE_NO_UPDATE).await?;
                db.execute_unprepared(SQLITE_NO_DELETE).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager.get_connection().execute_unprepared("DROP FUNCTION audit_log_append_only()").await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    TenantId,
    ActorKind,
    ActorId,
    ActorLabel,
    Action,
    SubjectKind,
    SubjectId,
    Ip,
    Before,
    After,
    CreatedAt,
}

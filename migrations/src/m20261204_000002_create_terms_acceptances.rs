//! Who accepted which version of a tenant's terms of service, and when, kept for every version:
//! registration accepts the version of the day, and a citizen accepts each newer version at their
//! next sign-in. Existing citizens' acceptances (on the citizen row) are copied in.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TermsAcceptances::Table)
                    .col(uuid(TermsAcceptances::TenantId))
                    .col(uuid(TermsAcceptances::CitizenId))
                    .col(string_len(TermsAcceptances::Version, 32))
                    .col(timestamp_with_time_zone(TermsAcceptances::AcceptedAt))
                    .col(string_len(TermsAcceptances::Ip, 64))
                    .primary_key(Index::create().col(TermsAcceptances::CitizenId).col(TermsAcceptances::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(TermsAcceptances::Table, TermsAcceptances::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_terms_acceptances_tenant_version")
                    .table(TermsAcceptances::Table)
                    .col(TermsAcceptances::TenantId)
                    .col(TermsAcceptances::Version)
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO terms_acceptances (tenant_id, citizen_id, version, accepted_at, ip) \
                 SELECT tenant_id, id, terms_version, terms_accepted_at, terms_accepted_ip FROM citizens",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(TermsAcceptances::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum TermsAcceptances {
    Table,
    TenantId,
    CitizenId,
    Version,
    AcceptedAt,
    Ip,
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
}

//! Municipal staff (officers and admins) of a tenant, their sessions, recovery codes and the
//! categories an officer is narrowed to. Staff never share a table or a cookie with citizens.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Staff::Table)
                    .col(pk_uuid(Staff::Id))
                    .col(uuid(Staff::TenantId))
                    .col(string_len(Staff::Email, 254))
                    .col(string_len(Staff::EmailKey, 254))
                    .col(string_len(Staff::Name, 200))
                    .col(text_null(Staff::PasswordHash))
                    .col(string_len_null(Staff::TotpSecret, 64))
                    .col(boolean(Staff::TotpEnabled).default(false))
                    .col(big_integer_null(Staff::TotpLastStep))
                    .col(boolean(Staff::Active).default(true))
                    .col(string_len_null(Staff::InviteHash, 64))
                    .col(timestamp_with_time_zone_null(Staff::InviteExpiresAt))
                    .col(timestamp_with_time_zone_null(Staff::LastLoginAt))
                    .col(timestamp_with_time_zone(Staff::CreatedAt))
                    .col(timestamp_with_time_zone(Staff::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, cols, unique) in [
            ("ux_staff_tenant_email", vec![Staff::TenantId, Staff::EmailKey], true),
            ("ux_staff_invite", vec![Staff::InviteHash], true),
        ] {
            let mut index = Index::create();
            index.name(name).table(Staff::Table);
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(StaffSessions::Table)
                    .col(string_len(StaffSessions::IdHash, 64).primary_key())
                    .col(uuid(StaffSessions::TenantId))
                    .col(uuid(StaffSessions::StaffId))
                    .col(string_len(StaffSessions::Kind, 8))
                    .col(string_len(StaffSessions::Stage, 8))
                    .col(string_len(StaffSessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(StaffSessions::CreatedAt))
                    .col(timestamp_with_time_zone(StaffSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(StaffSessions::IdleExpiresAt))
                    .col(timestamp_with_time_zone(StaffSessions::ExpiresAt))
                    .col(string_len(StaffSessions::Ip, 64))
                    .col(string_len(StaffSessions::UserAgent, 255))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffSessions::Table, StaffSessions::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_staff_sessions_staff")
                    .table(StaffSessions::Table)
                    .col(StaffSessions::TenantId)
                    .col(StaffSessions::StaffId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_staff_sessions_expiry")
                    .table(StaffSessions::Table)
                    .col(StaffSessions::ExpiresAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffRecoveryCodes::Table)
                    .col(uuid(StaffRecoveryCodes::TenantId))
                    .col(uuid(StaffRecoveryCodes::StaffId))
                    .col(string_len(StaffRecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(StaffRecoveryCodes::UsedAt))
                    .primary_key(
                        Index::create()
                            .col(StaffRecoveryCodes::TenantId)
                            .col(StaffRecoveryCodes::StaffId)
                            .col(StaffRecoveryCodes::CodeHash),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffRecoveryCodes::Table, StaffRecoveryCodes::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(StaffCategories::Table)
                    .col(uuid(StaffCategories::TenantId))
                    .col(uuid(StaffCategories::StaffId))
                    .col(uuid(StaffCategories::CategoryId))
                    .primary_key(
                        Index::create()
                            .col(StaffCategories::TenantId)
                            .col(StaffCategories::StaffId)
                            .col(StaffCategories::CategoryId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StaffCategories::Table, StaffCategories::StaffId)
                            .to(Staff::Table, Staff::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            StaffCategories::Table.into_iden(),
            StaffRecoveryCodes::Table.into_iden(),
            StaffSessions::Table.into_iden(),
            Staff::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Staff {
    Table,
    Id,
    TenantId,
    Email,
    EmailKey,
    Name,
    PasswordHash,
    TotpSecret,
    TotpEnabled,
    TotpLastStep,
    Active,
    InviteHash,
    InviteExpiresAt,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum StaffSessions {
    Table,
    IdHash,
    TenantId,
    StaffId,
    Kind,
    Stage,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    IdleExpiresAt,
    ExpiresAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum StaffRecoveryCodes {
    Table,
    TenantId,
    StaffId,
    CodeHash,
    UsedAt,
}

#[derive(DeriveIden)]
enum StaffCategories {
    Table,
    TenantId,
    StaffId,
    CategoryId,
}

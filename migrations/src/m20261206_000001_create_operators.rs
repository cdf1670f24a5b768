//! Platform operators (they onboard municipalities and suspend or resume them), their sessions
//! and recovery codes. Operators belong to no tenant: nothing here has a tenant id, and they never
//! share a table or a cookie with staff or citizens.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Operators::Table)
                    .col(pk_uuid(Operators::Id))
                    .col(string_len(Operators::Email, 254))
                    .col(string_len(Operators::EmailKey, 254).unique_key())
                    .col(string_len(Operators::Name, 200))
                    .col(text(Operators::PasswordHash))
                    .col(string_len(Operators::TotpSecret, 64))
                    .col(big_integer_null(Operators::TotpLastStep))
                    .col(boolean(Operators::Active).default(true))
                    .col(timestamp_with_time_zone_null(Operators::LastLoginAt))
                    .col(timestamp_with_time_zone(Operators::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OperatorSessions::Table)
                    .col(string_len(OperatorSessions::IdHash, 64).primary_key())
                    .col(uuid(OperatorSessions::OperatorId))
                    .col(string_len(OperatorSessions::Kind, 8))
                    .col(string_len(OperatorSessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(OperatorSessions::CreatedAt))
                    .col(timestamp_with_time_zone(OperatorSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(OperatorSessions::IdleExpiresAt))
                    .col(timestamp_with_time_zone(OperatorSessions::ExpiresAt))
                    .col(string_len(OperatorSessions::Ip, 64))
                    .col(string_len(OperatorSessions::UserAgent, 255))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OperatorSessions::Table, OperatorSessions::OperatorId)
                            .to(Operators::Table, Operators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [("idx_operator_sessions_operator", OperatorSessions::OperatorId), ("idx_operator_sessions_expiry", OperatorSessions::ExpiresAt)] {
            manager.create_index(Index::create().name(name).table(OperatorSessions::Table).col(col).to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(OperatorRecoveryCodes::Table)
                    .col(uuid(OperatorRecoveryCodes::OperatorId))
                    .col(string_len(OperatorRecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(OperatorRecoveryCodes::UsedAt))
                    .primary_key(Index::create().col(OperatorRecoveryCodes::OperatorId).col(OperatorRecoveryCodes::CodeHash))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OperatorRecoveryCodes::Table, OperatorRecoveryCodes::OperatorId)
                            .to(Operators::Table, Operators::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [OperatorRecoveryCodes::Table.into_iden(), OperatorSessions::Table.into_iden(), Operators::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Operators {
    Table,
    Id,
    Email,
    EmailKey,
    Name,
    PasswordHash,
    TotpSecret,
    TotpLastStep,
    Active,
    LastLoginAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OperatorSessions {
    Table,
    IdHash,
    OperatorId,
    Kind,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    IdleExpiresAt,
    ExpiresAt,
    Ip,
    UserAgent,
}

#[derive(DeriveIden)]
enum OperatorRecoveryCodes {
    Table,
    OperatorId,
    CodeHash,
    UsedAt,
}

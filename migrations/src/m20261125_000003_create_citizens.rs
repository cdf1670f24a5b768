use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Citizens::Table)
                    .col(pk_uuid(Citizens::Id))
                    .col(uuid(Citizens::TenantId))
                    .col(string_len(Citizens::NationalId, 13))
                    .col(string_len(Citizens::Email, 254))
                    .col(string_len(Citizens::EmailKey, 254))
                    .col(string_len(Citizens::Title, 40))
                    .col(string_len(Citizens::FirstName, 100))
                    .col(string_len(Citizens::LastName, 100))
                    .col(date(Citizens::BirthDate))
                    .col(string_len(Citizens::Phone, 20))
                    .col(string_len(Citizens::HouseNo, 40))
                    .col(string_len(Citizens::Village, 100))
                    .col(string_len(Citizens::Road, 100))
                    .col(integer(Citizens::SubDistrictCode))
                    .col(integer(Citizens::DistrictCode))
                    .col(integer(Citizens::ProvinceCode))
                    .col(string_len(Citizens::Postcode, 5))
                    .col(string(Citizens::PasswordHash))
                    .col(string_len(Citizens::IdentityStatus, 20))
                    .col(text_null(Citizens::IdentityNote))
                    .col(string_null(Citizens::AvatarKey))
                    .col(string_len(Citizens::TermsVersion, 32))
                    .col(timestamp_with_time_zone(Citizens::TermsAcceptedAt))
                    .col(string_len(Citizens::TermsAcceptedIp, 45))
                    .col(timestamp_with_time_zone(Citizens::CreatedAt))
                    .col(timestamp_with_time_zone(Citizens::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Citizens::Table, Citizens::TenantId)
                            .to(Tenants::Table, Tenants::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ux_citizens_tenant_national_id", Citizens::NationalId),
            ("ux_citizens_tenant_email", Citizens::EmailKey),
        ] {
            manager
                .create_index(
                    Index::create().name(name).table(Citizens::Table).col(Citizens::TenantId).col(col).unique().to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_citizens_tenant_status")
                    .table(Citizens::Table)
                    .col(Citizens::TenantId)
                    .col(Citizens::IdentityStatus)
                    .col(Citizens::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(IdentityPhotos::Table)
                    .col(pk_uuid(IdentityPhotos::Id))
                    .col(uuid(IdentityPhotos::TenantId))
                    .col(uuid(IdentityPhotos::CitizenId))
                    .col(small_integer(IdentityPhotos::Position))
                    .col(string(IdentityPhotos::ObjectKey))
                    .col(string_len(IdentityPhotos::Sha256, 64))
                    .col(integer(IdentityPhotos::Bytes))
                    .col(integer(IdentityPhotos::Width))
                    .col(integer(IdentityPhotos::Height))
                    .col(timestamp_with_time_zone(IdentityPhotos::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IdentityPhotos::Table, IdentityPhotos::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_identity_photos_citizen")
                    .table(IdentityPhotos::Table)
                    .col(IdentityPhotos::TenantId)
                    .col(IdentityPhotos::CitizenId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(string_len(Sessions::IdHash, 64).primary_key())
                    .col(uuid(Sessions::TenantId))
                    .col(uuid(Sessions::CitizenId))
                    .col(string_len(Sessions::Kind, 16))
                    .col(string_len(Sessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::IdleExpiresAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(string_len(Sessions::Ip, 45))
                    .col(string_len(Sessions::UserAgent, 255))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_citizen")
                    .table(Sessions::Table)
                    .col(Sessions::TenantId)
                    .col(Sessions::CitizenId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_sessions_expiry").table(Sessions::Table).col(Sessions::ExpiresAt).to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(string_len(PasswordResets::TokenHash, 64).primary_key())
                    .col(uuid(PasswordResets::TenantId))
                    .col(uuid(PasswordResets::CitizenId))
                    .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                    .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PasswordResets::Table, PasswordResets::CitizenId)
                            .to(Citizens::Table, Citizens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_password_resets_citizen")
                    .table(PasswordResets::Table)
                    .col(PasswordResets::TenantId)
                    .col(PasswordResets::CitizenId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [PasswordResets::Table.into_iden(), Sessions::Table.into_iden(), IdentityPhotos::Table.into_iden(), Citizens::Table.into_iden()] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tenants {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Citizens {
    Table,
    Id,
    TenantId,
    NationalId,
    Email,
    EmailKey,
    Title,
    FirstName,
    LastName,
    BirthDate,
    Phone,
    HouseNo,
    Village,
    Road,
    SubDistrictCode,
    DistrictCode,
    ProvinceCode,
    Postcode,
    PasswordHash,
    IdentityStatus,
    IdentityNote,
    AvatarKey,
    TermsVersion,
    TermsAcceptedAt,
    TermsAcceptedIp,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum IdentityPhotos {
    Table,
    Id,
    TenantId,
    CitizenId,
    Position,
    ObjectKey,
    Sha256,
    Bytes,
    Width,
    Height,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    TenantId,
    CitizenId,
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
enum PasswordResets {
    Table,
    TokenHash,
    TenantId,
    CitizenId,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

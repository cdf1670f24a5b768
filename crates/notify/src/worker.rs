//! Delivers queued e-mails: claims due outbox rows, sends them and records the outcome, so that
//! nothing is lost while SMTP is down. Delivery is at least once: a row whose outcome could not be
//! recorded is sent again when its lease ends (with the same Message-ID). Rows of channel `line`
//! are not claimed: they stay pending until LINE delivery is built.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use std::future::Future;
use std::time::{Duration, Instant};
use store::outbox::{self, Channel, EmailMessage, Retry};

use crate::Mailer;

#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// Wait between polls when the last batch was not full.
    pub poll_interval: Duration,
    pub batch_size: u64,
    /// How long a claimed row stays reserved for this worker.
    pub lease: Duration,
    /// Attempts before a row is marked dead.
    pub max_attempts: u32,
    /// Bound on one send; a batch stops early rather than outlive its lease.
    pub send_timeout: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            batch_size: 20,
            lease: Duration::from_secs(300),
            max_attempts: 8,
            send_timeout: Duration::from_secs(60),
        }
    }
}

/// Polls the outbox until `shutdown` completes. A batch in progress is finished first; database
/// errors are logged and retried at the next poll.
pub async fn run_worker(
    db: DatabaseConnection,
    mailer: Mailer,
    opts: WorkerOptions,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    tracing::info!(?mailer, "outbox worker started");
    loop {
        let full_batch = match drain_once(&db, &mailer, &opts, Utc::now()).await {
            Ok(handled) => handled as u64 >= opts.batch_size,
            Err(err) => {
                tracing::error!(error = %err, "outbox worker: database error");
                false
            }
        };
        let pause = if full_batch {
            Duration::ZERO
        } else {
            opts.poll_interval
        };
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    tracing::info!("outbox worker stopped");
}

/// Claims one batch of due e-mails and tries each once; returns how many were attempted.
pub async fn drain_once(
    db: &DatabaseConnection,
    mailer: &Mailer,
    opts: &WorkerOptions,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let started = Instant::now();
    let rows = outbox::claim_due(db, Channel::Email, now, opts.batch_size, opts.lease).await?;
    let mut attempted = 0;
    for row in rows {
        if started.elapsed() + opts.send_timeout >= opts.lease {
            // The rest are reclaimed when their lease ends; sending them now could race that.
            tracing::warn!("outbox batch outran its lease; leaving the rest for the next claim");
            break;
        }
        deliver(db, mailer, opts, now, &row).await?;
        attempted += 1;
    }
    Ok(attempted)
}

#[tracing::instrument(skip_all, fields(outbox_id = %row.id, tenant = ?row.tenant_id))]
async fn deliver(
    db: &DatabaseConnection,
    mailer: &Mailer,
    opts: &WorkerOptions,
    now: DateTime<Utc>,
    row: &store::entities::outbox::Model,
) -> Result<(), DbErr> {
    let message = serde_json::from_str::<EmailMessage>(&row.payload)
        .map_err(|err| format!("unreadable payload: {err}"))
        .and_then(|msg| {
            mailer
                .build(&msg, Some(&row.id.to_string()))
                .map_err(|err| format!("{err:#}"))
        });
    let message = match message {
        Ok(message) => message,
        Err(reason) => {
            tracing::error!(%reason, "undeliverable e-mail dropped");
            return outbox::mark_dead(db, row.id, &reason).await;
        }
    };
    let sent = match tokio::time::timeout(opts.send_timeout, mailer.deliver(message)).await {
        Ok(result) => result,
        Err(_) => Err(anyhow::anyhow!("no answer within {:?}", opts.send_timeout)),
    };
    match sent {
        Ok(()) => {
            tracing::info!("e-mail sent");
            outbox::mark_sent(db, row.id, now).await
        }
        Err(err) => {
            let error = mailer.scrub(&format!("{err:#}"));
            match outbox::mark_failed(db, row.id, now, &error, opts.max_attempts).await? {
                Retry::At(at) => {
                    tracing::warn!(%error, retry_at = %at, "e-mail not sent; will retry")
                }
                Retry::GaveUp => {
                    tracing::error!(%error, attempts = opts.max_attempts, "e-mail not sent; giving up")
                }
            }
            Ok(())
        }
    }
}

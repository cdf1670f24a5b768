//! `store::outbox` on its own: enqueueing, leasing, back-off.

use crate::helpers::{db_time, stored, thai_email};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};
use std::collections::HashSet;
use std::time::Duration as StdDuration;
use store::entities::outbox::{Column, Entity as Outbox};
use store::outbox::{self, Channel, EmailMessage, Retry};
use store::test_support::fresh_database;
use uuid::Uuid;

const LEASE: StdDuration = StdDuration::from_secs(300);

#[tokio::test]
async fn enqueue_in_a_rolled_back_transaction_queues_nothing() {
    let t = fresh_database().await;
    let txn = t.db.begin().await.unwrap();
    outbox::enqueue_email(&txn, Some(Uuid::new_v4()), &thai_email("a@example.test"))
        .await
        .unwrap();
    assert_eq!(
        Outbox::find().all(&txn).await.unwrap().len(),
        1,
        "visible inside the transaction"
    );
    txn.rollback().await.unwrap();
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 0);

    let txn = t.db.begin().await.unwrap();
    let id = outbox::enqueue_email(&txn, None, &thai_email("b@example.test"))
        .await
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 1);
    assert_eq!(stored(&t.db, id).await.status, "pending");
}

#[tokio::test]
async fn enqueued_rows_keep_tenant_channel_and_payload() {
    let t = fresh_database().await;
    let tenant = Uuid::new_v4();
    let id = outbox::enqueue_email(&t.db, Some(tenant), &thai_email("a@example.test"))
        .await
        .unwrap();
    let row = stored(&t.db, id).await;
    assert_eq!(row.tenant_id, Some(tenant));
    assert_eq!(
        (row.channel.as_str(), row.status.as_str(), row.attempts),
        ("email", "pending", 0)
    );
    let payload: EmailMessage = serde_json::from_str(&row.payload).unwrap();
    assert_eq!(payload, thai_email("a@example.test"));

    let push = serde_json::json!({"to": "U123", "messages": [{"type": "text", "text": "สวัสดี"}]});
    let line = outbox::enqueue_line(&t.db, None, &push).await.unwrap();
    let line_row = stored(&t.db, line).await;
    assert_eq!(line_row.channel, "line");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&line_row.payload).unwrap(),
        push
    );
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 2);
}

#[tokio::test]
async fn claim_leases_due_rows_of_one_channel() {
    let t = fresh_database().await;
    let due = outbox::enqueue_email(&t.db, None, &thai_email("due@example.test"))
        .await
        .unwrap();
    let later = outbox::enqueue_email(&t.db, None, &thai_email("later@example.test"))
        .await
        .unwrap();
    let now = Utc::now();
    Outbox::update_many()
        .col_expr(
            Column::NextAttemptAt,
            Expr::value(db_time(now + Duration::minutes(5))),
        )
        .filter(Column::Id.eq(later))
        .exec(&t.db)
        .await
        .unwrap();
    outbox::enqueue_line(&t.db, None, &serde_json::json!({"text": "x"}))
        .await
        .unwrap();

    let claimed = outbox::claim_due(&t.db, Channel::Email, now, 10, LEASE)
        .await
        .unwrap();
    assert_eq!(claimed.iter().map(|r| r.id).collect::<Vec<_>>(), vec![due]);
    let lease_end = Some(db_time(now) + Duration::from_std(LEASE).unwrap());
    assert_eq!(claimed[0].locked_until, lease_end);
    assert_eq!(stored(&t.db, due).await.locked_until, lease_end);
    assert!(
        outbox::claim_due(&t.db, Channel::Email, now, 10, LEASE)
            .await
            .unwrap()
            .is_empty()
    );

    let after_lease = now + Duration::minutes(6);
    let reclaimed = outbox::claim_due(&t.db, Channel::Email, after_lease, 10, LEASE)
        .await
        .unwrap();
    let ids: HashSet<_> = reclaimed.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        HashSet::from([due, later]),
        "the expired lease and the now-due row"
    );
}

#[tokio::test]
async fn concurrent_claims_never_share_a_row() {
    let t = fresh_database().await;
    let mut queued = HashSet::new();
    for i in 0..40 {
        let msg = thai_email(&format!("c{i}@example.test"));
        queued.insert(outbox::enqueue_email(&t.db, None, &msg).await.unwrap());
    }
    let now = Utc::now();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let db = t.db.clone();
            tokio::spawn(
                async move { outbox::claim_due(&db, Channel::Email, now, 10, LEASE).await },
            )
        })
        .collect();
    let mut claimed = HashSet::new();
    for worker in workers {
        let batch = worker.await.unwrap().unwrap();
        assert_eq!(batch.len(), 10, "each worker fills its batch");
        for row in batch {
            assert!(claimed.insert(row.id), "row {} claimed twice", row.id);
        }
    }
    assert_eq!(claimed, queued);
}

#[tokio::test]
async fn failures_back_off_then_die_and_sent_rows_are_final() {
    let t = fresh_database().await;
    let id = outbox::enqueue_email(&t.db, None, &thai_email("f@example.test"))
        .await
        .unwrap();
    let mut now = Utc::now();
    for attempt in 1..=2 {
        assert_eq!(
            outbox::claim_due(&t.db, Channel::Email, now, 1, LEASE)
                .await
                .unwrap()
                .len(),
            1
        );
        let Retry::At(at) = outbox::mark_failed(&t.db, id, now, &"ข้อผิดพลาด ".repeat(200), 3)
            .await
            .unwrap()
        else {
            panic!("gave up after {attempt} attempts")
        };
        let row = stored(&t.db, id).await;
        assert_eq!((row.attempts, row.status.as_str()), (attempt, "pending"));
        assert_eq!(row.next_attempt_at, at);
        assert!(at > now + Duration::seconds(20) && row.locked_until.is_none());
        assert!(
            row.last_error.unwrap().chars().count() <= 501,
            "error text is bounded"
        );
        assert!(
            outbox::claim_due(&t.db, Channel::Email, now, 1, LEASE)
                .await
                .unwrap()
                .is_empty()
        );
        now = at;
    }
    assert_eq!(
        outbox::mark_failed(&t.db, id, now, "again", 3)
            .await
            .unwrap(),
        Retry::GaveUp
    );
    let dead = stored(&t.db, id).await;
    assert_eq!((dead.attempts, dead.status.as_str()), (3, "dead"));
    assert_eq!(outbox::pending_count(&t.db).await.unwrap(), 0);
    assert!(
        outbox::claim_due(&t.db, Channel::Email, now + Duration::days(1), 1, LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        outbox::mark_sent(&t.db, id, now).await.is_err(),
        "a dead row stays dead"
    );

    let ok = outbox::enqueue_email(&t.db, None, &thai_email("ok@example.test"))
        .await
        .unwrap();
    outbox::mark_sent(&t.db, ok, now).await.unwrap();
    let sent = stored(&t.db, ok).await;
    assert_eq!(
        (sent.status.as_str(), sent.sent_at),
        ("sent", Some(db_time(now)))
    );
    assert!(
        outbox::mark_failed(&t.db, ok, now, "late", 3)
            .await
            .is_err(),
        "a sent row stays sent"
    );
}

#[tokio::test]
async fn mark_dead_gives_up_at_once() {
    let t = fresh_database().await;
    let id = outbox::enqueue_email(&t.db, None, &thai_email("not an address"))
        .await
        .unwrap();
    outbox::mark_dead(&t.db, id, "invalid recipient")
        .await
        .unwrap();
    let dead = stored(&t.db, id).await;
    assert_eq!((dead.status.as_str(), dead.attempts), ("dead", 1));
    assert_eq!(dead.last_error.as_deref(), Some("invalid recipient"));
}

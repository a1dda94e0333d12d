//! The audit log's hash chain on both databases: writes chain their events in commit order, and each
//! kind of tampering by SQL (an update, a delete, an insert) is named by the verification.

use super::*;
use tenantry_domain::audit_chain::{ChainBreak, ChainTip};
use tenantry_store::ChainRange;

/// A raw connection pool on the test's database, to tamper with it as someone with SQL access would.
async fn raw(db: &TestStore) -> sqlx::AnyPool {
    sqlx::AnyPool::connect(db.url()).await.unwrap()
}

/// Writes `n` changes of two events each; returns the events' ids in the order written.
async fn write_events(db: &Store, n: i64) -> Vec<uuid::Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let mut change = Change::new();
        for j in 0..2 {
            let e = event(T0 + i, "alice@outlook.com", "tenantry/test", None, None);
            let e = AuditEvent {
                details: serde_json::json!({"write": i, "event": j, "text": "ünïcode"}),
                ..e
            };
            ids.push(e.id);
            change.audit(e);
        }
        try_write(db, &change).await.unwrap();
    }
    ids
}

async fn verify(db: &Store) -> Result<ChainTip, ChainBreak> {
    db.verify_audit_chain(None).await.unwrap()
}

#[tokio::test]
async fn writes_chain_their_events_in_commit_order() {
    for db in testing::both().await {
        let b = db.backend();
        assert_eq!(verify(&db).await, Ok(ChainTip::EMPTY), "{b:?}");
        let ids = write_events(&db, 5).await;
        // A support request's event is chained like every other.
        let row = tenantry_store::support::SupportRequestRow {
            id: RequestId::new(),
            requester: "alice@outlook.com".into(),
            tenant: None,
            subscription: None,
            subject: "s".into(),
            description: "d".into(),
            severity: "C".into(),
            status: "open".into(),
            created: T0,
        };
        let support = event(T0 + 10, "alice@outlook.com", "tenantry/support", None, None);
        db.insert_support_request(&row, &support).await.unwrap();

        let tip = verify(&db).await.unwrap_or_else(|e| panic!("{b:?}: {e}"));
        assert_eq!(tip.count, 11, "{b:?}");
        assert_eq!(db.audit_chain_tip().await.unwrap(), tip, "{b:?}");
        let links = db.audit_chain_page(ChainRange::after(0)).await.unwrap();
        let chained: Vec<String> = links.iter().map(|l| l.record.id.clone()).collect();
        let mut written: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        written.push(support.id.to_string());
        assert_eq!(chained, written, "chain order is write order on {b:?}");
        assert_eq!(links[1].prev_hash, links[0].hash);
        // A page of the chain by time.
        let late = db
            .audit_chain_page(ChainRange {
                after: 0,
                since: Some(T0 + 3),
                until: Some(T0 + 4),
            })
            .await
            .unwrap();
        assert_eq!(late.len(), 4, "{b:?}");
    }
}

#[tokio::test]
async fn tampering_by_sql_is_named() {
    for db in testing::both().await {
        let b = db.backend();
        let ids = write_events(&db, 3).await;
        let sql = raw(&db).await;
        let exec = |q: String| {
            let sql = sql.clone();
            async move {
                sqlx::query(sqlx::AssertSqlSafe(q))
                    .execute(&sql)
                    .await
                    .unwrap()
            }
        };
        let message = |r: Result<ChainTip, ChainBreak>| match r {
            Err(e) => e.to_string(),
            Ok(t) => panic!("tampering not found on {b:?}: {t:?}"),
        };

        // Changed: another target.
        let third = ids[2].to_string();
        exec(format!(
            "UPDATE audit_events SET target = 'elsewhere' WHERE id = '{third}'"
        ))
        .await;
        let m = message(verify(&db).await);
        assert!(
            m.contains(&third) && m.contains("#3") && m.contains("changed"),
            "{b:?}: {m}"
        );
        exec(format!(
            "UPDATE audit_events SET target = 'target' WHERE id = '{third}'"
        ))
        .await;
        assert!(verify(&db).await.is_ok(), "{b:?}: restored");

        // Removed in the middle: named by its place, between its neighbours.
        let fourth = ids[3].to_string();
        exec(format!("DELETE FROM audit_events WHERE id = '{fourth}'")).await;
        let m = message(verify(&db).await);
        assert!(
            m.contains("event #4 was removed")
                && m.contains(&third)
                && m.contains(&ids[4].to_string()),
            "{b:?}: {m}"
        );
        // Removed at the end.
        exec("DELETE FROM audit_events WHERE seq >= 4".to_string()).await;
        let m = message(verify(&db).await);
        assert!(
            m.contains("the last events were removed") && m.contains(&third),
            "{b:?}: {m}"
        );

        // Inserted beside the chain (no place in it).
        let fresh = if b == Backend::Sqlite {
            testing::sqlite().await
        } else {
            testing::postgres().await
        };
        let ids = write_events(&fresh, 2).await;
        let sql = raw(&fresh).await;
        let forged = uuid::Uuid::now_v7().to_string();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO audit_events (id, time, actor, actor_key, operation, target, details) \
             VALUES ('{forged}', {T0}, 'mallory', 'mallory', 'tenantry/test', 'x', '{{}}')"
        )))
        .execute(&sql)
        .await
        .unwrap();
        let m = message(verify(&fresh).await);
        assert!(m.contains(&forged) && m.contains("inserted"), "{b:?}: {m}");
        // Inserted at the end of the chain with a made-up hash.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE audit_events SET seq = 5, prev_hash = '{}', hash = '{}' WHERE id = '{forged}'",
            "0".repeat(64),
            "1".repeat(64)
        )))
        .execute(&sql)
        .await
        .unwrap();
        let m = message(verify(&fresh).await);
        assert!(m.contains(&forged) && m.contains("inserted"), "{b:?}: {m}");
        // Inserted with a sound hash after the tip, by someone who knows the encoding: the tip the
        // writers recorded names it.
        let last: (String,) = sqlx::query_as("SELECT hash FROM audit_events WHERE seq = 4")
            .fetch_one(&sql)
            .await
            .unwrap();
        let record = tenantry_domain::audit_chain::AuditRecord {
            id: forged.clone(),
            time: T0,
            actor: "mallory".into(),
            actor_key: "mallory".into(),
            actor_id: None,
            tenant_id: None,
            subscription_id: None,
            operation: "tenantry/test".into(),
            target: "x".into(),
            details: "{}".into(),
        };
        let prev = tenantry_domain::audit_chain::ChainHash::parse_hex(&last.0).unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE audit_events SET prev_hash = '{}', hash = '{}' WHERE id = '{forged}'",
            prev.to_hex(),
            record.hash(&prev, 5).to_hex()
        )))
        .execute(&sql)
        .await
        .unwrap();
        let m = message(verify(&fresh).await);
        assert!(
            m.contains(&forged) && m.contains("#5") && m.contains("inserted"),
            "{b:?}: {m}"
        );
        assert_eq!(ids.len(), 4);
    }
}

#[tokio::test]
async fn a_checkpoint_proves_the_history_before_it() {
    for db in testing::both().await {
        let b = db.backend();
        write_events(&db, 2).await;
        let checkpoint = verify(&db).await.unwrap();
        write_events(&db, 2).await;
        let tip = db.verify_audit_chain(Some(checkpoint)).await.unwrap();
        assert_eq!(tip.map(|t| t.count), Ok(8), "{b:?}");
        // The whole history rewritten consistently (every hash recomputed, the recorded tip too):
        // only the checkpoint tells.
        let sql = raw(&db).await;
        sqlx::query("UPDATE audit_events SET target = 'rewritten'")
            .execute(&sql)
            .await
            .unwrap();
        let links = db.audit_chain_page(ChainRange::after(0)).await.unwrap();
        let mut tip = ChainTip::EMPTY;
        for l in &links {
            let (seq, prev, hash) = tip.append(&l.record);
            sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3")
                .bind(prev.to_hex())
                .bind(hash.to_hex())
                .bind(seq)
                .execute(&sql)
                .await
                .unwrap();
        }
        // Every event rehashed, the recorded tip not: the last event is named.
        let m = verify(&db).await.unwrap_err().to_string();
        assert!(
            m.contains("#8") && m.contains("the tip recorded by the writers has another hash"),
            "{b:?}: {m}"
        );
        sqlx::query("UPDATE revision SET audit_tip = $1")
            .bind(tip.hash.to_hex())
            .execute(&sql)
            .await
            .unwrap();
        assert!(verify(&db).await.is_ok(), "{b:?}: consistent on its own");
        let e = db
            .verify_audit_chain(Some(checkpoint))
            .await
            .unwrap()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("history before the checkpoint was rewritten"),
            "{b:?}: {e}"
        );
        // A checkpoint beyond the chain: events were removed.
        let beyond = ChainTip {
            count: 100,
            hash: checkpoint.hash,
        };
        let e = db
            .verify_audit_chain(Some(beyond))
            .await
            .unwrap()
            .unwrap_err();
        assert!(e.to_string().contains("the checkpoint 100"), "{b:?}: {e}");
    }
}

/// Two stores on one database writing at once: the chain follows the commit order of both.
#[tokio::test]
async fn concurrent_writers_make_one_chain() {
    for db in testing::both().await {
        let b = db.backend();
        let other = db.open_again().await;
        let (a, c) = tokio::join!(write_events(&db, 20), write_events(&other, 20));
        assert_eq!(a.len() + c.len(), 80);
        let tip = verify(&db).await.unwrap_or_else(|e| panic!("{b:?}: {e}"));
        assert_eq!(tip.count, 80, "{b:?}");
    }
}

//! Snapshots: every table of the schema is accounted for, a restore puts rows back
//! exactly (and ends sessions, and records itself in the revocation feed), and an
//! unknown name changes nothing.

use crate::*;

pub(crate) async fn every_table_is_copied_emptied_or_kept_by_a_snapshot(store: Arc<SqlStore>) {
    let mut live = store.live_tables().await.unwrap();
    live.sort();
    assert_eq!(
        live,
        sigil_store::classified_tables(),
        "a new table must be named in store/src/sql/snapshots.rs"
    );
}

pub(crate) async fn a_restore_puts_rows_back_and_records_itself(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let t0 = time::OffsetDateTime::now_utc();
    let saved = store.member(b.admin.id).await.unwrap().unwrap();
    store.take_snapshot("before", t0).await.unwrap();
    // The snapshot's own tables are not live tables.
    let mut live = store.live_tables().await.unwrap();
    live.sort();
    assert_eq!(live, sigil_store::classified_tables());

    let mut m = Member::new(
        b.organization.id,
        "late@example.com",
        b.admin.account_type_id,
        Some(b.admin.id),
        t0,
    );
    m.home_folder_id = Some(sigil_core::InodeId::new());
    store.insert_member(&m, &[]).await.unwrap();
    let mut admin = store.member(b.admin.id).await.unwrap().unwrap();
    admin.first_name = "Changed".into();
    store.update_member(&admin, false).await.unwrap();
    let feed_before = store
        .revocations_since(0, t0 - Duration::days(1))
        .await
        .unwrap();

    let at = time::OffsetDateTime::now_utc();
    let taken = store.restore_snapshot("before", at).await.unwrap();
    assert_eq!(taken.map(|t| t.unix_timestamp()), Some(t0.unix_timestamp()));
    assert!(
        store.member(m.id).await.unwrap().is_none(),
        "written after: gone"
    );
    let admin = store.member(b.admin.id).await.unwrap().unwrap();
    assert_eq!(admin, saved, "every field as it was");
    assert_eq!(admin.first_name, saved.first_name);
    let cred = store
        .client_credential(&b.credential.client_id)
        .await
        .unwrap();
    assert!(cred.is_some());
    let feed = store
        .revocations_since(0, t0 - Duration::days(1))
        .await
        .unwrap();
    assert_eq!(
        feed.len(),
        feed_before.len() + 1,
        "the feed is kept and grows"
    );
    let last = feed.last().unwrap();
    assert_eq!(last.kind, RevocationKind::Restore);
    assert_eq!(
        last.subject,
        ((t0.unix_timestamp_nanos() / 1_000_000) as i64).to_string()
    );

    assert!(store.restore_snapshot("nope", at).await.unwrap().is_none());
    let names: Vec<String> = store
        .list_snapshots()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["before"]);
    // Taking it again replaces it.
    store.take_snapshot("before", at).await.unwrap();
    assert_eq!(store.list_snapshots().await.unwrap().len(), 1);
    assert!(store.delete_snapshot("before").await.unwrap());
    assert!(!store.delete_snapshot("before").await.unwrap());
    assert!(store.list_snapshots().await.unwrap().is_empty());
}

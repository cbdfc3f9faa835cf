//! With DATABASE_URL unset, VibeBot runs a private PostgreSQL whose data survives restarts.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use server::database;

#[tokio::test]
async fn private_database_starts_and_keeps_data_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    // When the tests run as root, the cluster runs as `postgres`, which must reach the folder.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let config = common::config(&[("VIBEBOT_DATA_DIR", data_dir)]);
    assert!(config.database_url.is_none());

    let db = database::open(&config)
        .await
        .expect("private database starts");
    assert!(db.is_private());
    database::migrate(&db.pool).await.unwrap();
    sqlx::query("INSERT INTO users (id, email, password) VALUES ('u1', 'keep@x.test', 'h')")
        .execute(&db.pool)
        .await
        .unwrap();
    db.close().await;

    // Stopped: the socket is gone.
    let socket = dir.path().join("postgres/cluster/.s.PGSQL.5432");
    assert!(!socket.exists(), "the cluster stops on close");

    let db = database::open(&config)
        .await
        .expect("private database restarts");
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = 'u1'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(email, "keep@x.test");
    db.close().await;
}

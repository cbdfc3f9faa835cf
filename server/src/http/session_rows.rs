//! Sessions' rows in PostgreSQL (the `sessions` table, created by our
//! migrations in the layout of tower-sessions' PostgreSQL store), kept by
//! that store with one change: saving a session updates its row and never
//! creates it. The store's own save is an upsert, so a session renewed on one
//! instance (once a day, `auth::session::current_account`) in the instant it
//! was signed out on another would have come back. New sessions (sign-in,
//! a cycled id) go through `create`.

use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Debug, Clone)]
pub struct SessionRows {
    store: PostgresStore,
    pool: PgPool,
}

impl SessionRows {
    pub fn new(pool: &PgPool) -> Self {
        let store = PostgresStore::new(pool.clone())
            .with_schema_name("public")
            .and_then(|store| store.with_table_name("sessions"))
            .expect("static, valid identifiers");
        SessionRows {
            store,
            pool: pool.clone(),
        }
    }
}

#[async_trait]
impl SessionStore for SessionRows {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    /// Writes the session's data and idle deadline if its row still exists
    /// (encoded as the store encodes it).
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data =
            rmp_serde::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        sqlx::query("UPDATE sessions SET data = $2, expiry_date = $3 WHERE id = $1")
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.store.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}

#[async_trait]
impl ExpiredDeletion for SessionRows {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.store.delete_expired().await
    }
}

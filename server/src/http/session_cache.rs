//! Sessions kept in memory in front of PostgreSQL, so that a request does not
//! read its session from the database. A session is loaded from PostgreSQL
//! once per server instance (and after an hour unused); whether it still
//! exists there is checked on every request by the statement that reads the
//! signed-in account (`users::find_signed_in`), so a sign-out on any instance
//! ends the session on every instance at once.

use std::time::Duration;

use async_trait::async_trait;
use moka::sync::Cache;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// Sessions held at most (about 300 bytes each); the least used go first.
const CAPACITY: u64 = 100_000;
/// A session unused this long is read from PostgreSQL again.
const UNUSED_FOR: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
pub struct SessionCache {
    records: Cache<Id, Record>,
}

impl SessionCache {
    pub fn new() -> Self {
        SessionCache {
            records: Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_idle(UNUSED_FOR)
                .build(),
        }
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.records.insert(record.id, record.clone());
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.records.insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc();
        Ok(self.records.get(id).filter(|r| r.expiry_date > now))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.records.invalidate(id);
        Ok(())
    }
}

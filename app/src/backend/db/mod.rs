//! Repository functions, one module per table. Each takes `impl PgExecutor`
//! so it works on the pool and inside a transaction alike.

pub mod api_keys;
pub mod conversations;
pub mod login_failures;
pub mod messages;
pub mod users;

/// A new CUID2 id for a row.
pub fn new_id() -> String {
    cuid2::create_id()
}

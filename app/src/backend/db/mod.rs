//! Repository functions, one module per table. Each takes `impl PgExecutor`
//! so it works on the pool and inside a transaction alike.

pub mod api_keys;
pub mod conversations;
mod error;
pub mod health;
pub mod limits;
pub mod login_failures;
pub mod messages;
pub mod model_lists;
pub mod model_settings;
pub mod model_views;
pub mod rate_counts;
pub mod settings;
pub mod templates;
pub mod tree;
pub mod turn;
pub mod usage;
pub mod users;

/// A new CUID2 id for a row.
pub fn new_id() -> String {
    cuid2::create_id()
}

/// `text` as a literal inside a `LIKE`/`ILIKE` pattern (`%`, `_` and `\\` escaped).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

//! What the public status check reports.

use serde::{Deserialize, Serialize};

/// What the home page's status check reports: public, so nothing sensitive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerStatus {
    pub version: String,
    pub database_ok: bool,
    /// The newest applied migration, e.g. `20261125000000`.
    pub schema_version: Option<i64>,
}

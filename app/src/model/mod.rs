//! Types shared by the browser and the server: DTOs, enums, validation rules.

pub mod account;
mod enums;
mod status;

pub use account::Account;
pub use enums::{ApiKeyProvider, MessageRole, UserRole};
pub use status::ServerStatus;

//! Types shared by the browser and the server: DTOs, enums, validation rules.

mod enums;
mod status;

pub use enums::{ApiKeyProvider, MessageRole, UserRole};
pub use status::ServerStatus;

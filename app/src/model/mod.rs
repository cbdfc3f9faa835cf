//! Types shared by the browser and the server: DTOs, enums, validation rules.

pub mod account;
pub mod admin;
pub mod answer;
pub mod catalog;
pub mod chat_filter;
pub mod conversation;
mod enums;
pub mod generation;
pub mod keys;
pub mod limits;
pub mod model_access;
pub mod model_admin;
pub mod model_facts;
pub mod model_menu;
pub mod number;
mod status;
pub mod template;
pub mod text;
pub mod theme;
pub mod usage;

pub use account::Account;
pub use enums::{ApiKeyProvider, MessageRole, UserRole};
pub use keys::ApiKeyView;
pub use status::ServerStatus;
pub use theme::Theme;

//! Server functions, grouped by concern. Each validates its input and
//! authorizes its caller on the server.

pub mod account;
pub mod admin;
pub mod admin_models;
pub mod chat;
pub mod conversations;
pub mod keys;
pub mod limits;
pub mod messages;
pub mod models;
pub mod profile;
pub mod status;
pub mod templates;
pub mod usage;

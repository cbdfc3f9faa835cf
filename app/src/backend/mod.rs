//! Server-only code: configuration, database access, cryptography, state.
//! Compiled only with the `ssr` feature, so none of it reaches the WASM.

pub mod auth;
pub mod branches;
pub mod config;
pub mod cookies;
pub mod crypto;
pub mod csp;
pub mod db;
pub mod generation;
pub mod limits;
pub mod models;
pub mod open_streams;
pub mod password;
pub mod providers;
pub mod secret;
pub mod state;
pub mod turn;

pub use state::AppState;

//! The one error type every server function returns.
//!
//! User-facing variants carry a message meant for the person at the keyboard;
//! `Internal` deliberately says nothing more than "internal error": the server
//! logs the full cause once, where it happened. Database errors become one
//! of these in `backend/db/error.rs`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum AppError {
    /// The input broke a rule; the message says which and how to fix it.
    #[error("{0}")]
    Invalid(String),
    /// The caller is not signed in.
    #[error("you need to sign in first")]
    Unauthenticated,
    /// A sign-in with an unknown email or a wrong password (never say which).
    #[error("email or password is incorrect")]
    BadCredentials,
    /// Signed in, but this account may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or is not the caller's (never say which).
    #[error("{0} not found")]
    NotFound(String),
    /// The request clashes with existing data (a taken email, say).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests; try again after the given number of seconds.
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: u64,
    },
    /// A dependency (database, provider) is down or overloaded.
    #[error("{0}")]
    Unavailable(String),
    /// Something broke on the server; details are in the server log only.
    #[error("internal error")]
    Internal,
    /// The request never produced an answer (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error is sent with.
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Invalid(_) => 400,
            AppError::Unauthenticated | AppError::BadCredentials => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::RateLimited { .. } => 429,
            AppError::Unavailable(_) => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The body or query could not be read as this function's arguments.
            ServerFnErrorErr::Args(msg) | ServerFnErrorErr::Deserialization(msg) => {
                AppError::Invalid(format!("malformed request: {msg}"))
            }
            ServerFnErrorErr::Request(msg) | ServerFnErrorErr::Response(msg) => {
                AppError::Transport(msg)
            }
            ServerFnErrorErr::MissingArg(arg) => {
                AppError::Invalid(format!("missing argument: {arg}"))
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

/// For plain axum handlers (outside server functions): the error's status
/// with the same JSON body a server function sends.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status_code())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
    }
}

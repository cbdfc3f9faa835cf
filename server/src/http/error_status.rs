//! Server functions answer every error with HTTP 500; this sets the status that
//! matches the error (400 for bad input, 401, 403, 404, 409, 429, 503), so that
//! a user's mistake never looks like a server failure.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are small JSON objects; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A body over the size limit is refused (413) before any handler runs; this
/// gives that refusal the same JSON shape, with a message, as every other.
pub async fn explain_too_large(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let error = AppError::Invalid(format!(
        "the request is too large: at most {} MB",
        super::MAX_BODY_BYTES / (1024 * 1024)
    ));
    parts.headers.insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(
        parts,
        Body::from(serde_json::to_string(&error).unwrap_or_default()),
    )
}

pub async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::from("internal error"));
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let AppError::RateLimited {
            retry_after_secs, ..
        } = error
        {
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                parts.headers.insert("retry-after", value);
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

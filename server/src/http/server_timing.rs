//! `Server-Timing: app;dur=…`: how long the server took to produce each
//! response's head, in milliseconds. Browsers' developer tools show it, and
//! the benchmark reads it to tell server time from time on the wire.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub async fn server_timing(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut response = next.run(request).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(value) = HeaderValue::from_str(&format!("app;dur={ms:.2}")) {
        response.headers_mut().append("server-timing", value);
    }
    response
}

//! Probes for load balancers and orchestrators.

use std::time::Duration;

use app::backend::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The process is up and answering.
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers within a second: ready for traffic.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&state.pool);
    match tokio::time::timeout(Duration::from_secs(1), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ready"),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database error");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("readiness: database did not answer within 1 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

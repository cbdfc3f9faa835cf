//! `GET /api/usage.csv` (the signed-in user's own usage) and
//! `GET /api/admin/usage.csv` (every user's; ADMIN only): `usage_daily` as a
//! spreadsheet, one row per user, model and UTC day, for
//! `?from=YYYY-MM-DD&to=YYYY-MM-DD` (default: the last 30 days; at most 366).
//!
//! Rows are streamed as the database yields them, so a year of every user's
//! usage is never held in memory at once.

use std::borrow::Cow;
use std::io;

use app::backend::auth::ensure_admin;
use app::backend::auth::session::current_account;
use app::backend::db::usage::{self, ExportRow};
use app::backend::AppState;
use app::error::AppError;
use app::model::usage::DayRange;
use app::model::Account;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;
use tower_sessions::Session;

/// About this many bytes go out at once.
const CHUNK: usize = 32 * 1024;

#[derive(Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
}

type Chunk = Result<Bytes, io::Error>;

/// The signed-in user's own rows, without the user columns.
pub async fn mine(
    State(state): State<AppState>,
    session: Session,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let account = signed_in(&state, &session).await?;
    let range = range(params)?;
    Ok(download(state, Some(account.id), range))
}

/// Every user's rows, with each row's user id and email. ADMIN only.
pub async fn everyone(
    State(state): State<AppState>,
    session: Session,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, AppError> {
    let account = signed_in(&state, &session).await?;
    ensure_admin(&account)?;
    let range = range(params)?;
    Ok(download(state, None, range))
}

async fn signed_in(state: &AppState, session: &Session) -> Result<Account, AppError> {
    current_account(&state.pool, session)
        .await?
        .ok_or(AppError::Unauthenticated)
}

fn range(params: Result<Query<Params>, QueryRejection>) -> Result<DayRange, AppError> {
    let Query(params) =
        params.map_err(|e| AppError::Invalid(format!("malformed query: {}", e.body_text())))?;
    let today = chrono::Utc::now().date_naive();
    DayRange::parse(params.from.as_deref(), params.to.as_deref(), today).map_err(AppError::Invalid)
}

/// The headers now; the rows as a task writes them.
fn download(state: AppState, user_id: Option<String>, range: DayRange) -> Response {
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    tokio::spawn(async move {
        if let Err(e) = write_rows(&state, user_id.as_deref(), range, &tx).await {
            tracing::error!(error = %e, "usage export failed");
            // Ends the body with an error: a broken download, never a short file.
            let _ = tx.send(Err(io::Error::other("usage export failed"))).await;
        }
    });
    let body = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", range.file_name()),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Writes the header and every row to `tx`; stops early, without error, when
/// the client has gone.
async fn write_rows(
    state: &AppState,
    user_id: Option<&str>,
    range: DayRange,
    tx: &mpsc::Sender<Chunk>,
) -> anyhow::Result<()> {
    let with_user = user_id.is_none();
    let mut csv = writer();
    csv.write_record(columns(with_user))?;
    let mut rows = usage::export(&state.pool, user_id, range);
    while let Some(row) = rows.next().await {
        let row = row?;
        csv.write_record(cells(&row, with_user).iter().map(|cell| cell.as_bytes()))?;
        if csv.get_ref().len() >= CHUNK && !send(std::mem::replace(&mut csv, writer()), tx).await? {
            return Ok(());
        }
    }
    send(csv, tx).await?;
    Ok(())
}

fn writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::with_capacity(2 * CHUNK))
}

/// Sends what `csv` holds; false when the client has gone.
async fn send(csv: csv::Writer<Vec<u8>>, tx: &mpsc::Sender<Chunk>) -> io::Result<bool> {
    let chunk = csv.into_inner().map_err(|e| e.into_error())?;
    Ok(tx.send(Ok(Bytes::from(chunk))).await.is_ok())
}

fn columns(with_user: bool) -> Vec<&'static str> {
    let mut columns = vec!["day"];
    if with_user {
        columns.extend(["user_id", "email"]);
    }
    columns.extend([
        "model",
        "provider",
        "answers",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "unpriced_answers",
    ]);
    columns
}

fn cells(row: &ExportRow, with_user: bool) -> Vec<Cow<'_, str>> {
    let mut cells = vec![Cow::Owned(row.day.to_string())];
    if with_user {
        cells.extend([text(&row.user_id), text(&row.email)]);
    }
    cells.extend([
        text(&row.model),
        text(row.provider.as_str()),
        Cow::Owned(row.answers.to_string()),
        Cow::Owned(row.input_tokens.to_string()),
        Cow::Owned(row.output_tokens.to_string()),
        // Rust prints the shortest text that reads back as the same f64, never
        // in exponent form.
        Cow::Owned(row.cost_usd.to_string()),
        Cow::Owned(row.unpriced_answers.to_string()),
    ]);
    cells
}

/// A text cell that a spreadsheet would take for a formula gets a leading
/// `'` (formula injection: an email like `=HYPERLINK(...)@x.org`).
fn text(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn formula_like_text_is_quoted_and_other_text_is_not() {
        for risky in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text(risky), format!("'{risky}"));
        }
        for plain in ["ada@example.com", "gpt-4o", "1=1", ""] {
            assert_eq!(text(plain), plain);
        }
    }
}

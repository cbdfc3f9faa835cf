//! Reading a provider's response body with a ceiling: an endpoint a user
//! controls may send an endless body, and nothing it sends may make the
//! server hold more than the ceiling.

/// Why a capped read stopped.
#[derive(Debug)]
pub enum Capped {
    /// The body went past the ceiling; the rest was not read.
    TooLarge,
    /// The connection failed or timed out.
    Failed(reqwest::Error),
}

/// The whole body, or [`Capped::TooLarge`] as soon as it passes `limit` bytes.
pub async fn read_capped(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, Capped> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Capped::Failed)? {
        if body.len() + chunk.len() > limit {
            return Err(Capped::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// At most the first `limit` bytes of the body (and no more than `within`
/// to read them): what an error response says, for its summary.
pub async fn read_prefix(
    mut response: reqwest::Response,
    limit: usize,
    within: std::time::Duration,
) -> Vec<u8> {
    let mut body = Vec::new();
    let reading = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            let room = limit - body.len();
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() == limit {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(within, reading).await;
    body
}

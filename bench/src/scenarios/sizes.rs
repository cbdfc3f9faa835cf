//! Scenario 6: the browser bundle as served: raw, and the bytes sent with
//! gzip and with brotli (the server's own compression).

use anyhow::{Context, Result};

use super::Ctx;
use crate::report::Report;

pub async fn run(ctx: &Ctx, report: &mut Report) -> Result<()> {
    let mut files: Vec<String> = std::fs::read_dir(&ctx.site_dir)
        .with_context(|| format!("reading {}", ctx.site_dir))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".wasm") || n.ends_with(".js") || n.ends_with(".css"))
        .collect();
    files.sort();
    for name in files {
        let raw = std::fs::metadata(format!("{}/{name}", ctx.site_dir))?.len();
        let gzip = served(ctx, &name, "gzip").await?;
        let brotli = served(ctx, &name, "br").await?;
        let is_wasm = name.ends_with(".wasm");
        report.add(
            "6",
            format!("/pkg/{name}: raw / gzip / brotli as served"),
            format!("{} / {} / {}", kb(raw), kb(gzip), kb(brotli)),
            if is_wasm { "WASM < 400 KB gzip" } else { "" },
            is_wasm.then_some(gzip < 400 * 1024),
        );
    }
    Ok(())
}

/// Bytes on the wire for `/pkg/<name>` with this `Accept-Encoding`.
async fn served(ctx: &Ctx, name: &str, encoding: &str) -> Result<u64> {
    let response = ctx
        .vibebot
        .http()
        .get(format!("{}/pkg/{name}", ctx.vibebot.base()))
        .header("accept-encoding", encoding)
        .send()
        .await?;
    let sent_as = response
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .to_string();
    let bytes = response.bytes().await?.len() as u64;
    anyhow::ensure!(
        sent_as == encoding,
        "/pkg/{name} was sent as {sent_as}, not {encoding}"
    );
    Ok(bytes)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

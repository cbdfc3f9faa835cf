//! The Content-Security-Policy. Scripts run only from this site and with the
//! page's nonce (the hydration script), WASM may be compiled, and nothing is
//! loaded from, sent to, or framed by another origin. Markdown never produces
//! inline styles or scripts, and images in model output are rendered as links,
//! so nothing of ours needs `unsafe-inline`.

/// For responses that are not pages: nothing may run or load.
pub const NOT_A_PAGE: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// For a page whose inline scripts carry `nonce`. `reload` is the port of
/// cargo-leptos's live-reload socket in development (`cargo leptos watch`).
pub fn page(nonce: &str, reload: Option<u32>) -> String {
    let connect = match reload {
        Some(port) => format!("'self' ws://127.0.0.1:{port} ws://localhost:{port}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_runs_only_its_own_and_nonced_scripts() {
        let policy = page("abc123", None);
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains(" 'unsafe-eval'"), "only wasm-unsafe-eval");
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(policy.contains("connect-src 'self';"));
        assert!(page("n", Some(3001))
            .contains("connect-src 'self' ws://127.0.0.1:3001 ws://localhost:3001;"));
    }
}

//! The site's files served beside pages: a file never takes a page's
//! headers. Its own test binary, so that no other test runs beside it in the
//! process: with the nine tests of `http.rs` beside it, 1 run in 4 had one
//! page wait a full minute (the response timeout's 503), never when run
//! alone or with `--test-threads=1` (the `#[sqlx::test]`s of one process
//! share a parent pool of 20 connections and sqlx's master connections hop
//! runtimes; not chased further).

use crate::common;

use sqlx::PgPool;
/// Static files are served beside pages rendered at the same instant: a
/// file's response must never take a page's headers (leptos_axum's file
/// handler once looked up "the current request's" response options through
/// whichever reactive owner its thread last ran, and moved a page's
/// Content-Security-Policy onto a favicon: the page, without it, could not
/// run its scripts and never became interactive).
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_file_served_beside_a_page_never_takes_its_headers(pool: PgPool) {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("favicon.svg"), "<svg/>").unwrap();
    std::fs::write(site.path().join("pkg/app.js"), "export {}").unwrap();
    let mut shared = server::serve::shared_state(&common::config(&[]), pool).unwrap();
    shared.leptos_options.site_root = site.path().to_str().unwrap().into();
    let state = app::backend::AppState::new(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let app = server::http::router(state)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });

    let client = reqwest::Client::new();
    let policy = |response: &reqwest::Response| {
        response.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string()
    };
    for round in 0..100 {
        let (page, icon, script) = tokio::join!(
            client.get(format!("{base}/login")).send(),
            client.get(format!("{base}/favicon.svg")).send(),
            client.get(format!("{base}/pkg/app.js")).send(),
        );
        let (page, icon, script) = (page.unwrap(), icon.unwrap(), script.unwrap());
        assert_eq!(page.status(), 200);
        assert!(
            policy(&page).contains("'nonce-"),
            "round {round}: the page lost its policy: {}",
            policy(&page)
        );
        for file in [&icon, &script] {
            assert_eq!(file.status(), 200, "round {round}");
            assert_eq!(
                policy(file),
                "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
                "round {round}: {}",
                file.url()
            );
        }
        assert_eq!(icon.text().await.unwrap(), "<svg/>");
    }
    // Missing files still get the app's own "not found" page.
    let missing = client
        .get(format!("{base}/pkg/missing.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(policy(&missing).contains("'nonce-"), "{}", policy(&missing));
}

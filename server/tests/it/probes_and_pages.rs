//! The server over real HTTP: probes, the server-rendered home page, a server function.

use crate::common;

use sqlx::PgPool;

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn health_and_readiness_probes_answer(pool: PgPool) {
    let base = common::spawn_app(pool.clone()).await;
    let client = reqwest::Client::new();

    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");

    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // With the database gone, the process is alive but not ready.
    pool.close().await;
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let health = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn home_page_is_server_rendered_and_compressed(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let response = reqwest::Client::new()
        .get(&base)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    // reqwest without the gzip feature hands back the raw bytes; decode them ourselves.
    let compressed = response.bytes().await.unwrap();
    assert!(compressed.starts_with(&[0x1f, 0x8b]), "gzip magic");

    let html = reqwest::get(&base).await.unwrap().text().await.unwrap();
    assert!(html.contains("<h1>VibeBot</h1>"), "{html}");
    assert!(
        html.contains("/pkg/vibebot.js"),
        "hydration script is linked"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn status_server_function_reports_the_schema_version(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let answer = common::Client::new(&base).call("status", &[]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let status: app::model::ServerStatus = serde_json::from_value(answer.body).unwrap();
    assert!(status.database_ok);
    let newest = server::database::MIGRATOR.iter().map(|m| m.version).max();
    assert_eq!(status.schema_version, newest);
    assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn unknown_pages_are_404(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let response = reqwest::get(format!("{base}/no/such/page")).await.unwrap();
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pages_redirect_by_sign_in_state_with_real_302s(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let client = common::Client::new(&base);
    let page = |path: &str| {
        client
            .http
            .get(format!("{base}{path}"))
            .header("accept", "text/html")
            .send()
    };

    let visitor = page("/settings/profile").await.unwrap();
    assert_eq!(visitor.status(), 302);
    let location = visitor.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("/login?next="), "{location}");
    assert!(location.contains("settings"), "{location}");
    assert_eq!(page("/login").await.unwrap().status(), 200);

    client
        .register("ada@example.com", "correct horse battery")
        .await;
    let member = page("/login").await.unwrap();
    assert_eq!(member.status(), 302);
    assert_eq!(member.headers()["location"], "/");
    let profile = page("/settings/profile").await.unwrap();
    assert_eq!(profile.status(), 200);
    assert!(profile.text().await.unwrap().contains("ada@example.com"));
}

/// A member who opens an admin page gets one refusal (403), without the
/// page's cards; `/settings` and `/profile` lead to the settings.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn admin_pages_refuse_members_and_guessed_settings_addresses_lead_somewhere(pool: PgPool) {
    let base = common::spawn_app(pool.clone()).await;
    let client = common::Client::new(&base);
    let page = |path: &str| {
        client
            .http
            .get(format!("{base}{path}"))
            .header("accept", "text/html")
            .send()
    };
    for path in ["/admin", "/admin/usage", "/admin/models"] {
        let visitor = page(path).await.unwrap();
        assert_eq!(visitor.status(), 302, "{path}");
        let location = visitor.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/login?next="), "{path}: {location}");
    }
    // The settings first (which send a visitor on to sign in).
    for path in ["/settings", "/profile"] {
        let visitor = page(path).await.unwrap();
        assert_eq!(visitor.status(), 302, "{path}");
        assert_eq!(visitor.headers()["location"], "/settings/profile", "{path}");
    }

    client
        .register("ada@example.com", "correct horse battery")
        .await;
    for path in ["/admin", "/admin/usage", "/admin/models"] {
        let member = page(path).await.unwrap();
        assert_eq!(member.status(), 403, "{path}");
        let body = member.text().await.unwrap();
        assert!(
            body.contains("Only administrators can see the administration pages"),
            "{path}: {body}"
        );
        assert!(!body.contains("Only administrators can do this"), "{path}");
        assert!(!body.contains("registration-heading"), "no card: {path}");
    }
    for path in ["/settings", "/profile"] {
        let member = page(path).await.unwrap();
        assert_eq!(member.status(), 302, "{path}");
        assert_eq!(member.headers()["location"], "/settings/profile", "{path}");
    }

    common::set_role(&pool, "ada@example.com", "ADMIN").await;
    let admin = page("/admin").await.unwrap();
    assert_eq!(admin.status(), 200);
    let body = admin.text().await.unwrap();
    assert!(body.contains("registration-heading"), "{body}");
    assert!(!body.contains("data-testid=\"forbidden\""), "{body}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn every_response_says_how_long_the_server_took(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let client = reqwest::Client::new();
    for response in [
        client.get(format!("{base}/healthz")).send().await.unwrap(),
        client.get(format!("{base}/")).send().await.unwrap(),
        client
            .get(format!("{base}/no-such-page"))
            .send()
            .await
            .unwrap(),
    ] {
        let timing = response.headers()["server-timing"].to_str().unwrap();
        let ms: f64 = timing
            .strip_prefix("app;dur=")
            .unwrap_or_else(|| panic!("{timing}"))
            .parse()
            .unwrap();
        assert!((0.0..60_000.0).contains(&ms), "{timing}");
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pages_carry_a_nonce_policy_and_everything_else_a_locked_one(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let client = reqwest::Client::new();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let page = client.get(format!("{base}/login")).send().await.unwrap();
        let headers = page.headers().clone();
        let policy = headers["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = page.text().await.unwrap();
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("no nonce in {policy}"))
            .to_string();
        assert!(
            html.contains(&format!("<script type=\"module\" nonce=\"{nonce}\"")),
            "the hydration script carries the policy's nonce: {html}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert!(
            headers.get("strict-transport-security").is_none(),
            "plain HTTP"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a fresh nonce per page");

    let status = client
        .post(format!("{base}/api/status"))
        .header("origin", &base)
        .send()
        .await
        .unwrap();
    assert_eq!(
        status.headers()["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(status.headers()["x-content-type-options"], "nosniff");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn hsts_is_sent_when_users_come_over_https(pool: PgPool) {
    let base =
        common::spawn_app_with(pool, &[("VIBEBOT_PUBLIC_URL", "https://chat.example.com")]).await;
    let response = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=63072000; includeSubDomains"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_oversized_body_is_refused_and_the_server_stays_up(pool: PgPool) {
    let base = common::spawn_app(pool).await;
    let client = common::Client::new(&base);
    assert_eq!(
        client
            .register("ada@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    let huge = format!("text={}", "a".repeat(server::http::MAX_BODY_BYTES + 1));
    let refused = client
        .http
        .post(format!("{base}/api/chat/send"))
        .header("origin", &base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 413);
    let refused = common::Answer::read(refused).await;
    assert!(
        refused.message().contains("too large: at most 2 MB"),
        "{refused:?}"
    );
    // Still serving, and the caller is still signed in.
    assert_eq!(client.call("account", &[]).await.status, 200);
}

/// Tests start many apps in one process. Building a router while another
/// app renders a page must not hold that page back: finding the routes
/// renders the app with resources held back process-wide (leptos#4773), so
/// it happens once per process. Before, `/admin` once answered 503 after 60 s.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn building_another_router_does_not_stall_a_page_being_rendered(pool: PgPool) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    /// Ends the builder when the test ends, failed assertions included (the
    /// runtime waits for its blocking tasks).
    struct Stop(Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }

    let base = common::spawn_app(pool.clone()).await;
    let state = server::serve::app_state(&common::config(&[]), pool).expect("app state");
    let stop = Stop(Arc::new(AtomicBool::new(false)));
    let builder = tokio::task::spawn_blocking({
        let done = stop.0.clone();
        move || {
            let mut built = 0u32;
            while !done.load(Ordering::Relaxed) {
                drop(server::http::router(state.clone()));
                built += 1;
            }
            built
        }
    });
    let client = reqwest::Client::new();
    for attempt in 0..20 {
        // The account resource of every page (`/login` for a visitor).
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            client.get(format!("{base}/login")).send(),
        )
        .await;
        let status = page.map(|sent| sent.map(|response| response.status()));
        assert!(
            matches!(status, Ok(Ok(s)) if s == 200),
            "page {attempt}: {status:?} (10 s: no answer)"
        );
    }
    drop(stop);
    assert!(builder.await.unwrap() > 0, "routers were built meanwhile");
}

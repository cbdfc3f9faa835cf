//! Accounts over real HTTP against real PostgreSQL: registration, sign-in,
//! sessions, throttling, profile changes, roles and cross-site protection.

use crate::common;

use common::{spawn_app, spawn_app_with, Client};
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn register_login_use_logout_then_refused(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = Client::new(&base);

    let answer = client.register("  Ada@Example.COM ", PASSWORD).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["email"], "ada@example.com");
    assert_eq!(answer.body["role"], "USER");
    assert!(
        answer.headers.contains_key("serverfnredirect"),
        "the browser is sent on"
    );

    let logout = client.call("logout", &[]).await;
    assert_eq!(logout.status, 200, "{logout:?}");
    assert_eq!(client.whoami().await, None);

    let login = client.login("ada@example.com", PASSWORD).await;
    assert_eq!(login.status, 200, "{login:?}");
    assert_eq!(client.whoami().await.as_deref(), Some("ada@example.com"));
    let renamed = client.call("profile/name", &[("name", "Ada L.")]).await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    assert_eq!(renamed.body["name"], "Ada L.");

    client.call("logout", &[]).await;
    let refused = client.call("profile/name", &[("name", "Mallory")]).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.kind(), "unauthenticated");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn wrong_password_and_unknown_email_get_the_same_answer(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = Client::new(&base);
    client.register("ada@example.com", PASSWORD).await;
    client.call("logout", &[]).await;

    let wrong_password = client.login("ada@example.com", "not the password").await;
    let unknown_email = client.login("nobody@example.com", "not the password").await;
    assert_eq!(wrong_password.status, 401);
    assert_eq!(wrong_password.body, unknown_email.body);
    assert_eq!(unknown_email.status, 401);
    let error: app::error::AppError = serde_json::from_value(wrong_password.body).unwrap();
    assert_eq!(error.to_string(), "email or password is incorrect");
    assert_eq!(client.whoami().await, None);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn throttling_kicks_in_after_five_failures_and_lifts(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let client = Client::new(&base);
    client.register("ada@example.com", PASSWORD).await;
    client.call("logout", &[]).await;

    for _ in 0..5 {
        assert_eq!(
            client
                .login("ada@example.com", "wrong password")
                .await
                .status,
            401
        );
    }
    // Even the right password is refused now, with a clear wait.
    let blocked = client.login("ada@example.com", PASSWORD).await;
    assert_eq!(blocked.status, 429, "{blocked:?}");
    assert!(
        blocked
            .message()
            .starts_with("too many attempts, try again in "),
        "{}",
        blocked.message()
    );
    let wait: u64 = blocked.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");

    // Fifteen minutes later (moved in the database rather than waited for), it lifts.
    sqlx::query("UPDATE login_failures SET failed_at = failed_at - interval '16 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(client.login("ada@example.com", PASSWORD).await.status, 200);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn registration_validates_its_input(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = Client::new(&base);

    let too_long = "a".repeat(73);
    let answer = client.register("ada@example.com", &too_long).await;
    assert_eq!(answer.status, 400);
    assert!(
        answer.message().contains("at most 72 bytes"),
        "{}",
        answer.message()
    );

    let short = client.register("ada@example.com", "short").await;
    assert_eq!(short.status, 400);
    assert!(short.message().contains("at least 8 characters"));

    let bad_email = client.register("not-an-email", PASSWORD).await;
    assert_eq!(bad_email.status, 400);
    assert!(bad_email.message().contains("valid email"));

    assert_eq!(
        client.register("ada@example.com", PASSWORD).await.status,
        200
    );
    let other = Client::new(&base);
    let duplicate = other.register(" ADA@example.com", "another password").await;
    assert_eq!(duplicate.status, 409);
    assert_eq!(
        duplicate.message(),
        "an account with this email already exists"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn registration_can_be_closed_by_the_operator(pool: PgPool) {
    let base = spawn_app_with(pool, &[("VIBEBOT_REGISTRATION", "closed")]).await;
    let answer = Client::new(&base)
        .register("ada@example.com", PASSWORD)
        .await;
    assert_eq!(answer.status, 403);
    assert!(answer.message().contains("registration is closed"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn session_cookie_has_safe_flags(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let answer = Client::new(&base)
        .register("ada@example.com", PASSWORD)
        .await;
    let cookie = answer.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("vibebot_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(cookie.contains("Max-Age="), "idle expiry: {cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP: {cookie}");

    let https = spawn_app_with(pool, &[("VIBEBOT_PUBLIC_URL", "https://chat.example.com")]).await;
    let client = Client::new(&https);
    let answer = client
        .call_from(
            "register",
            &[("email", "bob@example.com"), ("password", PASSWORD)],
            Some("https://chat.example.com"),
        )
        .await;
    let cookie = answer.headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn session_id_changes_at_login_and_the_old_one_dies(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = Client::new(&base);
    client.register("ada@example.com", PASSWORD).await;
    let before = client.session_cookie().expect("a session cookie");

    client.login("ada@example.com", PASSWORD).await;
    let after = client.session_cookie().expect("a session cookie");
    assert_ne!(before, after);

    let stale = Client::new(&base);
    stale
        .jar
        .add_cookie_str(&format!("vibebot_session={before}"), &base.parse().unwrap());
    assert_eq!(stale.whoami().await, None);
}

/// The session `id` as stored in PostgreSQL (encoded as tower-sessions' store encodes it).
async fn stored_session(pool: &PgPool, id: &str) -> tower_sessions::session::Record {
    let (data,): (Vec<u8>,) = sqlx::query_as("SELECT data FROM sessions WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    rmp_serde::from_slice(&data).unwrap()
}

/// Seconds until the stored session `id` expires if unused.
async fn idle_seconds_left(pool: &PgPool, id: &str) -> f64 {
    sqlx::query_scalar(
        "SELECT extract(epoch FROM expiry_date - now())::float8 FROM sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A session in use is not written on every request, but once a day its idle
/// deadline moves to seven days from now: a user active every day stays
/// signed in (until the 30-day absolute limit).
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_session_in_use_is_renewed_once_a_day(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let client = Client::new(&base);
    client.register("ada@example.com", PASSWORD).await;
    let id = client.session_cookie().expect("a session cookie");
    let answer = client.call("account", &[]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(
        !answer.headers.contains_key("set-cookie"),
        "written again within the day: {answer:?}"
    );

    // Six days and 23 hours later: last renewed a day and more ago, idle
    // deadline in an hour.
    let mut record = stored_session(&pool, &id).await;
    let day_ago = (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339();
    record.data.get_mut("auth").unwrap()["renewed_at"] = day_ago.into();
    record.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
    sqlx::query("UPDATE sessions SET data = $2, expiry_date = $3 WHERE id = $1")
        .bind(&id)
        .bind(rmp_serde::to_vec(&record).unwrap())
        .bind(record.expiry_date)
        .execute(&pool)
        .await
        .unwrap();
    // The edit above makes time pass in the database only; the first
    // instance keeps the session in memory as it read it. An instance that
    // reads it from the database sees the days gone by.
    let later = spawn_app(pool.clone()).await;
    let client = Client::new(&later);
    client
        .jar
        .add_cookie_str(&format!("vibebot_session={id}"), &later.parse().unwrap());

    let answer = client.call("account", &[]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["email"], "ada@example.com");
    let cookie = answer.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains(&format!("vibebot_session={id}")),
        "{cookie}"
    );
    assert!(cookie.contains("Max-Age=604800"), "{cookie}");
    let left = idle_seconds_left(&pool, &id).await;
    assert!(left > 6.9 * 86_400.0, "idle deadline {left} s away");

    // And not again on the next request.
    let answer = client.call("account", &[]).await;
    assert!(!answer.headers.contains_key("set-cookie"), "{answer:?}");
}

/// A renewal on one instance racing a sign-out on another: the row the
/// sign-out deleted stays deleted.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn saving_a_session_signed_out_meanwhile_does_not_bring_it_back(pool: PgPool) {
    use tower_sessions::SessionStore;
    let base = spawn_app(pool.clone()).await;
    let client = Client::new(&base);
    client.register("ada@example.com", PASSWORD).await;
    let id = client.session_cookie().expect("a session cookie");
    let mut record = stored_session(&pool, &id).await;
    let rows = server::http::session_rows::SessionRows::new(&pool);
    let row_count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM sessions WHERE id = $1")
            .bind(&id)
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    // A save (a renewal) updates the session's row.
    record.expiry_date = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    rows.save(&record).await.unwrap();
    let left = idle_seconds_left(&pool, &id).await;
    assert!(
        (7000.0..7300.0).contains(&left),
        "idle deadline {left} s away"
    );

    // Signed out on another instance, then saved here: it stays gone.
    assert_eq!(client.call("logout", &[]).await.status, 200);
    assert_eq!(row_count().await, 0);
    rows.save(&record).await.unwrap();
    assert_eq!(row_count().await, 0, "the save re-created the session");
    assert!(rows.load(&record.id).await.unwrap().is_none());
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_session_works_and_ends_on_a_second_server_instance(pool: PgPool) {
    let first = spawn_app(pool.clone()).await;
    let second = spawn_app(pool).await;
    let client = Client::new(&first);
    client.register("ada@example.com", PASSWORD).await;
    let cookie = client.session_cookie().unwrap();

    let elsewhere = Client::new(&second);
    elsewhere.jar.add_cookie_str(
        &format!("vibebot_session={cookie}"),
        &second.parse().unwrap(),
    );
    assert_eq!(elsewhere.whoami().await.as_deref(), Some("ada@example.com"));

    // Each instance keeps the session in memory; signing out on one ends it
    // on the other at once.
    assert_eq!(client.call("logout", &[]).await.status, 200);
    assert_eq!(elsewhere.whoami().await, None);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn password_change_ends_other_sessions_only(pool: PgPool) {
    let base = spawn_app(pool).await;
    let laptop = Client::new(&base);
    let phone = Client::new(&base);
    laptop.register("ada@example.com", PASSWORD).await;
    phone.login("ada@example.com", PASSWORD).await;
    assert_eq!(phone.whoami().await.as_deref(), Some("ada@example.com"));

    let wrong = laptop
        .call(
            "profile/password",
            &[
                ("current_password", "nope nope"),
                ("new_password", "a new password"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.message(), "the current password is incorrect");

    let changed = laptop
        .call(
            "profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a new password"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(laptop.whoami().await.as_deref(), Some("ada@example.com"));
    assert_eq!(phone.whoami().await, None);

    assert_eq!(phone.login("ada@example.com", PASSWORD).await.status, 401);
    assert_eq!(
        phone
            .login("ada@example.com", "a new password")
            .await
            .status,
        200
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn email_change_needs_the_password_and_a_free_address(pool: PgPool) {
    let base = spawn_app(pool).await;
    Client::new(&base)
        .register("taken@example.com", PASSWORD)
        .await;
    let client = Client::new(&base);
    client.register("ada@example.com", PASSWORD).await;

    let wrong = client
        .call(
            "profile/email",
            &[
                ("new_email", "new@example.com"),
                ("current_password", "wrong one"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    let taken = client
        .call(
            "profile/email",
            &[
                ("new_email", "Taken@example.com"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(taken.status, 409);
    let changed = client
        .call(
            "profile/email",
            &[
                ("new_email", "New@Example.com"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    assert_eq!(client.whoami().await.as_deref(), Some("new@example.com"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn account_deletion_cascades_and_ends_the_session(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let client = Client::new(&base);
    let id = client.register("ada@example.com", PASSWORD).await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    sqlx::query("INSERT INTO conversations (id, user_id) VALUES ('c1', $1)")
        .bind(&id)
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, user_id, role, content) VALUES \
                 ('m1', 'c1', $1, 'USER', 'hi')",
    )
    .bind(&id)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, provider, encrypted_key) VALUES ('k1', $1, \
                 'CLAUDE', 'v1:x')",
    )
    .bind(&id)
    .execute(&pool)
    .await
    .unwrap();

    let wrong = client
        .call("profile/delete", &[("current_password", "wrong one")])
        .await;
    assert_eq!(wrong.status, 400);
    let deleted = client
        .call("profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(deleted.status, 200, "{deleted:?}");

    for table in ["users", "conversations", "messages", "api_keys"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    assert_eq!(client.whoami().await, None);
    assert_eq!(client.login("ada@example.com", PASSWORD).await.status, 401);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn cross_site_writes_are_refused(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = Client::new(&base);
    let args = [("email", "ada@example.com"), ("password", PASSWORD)];
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let answer = client.call_from("register", &args, origin).await;
        assert_eq!(answer.status, 403, "origin {origin:?}: {answer:?}");
        assert!(answer.message().starts_with("cross-site request refused"));
    }
    // A plain HTML form posted from another site.
    let form_post = client
        .http
        .post(format!("{base}/api/login"))
        .header("origin", "https://evil.example")
        .header("accept", "text/html")
        .form(&args)
        .send()
        .await
        .unwrap();
    assert_eq!(form_post.status(), 403);
    // DNS rebinding: a page of a name an attacker points at this server is
    // "same origin" with it; without VIBEBOT_PUBLIC_URL, only addresses and
    // loopback names are served writes.
    let port = base.rsplit(':').next().unwrap();
    let rebound = format!("rebound.example:{port}");
    let answer = client
        .call_with(
            "register",
            &args,
            &[("host", &rebound), ("origin", &format!("http://{rebound}"))],
        )
        .await;
    assert_eq!(answer.status, 403, "{answer:?}");
    assert!(
        answer.message().contains("VIBEBOT_PUBLIC_URL"),
        "{answer:?}"
    );
    assert_eq!(client.whoami().await, None);
    let local = format!("localhost:{port}");
    let answer = client
        .call_with(
            "register",
            &args,
            &[("host", &local), ("origin", &format!("http://{local}"))],
        )
        .await;
    assert_eq!(answer.status, 200, "a loopback name is fine: {answer:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn guests_can_sign_in_and_are_shown_as_guests(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let client = Client::new(&base);
    client.register("guest@example.com", PASSWORD).await;
    sqlx::query("UPDATE users SET role = 'GUEST' WHERE email = 'guest@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let account = client.call("account", &[]).await;
    assert_eq!(account.body["role"], "GUEST");
}

// --- Throttling that holds (issue #25).

/// How many of `answers` had each status.
fn statuses(answers: &[common::Answer]) -> std::collections::BTreeMap<u16, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for answer in answers {
        *counts.entry(answer.status).or_insert(0) += 1;
    }
    counts
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn fifty_wrong_passwords_at_once_get_at_most_five_tries(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let ada = Client::new(&base);
    assert_eq!(ada.register("ada@example.com", PASSWORD).await.status, 200);

    // Sign-in: every attempt is counted before its password is hashed.
    let attempts = (0..50).map(|_| {
        let client = Client::new(&base);
        async move { client.login("ada@example.com", "wrong password").await }
    });
    let answers = futures::future::join_all(attempts).await;
    let counts = statuses(&answers);
    assert!(counts.get(&401).copied().unwrap_or(0) <= 5, "{counts:?}");
    assert_eq!(
        counts.get(&401).copied().unwrap_or(0) + counts.get(&429).copied().unwrap_or(0),
        50,
        "{counts:?}"
    );

    // The current password on the profile page, from a fresh address's
    // point of view (the failures above are forgotten a window later).
    sqlx::query("DELETE FROM login_failures")
        .execute(&pool)
        .await
        .unwrap();
    let attempts = (0..50).map(|_| {
        let ada = ada.clone();
        async move {
            ada.call(
                "profile/email",
                &[
                    ("new_email", "new@example.com"),
                    ("current_password", "wrong password"),
                ],
            )
            .await
        }
    });
    let answers = futures::future::join_all(attempts).await;
    let counts = statuses(&answers);
    assert!(counts.get(&400).copied().unwrap_or(0) <= 5, "{counts:?}");
    assert_eq!(
        counts.get(&400).copied().unwrap_or(0) + counts.get(&429).copied().unwrap_or(0),
        50,
        "{counts:?}"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn many_right_passwords_at_once_from_one_address_all_get_in(pool: PgPool) {
    let base = spawn_app(pool).await;
    assert_eq!(
        Client::new(&base)
            .register("ada@example.com", PASSWORD)
            .await
            .status,
        200
    );
    // Attempts waiting for their hash do not count against each other (an
    // office behind one address signing in at nine).
    let attempts = (0..30).map(|_| {
        let client = Client::new(&base);
        async move { client.login("ada@example.com", PASSWORD).await }
    });
    let answers = futures::future::join_all(attempts).await;
    assert_eq!(statuses(&answers), [(200, 30)].into());
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_attacker_cannot_lock_the_owner_out_of_an_address_they_used(pool: PgPool) {
    let base = spawn_app_with(pool, &[("VIBEBOT_TRUST_PROXY", "true")]).await;
    let owner = Client::from_address(&base, "203.0.113.5");
    assert_eq!(
        owner.register("ada@example.com", PASSWORD).await.status,
        200
    );
    owner.call("logout", &[]).await;

    // Twenty failures from ten addresses lock the account everywhere else.
    for i in 1..=10 {
        let attacker = Client::from_address(&base, &format!("198.51.100.{i}"));
        for _ in 0..2 {
            let answer = attacker.login("ada@example.com", "guess").await;
            assert!(matches!(answer.status, 401 | 429), "{answer:?}");
        }
    }
    let stranger = Client::from_address(&base, "192.0.2.77");
    assert_eq!(
        stranger.login("ada@example.com", PASSWORD).await.status,
        429
    );
    // An attacker who claims the owner's address in the header it sends is
    // judged by the address the proxy appended after it.
    let spoofing = Client::from_address(&base, "203.0.113.5, 198.51.100.1");
    assert_eq!(
        spoofing.login("ada@example.com", PASSWORD).await.status,
        429
    );

    // The owner, from the address they signed in from before, gets in.
    let answer = owner.login("ada@example.com", PASSWORD).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(owner.whoami().await.as_deref(), Some("ada@example.com"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_ipv6_client_is_throttled_by_its_64(pool: PgPool) {
    let base = spawn_app_with(pool, &[("VIBEBOT_TRUST_PROXY", "true")]).await;
    // Five failures, each from another address of one /64 and for another account.
    for i in 1..=5 {
        let client = Client::from_address(&base, &format!("2001:db8:1:2::{i}"));
        let answer = client.login(&format!("user{i}@example.com"), "guess").await;
        assert_eq!(answer.status, 401, "{answer:?}");
    }
    let same_64 = Client::from_address(&base, "2001:db8:1:2:ffff::9");
    assert_eq!(
        same_64.login("user6@example.com", "guess").await.status,
        429
    );
    let other_64 = Client::from_address(&base, "2001:db8:1:3::1");
    assert_eq!(
        other_64.login("user6@example.com", "guess").await.status,
        401
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn registrations_from_one_address_are_throttled(pool: PgPool) {
    let base = spawn_app_with(pool, &[("VIBEBOT_REGISTRATIONS_PER_ADDRESS", "3")]).await;
    // Taken addresses count too: each costs a hash.
    let first = Client::new(&base);
    assert_eq!(
        first.register("ada@example.com", PASSWORD).await.status,
        200
    );
    assert_eq!(
        Client::new(&base)
            .register("ada@example.com", PASSWORD)
            .await
            .status,
        409
    );
    assert_eq!(
        Client::new(&base)
            .register("bob@example.com", PASSWORD)
            .await
            .status,
        200
    );
    let refused = Client::new(&base)
        .register("cy@example.com", PASSWORD)
        .await;
    assert_eq!(refused.status, 429, "{refused:?}");
    assert!(refused
        .message()
        .starts_with("too many attempts, try again in "));
}

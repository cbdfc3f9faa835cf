//! The admin panel's server functions over real HTTP: only ADMIN gets in,
//! the last admin stays, created accounts must change their one-time
//! password, and the registration mode decides who may sign up.

use crate::common;

use common::{user_id, Client};
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";

/// The app, a signed-in admin, and a signed-in ordinary user.
async fn setup(pool: &PgPool) -> (String, Client, Client) {
    let base = common::spawn_app(pool.clone()).await;
    let admin = Client::new(&base);
    assert_eq!(
        admin.register("root@example.com", PASSWORD).await.status,
        200
    );
    sqlx::query("UPDATE users SET role = 'ADMIN' WHERE email = 'root@example.com'")
        .execute(pool)
        .await
        .unwrap();
    let user = Client::new(&base);
    assert_eq!(user.register("ada@example.com", PASSWORD).await.status, 200);
    (base, admin, user)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_admins_reach_admin_functions(pool: PgPool) {
    let (base, _admin, user) = setup(&pool).await;
    let guest = Client::new(&base);
    assert_eq!(
        guest.register("guest@example.com", PASSWORD).await.status,
        200
    );
    sqlx::query("UPDATE users SET role = 'GUEST' WHERE email = 'guest@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let visitor = Client::new(&base);
    let target = user_id(&pool, "ada@example.com").await;
    let calls: [(&str, Vec<(&str, &str)>); 6] = [
        ("admin/users", vec![]),
        ("admin/role", vec![("user_id", &target), ("role", "ADMIN")]),
        (
            "admin/create",
            vec![("email", "x@example.com"), ("role", "USER")],
        ),
        ("admin/delete", vec![("user_id", &target)]),
        ("admin/registration", vec![]),
        ("admin/registration/set", vec![("mode", "open")]),
    ];
    for (endpoint, args) in &calls {
        assert_eq!(visitor.call(endpoint, args).await.status, 401, "{endpoint}");
        for (who, client) in [("user", &user), ("guest", &guest)] {
            let answer = client.call(endpoint, args).await;
            assert_eq!(answer.status, 403, "{who} on {endpoint}: {answer:?}");
        }
    }
    // Nothing changed.
    let role: String = sqlx::query_scalar("SELECT role::text FROM users WHERE id = $1")
        .bind(&target)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(role, "USER");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_user_list_searches_and_pages(pool: PgPool) {
    let (_, admin, _) = setup(&pool).await;
    for i in 0..60 {
        sqlx::query("INSERT INTO users (id, email, password) VALUES ($1, $2, 'x')")
            .bind(format!("bulk{i:02}"))
            .bind(format!("bulk{i:02}@example.com"))
            .execute(&pool)
            .await
            .unwrap();
    }
    let first = admin.call("admin/users", &[]).await;
    assert_eq!(first.status, 200, "{first:?}");
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let second = admin.call("admin/users", &[("cursor", &cursor)]).await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 12);
    assert!(second.body["next_cursor"].is_null());
    let mut emails: Vec<String> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second.body["items"].as_array().unwrap())
        .map(|u| u["email"].as_str().unwrap().to_string())
        .collect();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), 62, "every user exactly once");

    let found = admin.call("admin/users", &[("search", "ADA@")]).await;
    let items = found.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["email"], "ada@example.com");
    assert!(items[0]["last_active_at"].is_string(), "signed up = active");
    // LIKE wildcards are literal.
    let none = admin.call("admin/users", &[("search", "%")]).await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn roles_change_but_the_last_admin_stays(pool: PgPool) {
    let (_, admin, _) = setup(&pool).await;
    let root = user_id(&pool, "root@example.com").await;
    let ada = user_id(&pool, "ada@example.com").await;

    let refused = admin
        .call("admin/role", &[("user_id", &root), ("role", "USER")])
        .await;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert!(
        refused.message().contains("last administrator"),
        "{refused:?}"
    );
    let refused = admin.call("admin/delete", &[("user_id", &root)]).await;
    assert_eq!(refused.status, 409, "{refused:?}");

    let bad = admin
        .call("admin/role", &[("user_id", &ada), ("role", "OWNER")])
        .await;
    assert_eq!(bad.status, 400);
    let missing = admin
        .call("admin/role", &[("user_id", "nobody"), ("role", "USER")])
        .await;
    assert_eq!(missing.status, 404);

    let promoted = admin
        .call("admin/role", &[("user_id", &ada), ("role", "ADMIN")])
        .await;
    assert_eq!(promoted.status, 200, "{promoted:?}");
    assert_eq!(promoted.body["role"], "ADMIN");
    // Two admins: now root may step down.
    let demoted = admin
        .call("admin/role", &[("user_id", &root), ("role", "USER")])
        .await;
    assert_eq!(demoted.status, 200, "{demoted:?}");
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'ADMIN'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_created_account_must_change_its_one_time_password(pool: PgPool) {
    let (base, admin, _) = setup(&pool).await;
    let created = admin
        .call(
            "admin/create",
            &[
                ("email", "New.Person@Example.com"),
                ("name", "New Person"),
                ("role", "USER"),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(created.body["user"]["email"], "new.person@example.com");
    assert_eq!(created.body["user"]["must_change_password"], true);
    let one_time = created.body["one_time_password"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(one_time.len(), 16);
    let again = admin
        .call(
            "admin/create",
            &[("email", "new.person@example.com"), ("role", "USER")],
        )
        .await;
    assert_eq!(again.status, 409, "{again:?}");

    let newcomer = Client::new(&base);
    let login = newcomer.login("new.person@example.com", &one_time).await;
    assert_eq!(login.status, 200, "{login:?}");
    assert_eq!(login.body["must_change_password"], true);
    let refused = newcomer.call("conversations/create", &[]).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.message().contains("one-time password"),
        "{refused:?}"
    );

    let changed = newcomer
        .call(
            "profile/password",
            &[
                ("current_password", &one_time),
                ("new_password", "my own secret phrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 200, "{changed:?}");
    let newcomer = Client::new(&base);
    let login = newcomer
        .login("new.person@example.com", "my own secret phrase")
        .await;
    assert_eq!(login.body["must_change_password"], false);
    assert_eq!(newcomer.call("conversations/create", &[]).await.status, 200);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn deleting_a_user_removes_their_data(pool: PgPool) {
    let (_, admin, user) = setup(&pool).await;
    assert_eq!(user.call("conversations/create", &[]).await.status, 200);
    let ada = user_id(&pool, "ada@example.com").await;
    let root = user_id(&pool, "root@example.com").await;
    let myself = admin.call("admin/delete", &[("user_id", &root)]).await;
    assert_eq!(myself.status, 409);
    let deleted = admin.call("admin/delete", &[("user_id", &ada)]).await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM conversations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
    assert_eq!(
        user.whoami().await,
        None,
        "the deleted user's session is gone"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_registration_mode_decides_who_signs_up(pool: PgPool) {
    let (base, admin, _) = setup(&pool).await;
    let mode = admin.call("admin/registration", &[]).await;
    assert_eq!(mode.body, "open", "the environment's default");

    let set = admin
        .call("admin/registration/set", &[("mode", "invite")])
        .await;
    assert_eq!(set.status, 200);
    let visitor = Client::new(&base);
    let refused = visitor.register("late@example.com", PASSWORD).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.message().contains("registration is closed"),
        "{refused:?}"
    );
    // Invite only: admins still create accounts.
    let created = admin
        .call(
            "admin/create",
            &[("email", "invited@example.com"), ("role", "GUEST")],
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");

    admin
        .call("admin/registration/set", &[("mode", "closed")])
        .await;
    let closed = admin
        .call(
            "admin/create",
            &[("email", "other@example.com"), ("role", "USER")],
        )
        .await;
    assert_eq!(closed.status, 403);
    let bad = admin
        .call("admin/registration/set", &[("mode", "maybe")])
        .await;
    assert_eq!(bad.status, 400);

    admin
        .call("admin/registration/set", &[("mode", "open")])
        .await;
    assert_eq!(
        visitor.register("late@example.com", PASSWORD).await.status,
        200
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_one_time_password_expires(pool: PgPool) {
    let (base, admin, _) = setup(&pool).await;
    let created = admin
        .call(
            "admin/create",
            &[("email", "late@example.com"), ("role", "USER")],
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    let one_time = created.body["one_time_password"].as_str().unwrap();
    // Valid for a week by default (VIBEBOT_ONE_TIME_PASSWORD_DAYS).
    let days: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM one_time_password_expires_at - now())::float8 / 86400
         FROM users WHERE email = 'late@example.com'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!((6.99..=7.0).contains(&days), "{days}");

    // Eight days later (moved in the database rather than waited for).
    sqlx::query(
        "UPDATE users SET one_time_password_expires_at = now() - interval '1 day'
         WHERE email = 'late@example.com'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let late = Client::new(&base);
    let login = late.login("late@example.com", one_time).await;
    assert_eq!(login.status, 403, "{login:?}");
    assert_eq!(
        login.message(),
        "this one-time password has expired; ask an administrator to create your account again"
    );
    assert_eq!(late.whoami().await, None);
    // A wrong password says only that, as for any account.
    let wrong = late.login("late@example.com", "not the password").await;
    assert_eq!(wrong.status, 401);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_last_administrator_cannot_delete_their_own_account(pool: PgPool) {
    let (base, admin, _) = setup(&pool).await;
    let refused = admin
        .call("profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(refused.status, 409, "{refused:?}");
    assert_eq!(
        refused.message(),
        "you are the last administrator; make someone else an administrator first"
    );
    assert_eq!(admin.whoami().await.as_deref(), Some("root@example.com"));

    // With a second administrator, either may leave.
    let second = Client::new(&base);
    assert_eq!(
        second.register("second@example.com", PASSWORD).await.status,
        200
    );
    common::set_role(&pool, "second@example.com", "ADMIN").await;
    let left = admin
        .call("profile/delete", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(left.status, 200, "{left:?}");
    assert_eq!(admin.whoami().await, None);
}

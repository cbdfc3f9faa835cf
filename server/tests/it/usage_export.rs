//! Everyone's usage for admins, the monthly columns of the admin's user list,
//! and the CSV exports: equal to the answers' metadata and to `usage_daily`,
//! for the right people only, with formula-like text neutralised.

use crate::common;

use chrono::{Duration, NaiveDate, Utc};
use common::{set_role, user_id, wait_finished, Client};
use serde_json::Value;
use sqlx::PgPool;

const PASSWORD: &str = "correct horse battery";
const ADMIN_CSV: &str = "/api/admin/usage.csv";
const MY_CSV: &str = "/api/usage.csv";

/// The app, an admin who asked nothing, and two users who asked two models:
/// ada, and bob, whose email a spreadsheet would run as a formula.
struct World {
    admin: Client,
    ada: Client,
    bob: Client,
}

async fn world(pool: &PgPool) -> World {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let admin = signed_up(&base, "root@example.com").await;
    set_role(pool, "root@example.com", "ADMIN").await;
    let ada = signed_up(&base, "ada@example.com").await;
    ask(
        &ada,
        pool,
        &[
            ("claude-sonnet-4-5", "[tokens=30]"),
            ("gpt-4o", "[tokens=12]"),
            ("gpt-4o", "[tokens=7]"),
        ],
    )
    .await;
    let bob = signed_up(&base, "=bob@example.com").await;
    ask(
        &bob,
        pool,
        &[
            ("claude-sonnet-4-5", "[tokens=5]"),
            ("gpt-4o", "[tokens=50]"),
        ],
    )
    .await;
    World { admin, ada, bob }
}

async fn signed_up(base: &str, email: &str) -> Client {
    let client = Client::new(base);
    let registered = client.register(email, PASSWORD).await;
    assert_eq!(registered.status, 200, "{registered:?}");
    client
}

/// Adds keys for both providers, then asks each `(model, prompt)` in a new
/// conversation and waits for the answer.
async fn ask(client: &Client, pool: &PgPool, asks: &[(&str, &str)]) {
    client.add_test_keys().await;
    for (model, prompt) in asks {
        let id = client.new_conversation(model).await;
        let sent = client.send(&id, prompt).await;
        assert_eq!(sent.status, 200, "{sent:?}");
        wait_finished(pool).await;
    }
}

/// What the answers' own metadata adds up to.
#[derive(Debug, Default, sqlx::FromRow)]
struct Spent {
    key: String,
    answers: i64,
    input_tokens: i64,
    output_tokens: i64,
    cost_usd: f64,
}

/// The answers' metadata summed per `group` (`c.user_id` or the model).
async fn metadata_sums(pool: &PgPool, group: &str) -> Vec<Spent> {
    let sql = format!(
        "SELECT {group} AS key, count(*) AS answers,
                coalesce(sum((m.metadata->>'input_tokens')::int8), 0)::int8 AS input_tokens,
                coalesce(sum((m.metadata->>'output_tokens')::int8), 0)::int8 AS output_tokens,
                coalesce(sum((m.metadata->>'cost_usd')::float8), 0)::float8 AS cost_usd
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.role = 'ASSISTANT' GROUP BY 1 ORDER BY 1"
    );
    sqlx::query_as(&sql).fetch_all(pool).await.unwrap()
}

fn assert_close(reported: f64, expected: f64, what: &str) {
    assert!(
        (reported - expected).abs() < 1e-9,
        "{what}: {reported} vs {expected}"
    );
}

/// A `Totals` as JSON equals `spent`.
fn assert_totals(totals: &Value, spent: &Spent, what: &str) {
    assert_eq!(totals["answers"], spent.answers, "{what}");
    assert_eq!(totals["input_tokens"], spent.input_tokens, "{what}");
    assert_eq!(totals["output_tokens"], spent.output_tokens, "{what}");
    assert_close(totals["cost_usd"].as_f64().unwrap(), spent.cost_usd, what);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn admin_usage_and_the_user_list_equal_the_answers_metadata(pool: PgPool) {
    let world = world(&pool).await;
    let per_user = metadata_sums(&pool, "c.user_id").await;
    let per_model = metadata_sums(&pool, "m.metadata->>'model'").await;
    let all = per_user.iter().fold(Spent::default(), |sum, s| Spent {
        answers: sum.answers + s.answers,
        input_tokens: sum.input_tokens + s.input_tokens,
        output_tokens: sum.output_tokens + s.output_tokens,
        cost_usd: sum.cost_usd + s.cost_usd,
        ..sum
    });
    assert_eq!(all.answers, 5);
    assert!(all.output_tokens >= 30 + 12 + 7 + 5 + 50, "{all:?}");
    assert!(all.cost_usd > 0.0, "{all:?}");

    let report = world.admin.call("admin/usage", &[]).await;
    assert_eq!(report.status, 200, "{report:?}");
    assert_totals(&report.body["this_month"], &all, "this month");
    assert_totals(&report.body["last_30_days"], &all, "last 30 days");
    let by_user = report.body["by_user"].as_array().unwrap();
    assert_eq!(by_user.len(), 2, "only users who spent: {by_user:?}");
    for spent in &per_user {
        let row = by_user.iter().find(|u| u["user_id"] == spent.key).unwrap();
        assert_totals(&row["totals"], spent, &spent.key);
    }
    let costs: Vec<f64> = by_user
        .iter()
        .map(|u| u["totals"]["cost_usd"].as_f64().unwrap())
        .collect();
    assert!(costs[0] >= costs[1], "costliest first: {costs:?}");
    let by_model = report.body["by_model"].as_array().unwrap();
    assert_eq!(by_model.len(), per_model.len());
    for spent in &per_model {
        let row = by_model.iter().find(|m| m["model"] == spent.key).unwrap();
        assert_totals(&row["totals"], spent, &spent.key);
    }

    let list = world.admin.call("admin/users", &[]).await;
    assert_eq!(list.status, 200, "{list:?}");
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let nothing = Spent::default();
    for item in items {
        let spent = per_user
            .iter()
            .find(|s| item["id"] == s.key)
            .unwrap_or(&nothing);
        let email = item["email"].as_str().unwrap();
        assert_eq!(item["month_answers"], spent.answers, "{email}");
        assert_eq!(
            item["month_tokens"],
            spent.input_tokens + spent.output_tokens,
            "{email}"
        );
        assert_close(
            item["month_cost_usd"].as_f64().unwrap(),
            spent.cost_usd,
            email,
        );
    }
    let root = items
        .iter()
        .find(|u| u["email"] == "root@example.com")
        .unwrap();
    assert_eq!(root["month_answers"], 0, "the admin asked nothing");

    // The pages show the same figures, rendered on the server.
    let ada = per_user
        .iter()
        .max_by(|a, b| a.answers.cmp(&b.answers))
        .unwrap();
    let (status, _, admin_page) = download(&world.admin, "/admin", &[]).await;
    assert_eq!(status, 200);
    assert!(admin_page.contains("Cost this month"), "{admin_page}");
    assert!(
        admin_page.contains(&format!("${:.4}", ada.cost_usd)),
        "{admin_page}"
    );
    let (status, _, usage_page) = download(&world.admin, "/admin/usage", &[]).await;
    assert_eq!(status, 200);
    assert!(usage_page.contains("ada@example.com"), "{usage_page}");
    assert!(
        usage_page.contains("action=\"/api/admin/usage.csv\""),
        "{usage_page}"
    );
    let (_, _, mine) = download(&world.ada, "/usage", &[]).await;
    assert!(mine.contains("action=\"/api/usage.csv\""), "{mine}");
    assert!(mine.contains("Download CSV"), "{mine}");
}

/// A GET of `path` by `client`: status, headers and body text.
async fn download(
    client: &Client,
    path: &str,
    query: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = client
        .http
        .get(format!("{}{path}", client.base))
        .query(query)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// A CSV download that succeeded: its header and records.
async fn csv_of(
    client: &Client,
    path: &str,
    query: &[(&str, &str)],
) -> (Vec<String>, Vec<csv::StringRecord>) {
    let (status, headers, text) = download(client, path, query).await;
    assert_eq!(status, 200, "{path}: {text}");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let records = reader.records().map(Result::unwrap).collect();
    (header, records)
}

/// A `usage_daily` row, joined to its user's email.
#[derive(Debug, sqlx::FromRow)]
struct Stored {
    day: NaiveDate,
    user_id: String,
    email: String,
    model: String,
    provider: String,
    answers: i32,
    input_tokens: i64,
    output_tokens: i64,
    cost_usd: f64,
    unpriced_answers: i32,
}

async fn stored(
    pool: &PgPool,
    user_id: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Stored> {
    sqlx::query_as(
        "SELECT d.day, d.user_id, u.email, d.model, d.provider::text AS provider,
                d.answers, d.input_tokens, d.output_tokens, d.cost_usd, d.unpriced_answers
         FROM usage_daily d JOIN users u ON u.id = d.user_id
         WHERE ($1::text IS NULL OR d.user_id = $1) AND d.day BETWEEN $2 AND $3
         ORDER BY d.day, u.email, d.model",
    )
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The records equal the stored rows, cell by cell; `with_user` for the
/// admin's export (user id and email after the day).
fn assert_round_trip(records: &[csv::StringRecord], rows: &[Stored], with_user: bool) {
    assert_eq!(records.len(), rows.len(), "{records:?} vs {rows:?}");
    for (record, row) in records.iter().zip(rows) {
        let mut cells = record.iter();
        let mut next = || cells.next().unwrap().to_string();
        assert_eq!(next(), row.day.to_string());
        if with_user {
            assert_eq!(next(), row.user_id);
            let email = next();
            assert_eq!(email.trim_start_matches('\''), row.email);
        }
        assert_eq!(next(), row.model);
        assert_eq!(next(), row.provider);
        assert_eq!(next().parse::<i32>().unwrap(), row.answers);
        assert_eq!(next().parse::<i64>().unwrap(), row.input_tokens);
        assert_eq!(next().parse::<i64>().unwrap(), row.output_tokens);
        assert_close(next().parse::<f64>().unwrap(), row.cost_usd, &row.model);
        assert_eq!(next().parse::<i32>().unwrap(), row.unpriced_answers);
        assert!(cells.next().is_none(), "{record:?}");
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_csv_exports_round_trip_usage_daily(pool: PgPool) {
    let world = world(&pool).await;
    let ada = user_id(&pool, "ada@example.com").await;
    let bob = user_id(&pool, "=bob@example.com").await;
    let today = Utc::now().date_naive();
    let last_30 = today - Duration::days(29);
    // An older day, outside the default range.
    let old = today - Duration::days(40);
    sqlx::query(
        "INSERT INTO usage_daily (user_id, day, model, provider, answers, input_tokens, \
         output_tokens, cost_usd)
         VALUES ($1, $2, 'claude-opus-4-5', 'CLAUDE', 2, 100, 200, 0.1234567891234)",
    )
    .bind(&ada)
    .bind(old)
    .execute(&pool)
    .await
    .unwrap();

    // Everyone's, the last 30 days by default.
    let (status, headers, _) = download(&world.admin, ADMIN_CSV, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"vibebot-usage-{last_30}-{today}.csv\"").as_str()
    );
    let (header, records) = csv_of(&world.admin, ADMIN_CSV, &[]).await;
    assert_eq!(
        header.join(","),
        "day,user_id,email,model,provider,answers,input_tokens,output_tokens,cost_usd,unpriced_answers"
    );
    let rows = stored(&pool, None, last_30, today).await;
    assert_eq!(rows.len(), 4, "two users, two models, one day: {rows:?}");
    assert_round_trip(&records, &rows, true);
    let bobs: Vec<_> = records.iter().filter(|r| r[1] == bob).collect();
    assert_eq!(bobs.len(), 2);
    assert!(
        bobs.iter().all(|r| &r[2] == "'=bob@example.com"),
        "the formula-like email is neutralised: {bobs:?}"
    );

    // A chosen range: the old day comes first.
    let (from, to) = (old.to_string(), today.to_string());
    let (_, records) = csv_of(&world.admin, ADMIN_CSV, &[("from", &from), ("to", &to)]).await;
    let rows = stored(&pool, None, old, today).await;
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0].day, old);
    assert_round_trip(&records, &rows, true);
    let (month_before, day_before) = (
        (old - Duration::days(30)).to_string(),
        (old - Duration::days(1)).to_string(),
    );
    let (_, records) = csv_of(
        &world.admin,
        ADMIN_CSV,
        &[("from", &month_before), ("to", &day_before)],
    )
    .await;
    assert!(records.is_empty(), "{records:?}");

    // My own: only my rows, without the user columns.
    let (header, records) = csv_of(&world.bob, MY_CSV, &[]).await;
    assert_eq!(
        header.join(","),
        "day,model,provider,answers,input_tokens,output_tokens,cost_usd,unpriced_answers"
    );
    assert_round_trip(
        &records,
        &stored(&pool, Some(&bob), last_30, today).await,
        false,
    );
    assert_eq!(records.len(), 2);
    let (_, records) = csv_of(&world.ada, MY_CSV, &[("from", &from)]).await;
    let rows = stored(&pool, Some(&ada), old, today).await;
    assert_eq!(rows.len(), 3, "ada's two models today and the old day");
    assert_round_trip(&records, &rows, false);
    assert!(
        !records
            .iter()
            .any(|r| r.iter().any(|cell| cell.contains("bob"))),
        "{records:?}"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_admins_see_everyones_usage_and_ranges_are_checked(pool: PgPool) {
    let base = common::spawn_app(pool.clone()).await;
    let admin = signed_up(&base, "root@example.com").await;
    set_role(&pool, "root@example.com", "ADMIN").await;
    let user = signed_up(&base, "ada@example.com").await;
    let guest = signed_up(&base, "guest@example.com").await;
    set_role(&pool, "guest@example.com", "GUEST").await;
    let visitor = Client::new(&base);

    for (who, client) in [("user", &user), ("guest", &guest)] {
        let refused = client.call("admin/usage", &[]).await;
        assert_eq!(refused.status, 403, "{who}: {refused:?}");
        let (status, headers, body) = download(client, ADMIN_CSV, &[]).await;
        assert_eq!(status, 403, "{who}: {body}");
        assert_eq!(headers["content-type"], "application/json");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["kind"], "forbidden", "{who}: {body}");
        // Their own usage they may read, guests included.
        let (status, _, body) = download(client, MY_CSV, &[]).await;
        assert_eq!(status, 200, "{who}: {body}");
    }
    assert_eq!(visitor.call("admin/usage", &[]).await.status, 401);
    for path in [ADMIN_CSV, MY_CSV] {
        let (status, _, body) = download(&visitor, path, &[]).await;
        assert_eq!(status, 401, "{path}: {body}");
        let error: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(error["kind"], "unauthenticated");
    }

    // Nothing spent yet: zeros, empty lists, a header alone.
    let report = admin.call("admin/usage", &[]).await;
    assert_eq!(report.status, 200, "{report:?}");
    assert_eq!(report.body["this_month"]["answers"], 0);
    assert_eq!(report.body["by_user"], serde_json::json!([]));
    let (_, records) = csv_of(&admin, ADMIN_CSV, &[]).await;
    assert!(records.is_empty());

    let bad: [(&[(&str, &str)], &str); 5] = [
        (&[("from", "2026-02-30")], "date"),
        (&[("to", "tomorrow")], "date"),
        (&[("from", "2026-03-02"), ("to", "2026-03-01")], "after"),
        (&[("from", "2025-01-01"), ("to", "2026-01-02")], "366"),
        (
            &[("from", "2026-01-01"), ("from", "2026-01-02")],
            "malformed",
        ),
    ];
    for (client, path) in [(&admin, ADMIN_CSV), (&user, MY_CSV)] {
        for (query, says) in bad {
            let (status, _, body) = download(client, path, query).await;
            assert_eq!(status, 400, "{path} {query:?}: {body}");
            let error: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(error["kind"], "invalid", "{body}");
            assert!(
                error["detail"].as_str().unwrap().contains(says),
                "{query:?}: {body}"
            );
        }
        // 366 days is the most.
        let (status, _, body) = download(
            client,
            path,
            &[("from", "2025-01-02"), ("to", "2026-01-02")],
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    // Who asks is checked before what they ask.
    let (status, _, _) = download(&user, ADMIN_CSV, &[("from", "nonsense")]).await;
    assert_eq!(status, 403);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_large_export_streams_every_row(pool: PgPool) {
    let base = common::spawn_app(pool.clone()).await;
    let admin = signed_up(&base, "root@example.com").await;
    set_role(&pool, "root@example.com", "ADMIN").await;
    // 50 users × 30 days × 3 models: many chunks of output.
    sqlx::query(
        "INSERT INTO users (id, email, password)
         SELECT 'bulk' || i, 'bulk' || i || '@example.com', 'x' FROM generate_series(1, 50) i",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO usage_daily (user_id, day, model, provider, answers, input_tokens, \
         output_tokens, cost_usd)
         SELECT 'bulk' || i, (now() AT TIME ZONE 'UTC')::date - d, m, 'CLAUDE',
                i + d, i * 1000 + d, d * 7, (i * d) / 3.0 + 0.000123
         FROM generate_series(1, 50) i, generate_series(0, 29) d,
              unnest(ARRAY['claude-haiku-4-5', 'claude-opus-4-5', 'claude-sonnet-4-5']) m",
    )
    .execute(&pool)
    .await
    .unwrap();

    let (_, records) = csv_of(&admin, ADMIN_CSV, &[]).await;
    let today = Utc::now().date_naive();
    let rows = stored(&pool, None, today - Duration::days(29), today).await;
    assert_eq!(rows.len(), 50 * 30 * 3);
    assert_round_trip(&records, &rows, true);
}

//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod endpoints;

use std::collections::HashMap;

use app::backend::config::Config;
use app::backend::crypto::{KeyCipher, MasterKey};
use app::model::answer::{AnswerEvent, AnswerMetadata};

/// A fixed master key for tests (32 bytes, base64).
pub const TEST_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// A configuration built from `vars` only, never from the process environment.
pub fn config(vars: &[(&str, &str)]) -> Config {
    let mut map: HashMap<String, String> = HashMap::from([
        ("VIBEBOT_ENCRYPTION_KEY".into(), TEST_KEY.into()),
        ("LEPTOS_SITE_ADDR".into(), "127.0.0.1:0".into()),
        ("VIBEBOT_LOG".into(), "warn".into()),
    ]);
    for (k, v) in vars {
        map.insert(k.to_string(), v.to_string());
    }
    Config::from_lookup(|name| map.get(name).cloned()).expect("test configuration is valid")
}

pub fn cipher() -> KeyCipher {
    KeyCipher::new(&MasterKey::from_base64(TEST_KEY).unwrap())
}

/// Starts the real app on a free port against `pool`; returns its base URL.
pub async fn spawn_app(pool: sqlx::PgPool) -> String {
    spawn_app_with(pool, &[]).await
}

/// Starts the app with extra configuration variables (it sees client
/// addresses, as behind `vibebot serve`).
pub async fn spawn_app_with(pool: sqlx::PgPool, vars: &[(&str, &str)]) -> String {
    let state = server::serve::app_state(&config(vars), pool).expect("app state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = server::http::router(state)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

/// A browser-like client: keeps cookies, sends this site's Origin, follows no redirects.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
}

/// Every API key the tests of this binary have sent to be stored: no answer
/// of any test may contain one (the secrets check runs in [`Answer::read`]).
static STORED_KEYS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn remember_stored_key(args: &[(&str, &str)]) {
    if let Some((_, key)) = args.iter().find(|(name, _)| *name == "key") {
        // Shorter values are refused as keys anyway, and could match by chance.
        if key.trim().len() >= 16 {
            STORED_KEYS.lock().unwrap().push(key.trim().to_string());
        }
    }
}

/// Panics if `text` contains a stored key's plaintext.
pub fn assert_no_stored_key(text: &str) {
    let keys = STORED_KEYS.lock().unwrap().clone();
    if let Some(key) = keys.iter().find(|key| text.contains(key.as_str())) {
        let start: String = key.chars().take(8).collect();
        panic!("a stored API key's plaintext ({start}…) reached a response");
    }
}

/// A server function's answer: status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: serde_json::Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// Reads a response whole: JSON when it parses, the text otherwise.
    /// Fails the test if it holds an API key some test stored.
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        assert_no_stored_key(&format!("{headers:?} {text}"));
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        Answer {
            status,
            body,
            headers,
        }
    }

    /// The user-facing message of an error answer.
    pub fn message(&self) -> String {
        let detail = &self.body["detail"];
        match detail {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Object(o) => o["message"].as_str().unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }

    pub fn kind(&self) -> &str {
        self.body["kind"].as_str().unwrap_or_default()
    }

    /// Whether an error answer says what is wrong: a message, or an error
    /// kind that needs none (`unauthenticated`, `bad_credentials`).
    pub fn explained(&self) -> bool {
        !self.message().trim().is_empty() || !self.kind().is_empty()
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self::build(base, reqwest::header::HeaderMap::new())
    }

    /// A client whose requests say (in `X-Forwarded-For`, for a server that
    /// trusts its proxy) that they come from `address`.
    pub fn from_address(base: &str, address: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("x-forwarded-for", address.parse().unwrap());
        Self::build(base, headers)
    }

    fn build(base: &str, headers: reqwest::header::HeaderMap) -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        Client {
            http,
            base: base.to_string(),
            jar,
        }
    }

    /// Calls `/api/<endpoint>` with form-encoded arguments, as the browser does.
    pub async fn call(&self, endpoint: &str, args: &[(&str, &str)]) -> Answer {
        self.call_from(endpoint, args, Some(&self.base.clone()))
            .await
    }

    /// The same, with a chosen `Origin` header (or none).
    pub async fn call_from(
        &self,
        endpoint: &str,
        args: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Answer {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        self.call_with(endpoint, args, &headers).await
    }

    /// The same, with exactly these extra headers (no `Origin` unless given).
    pub async fn call_with(
        &self,
        endpoint: &str,
        args: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        if matches!(endpoint, "keys/add" | "keys/replace") {
            remember_stored_key(args);
        }
        let mut request = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .form(args);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Answer::read(request.send().await.expect("request sent")).await
    }

    /// `GET <path>` on this site.
    pub async fn get(&self, path: &str) -> Answer {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request sent");
        Answer::read(response).await
    }

    /// The session cookie's value, if any.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("vibebot_session=").map(str::to_string))
    }

    pub async fn register(&self, email: &str, password: &str) -> Answer {
        self.call(
            "register",
            &[("email", email), ("password", password), ("name", "")],
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer {
        self.call("login", &[("email", email), ("password", password)])
            .await
    }

    /// The signed-in account's email, or `None`.
    pub async fn whoami(&self) -> Option<String> {
        let answer = self.call("account", &[]).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["email"].as_str().map(str::to_string)
    }
}

/// Starts the repo's fake provider and the app wired to it; returns (provider, app) base URLs.
pub async fn spawn_app_with_fake_provider(
    pool: sqlx::PgPool,
    extra: &[(&str, &str)],
) -> (String, String) {
    let fake = fake_provider::spawn().await;
    let base = spawn_app_for_provider(pool, &fake, extra).await;
    (fake, base)
}

/// [`spawn_app_with_fake_provider`], and what the fake provider serves.
pub async fn spawn_app_with_counted_provider(
    pool: sqlx::PgPool,
    extra: &[(&str, &str)],
) -> (std::sync::Arc<fake_provider::Served>, String) {
    let (fake, served) = fake_provider::spawn_counting().await;
    (served, spawn_app_for_provider(pool, &fake, extra).await)
}

async fn spawn_app_for_provider(pool: sqlx::PgPool, fake: &str, extra: &[(&str, &str)]) -> String {
    let anthropic = format!("{fake}/anthropic/v1");
    let openai = format!("{fake}/openai/v1");
    let mut vars = vec![
        ("VIBEBOT_ANTHROPIC_BASE_URL", anthropic.as_str()),
        ("VIBEBOT_OPENAI_BASE_URL", openai.as_str()),
    ];
    vars.extend_from_slice(extra);
    spawn_app_with(pool, &vars).await
}

/// The password every test account uses.
pub const PASSWORD: &str = "correct horse battery";

/// A new account signed in on `base`, with a Claude and an OpenAI key (for
/// the fake provider).
pub async fn chat_user(base: &str, email: &str) -> Client {
    let client = Client::new(base);
    let registered = client.register(email, PASSWORD).await;
    assert_eq!(registered.status, 200, "{registered:?}");
    client.add_test_keys().await;
    client
}

/// Gives an account a role straight in the database.
pub async fn set_role(pool: &sqlx::PgPool, email: &str, role: &str) {
    sqlx::query("UPDATE users SET role = $2::user_role WHERE email = $1")
        .bind(email)
        .bind(role)
        .execute(pool)
        .await
        .unwrap();
}

pub async fn user_id(pool: &sqlx::PgPool, email: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Waits until no answer is still being written (at most 20 seconds).
pub async fn wait_finished(pool: &sqlx::PgPool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let streaming: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages WHERE metadata->>'status' = 'streaming'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if streaming == 0 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "answers stayed streaming"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The final text and metadata of the latest answer in a conversation.
pub async fn last_answer(pool: &sqlx::PgPool, conversation: &str) -> (String, serde_json::Value) {
    wait_finished(pool).await;
    sqlx::query_as(
        "SELECT content, metadata FROM messages
         WHERE conversation_id = $1 AND role = 'ASSISTANT'
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(conversation)
    .fetch_one(pool)
    .await
    .unwrap()
}

impl Client {
    /// Adds a Claude and an OpenAI key (the fake provider answers both).
    pub async fn add_test_keys(&self) {
        for (provider, key) in [
            ("CLAUDE", "sk-ant-test-key-0000"),
            ("OPENAI", "sk-test-key-000000000"),
        ] {
            let added = self
                .call("keys/add", &[("provider", provider), ("key", key)])
                .await;
            assert_eq!(added.status, 200, "{added:?}");
        }
    }

    /// A new conversation with `model`; its id.
    pub async fn new_conversation(&self, model: &str) -> String {
        let created = self.call("conversations/create", &[("model", model)]).await;
        assert_eq!(created.status, 200, "{created:?}");
        created.body["id"].as_str().unwrap().to_string()
    }

    /// Answers the question of `answer` (on the active path) anew, beside it.
    pub async fn regenerate(&self, conversation: &str, answer: &str) -> Answer {
        self.call(
            "chat/regenerate",
            &[("conversation_id", conversation), ("message_id", answer)],
        )
        .await
    }

    /// Asks `question` (on the active path) anew as `text`, beside it.
    pub async fn edit(&self, conversation: &str, question: &str, text: &str) -> Answer {
        self.call(
            "chat/edit",
            &[
                ("conversation_id", conversation),
                ("message_id", question),
                ("text", text),
            ],
        )
        .await
    }

    pub async fn send(&self, conversation: &str, text: &str) -> Answer {
        self.call(
            "chat/send",
            &[("conversation_id", conversation), ("text", text)],
        )
        .await
    }

    /// Sends `text` after `after`, the leaf this client shows.
    pub async fn send_after(&self, conversation: &str, text: &str, after: &str) -> Answer {
        self.call(
            "chat/send",
            &[
                ("conversation_id", conversation),
                ("text", text),
                ("after", after),
            ],
        )
        .await
    }

    /// The messages a conversation opens with: (id, text, siblings) of its
    /// active path's latest page, oldest first.
    pub async fn path(&self, conversation: &str) -> Vec<Shown> {
        let opened = self
            .call("conversations/get", &[("id", conversation)])
            .await;
        assert_eq!(opened.status, 200, "{opened:?}");
        Shown::all(&opened.body)
    }

    /// A call of a branch function (`messages/…`) on `message`.
    pub async fn on_message(&self, endpoint: &str, conversation: &str, message: &str) -> Answer {
        self.call(
            endpoint,
            &[("conversation_id", conversation), ("message_id", message)],
        )
        .await
    }

    /// Shows the branch through `message`: the path it opens with now.
    pub async fn show(&self, conversation: &str, message: &str) -> Vec<Shown> {
        let shown = self
            .on_message("messages/show", conversation, message)
            .await;
        assert_eq!(shown.status, 200, "{shown:?}");
        Shown::all(&shown.body)
    }
}

/// A message as a conversation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: String,
    pub text: String,
    /// Its versions' ids, itself included; empty when it has none.
    pub siblings: Vec<String>,
}

impl Shown {
    /// The messages of a `ConversationDetail`.
    pub fn all(detail: &serde_json::Value) -> Vec<Shown> {
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        detail["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| Shown {
                id: text(&m["id"]),
                text: text(&m["content"]),
                siblings: m["siblings"]
                    .as_array()
                    .map(|s| s.iter().map(text).collect())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// The texts of `shown`, in order.
    pub fn texts(shown: &[Shown]) -> Vec<&str> {
        shown.iter().map(|m| m.text.as_str()).collect()
    }
}

/// The answer's id in a `chat/send` (or regenerate, edit) answer.
pub fn answer_id(sent: &Answer) -> String {
    sent.body["assistant_message"]["id"]
        .as_str()
        .expect("an answer id")
        .to_string()
}

/// Waits until the stored answer is no longer streaming (at most 20 s):
/// its (text, metadata).
pub async fn stored(pool: &sqlx::PgPool, message_id: &str) -> (String, serde_json::Value) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (content, metadata): (String, serde_json::Value) =
            sqlx::query_as("SELECT content, metadata FROM messages WHERE id = $1")
                .bind(message_id)
                .fetch_one(pool)
                .await
                .unwrap();
        if metadata["status"] != "streaming" {
            return (content, metadata);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the answer {message_id} stayed streaming"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Follows an answer's event stream to its end (at most 30 s): (text, final metadata).
pub async fn follow(client: &Client, message_id: &str) -> (String, AnswerMetadata) {
    let events = events(client, message_id).await;
    let Some(AnswerEvent::Done { metadata }) = events.last() else {
        panic!("`events` ends with `done`");
    };
    (text_of(&events), (**metadata).clone())
}

/// The text that `events` (a snapshot, then deltas or snapshots) add up to.
pub fn text_of(events: &[AnswerEvent]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            AnswerEvent::Snapshot { content } => text = content.clone(),
            AnswerEvent::Delta { text: added } => text.push_str(added),
            AnswerEvent::Done { .. } => {}
        }
    }
    text
}

/// An answer's event stream to its end (at most 30 s), the last one `done`.
pub async fn events(client: &Client, message_id: &str) -> Vec<AnswerEvent> {
    use std::time::{Duration, Instant};
    let mut response = client
        .http
        .get(format!("{}/api/messages/{message_id}/events", client.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut parser = app::backend::providers::sse::SseParser::new();
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Some(chunk) = tokio::time::timeout_at(deadline.into(), response.chunk())
        .await
        .expect("the stream ends in time")
        .unwrap()
    {
        for event in parser.feed(&chunk).unwrap() {
            let name = event.event.unwrap_or_default();
            let parsed = AnswerEvent::parse(&name, &event.data)
                .unwrap_or_else(|| panic!("unexpected event {name:?}: {}", event.data));
            let done = matches!(parsed, AnswerEvent::Done { .. });
            events.push(parsed);
            if done {
                return events;
            }
        }
    }
    panic!("the stream ended without `done`");
}

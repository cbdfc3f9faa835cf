//! Sample data from the spec's "Seed Data": an admin, a test user with two
//! (fake) API keys and two sample conversations, one of them with a
//! regenerated answer (a branch). Running it again changes
//! nothing. (Fixtures the browser tests and the benchmarks need, such as a
//! conversation longer than a page, are made by them.)

use std::fmt;

use app::backend::crypto::{KeyCipher, KeyOwner};
use app::backend::db::{api_keys, conversations, messages, tree, usage, users};
use app::backend::password::hash_password;
use app::model::answer::AnswerMetadata;
use app::model::{ApiKeyProvider, MessageRole, UserRole};
use sqlx::PgPool;

pub const ADMIN_EMAIL: &str = "admin@vibebot.local";
pub const USER_EMAIL: &str = "user@vibebot.local";
pub const PASSWORD: &str = "password123";

/// Clearly fake keys: they look like the real formats but work nowhere.
pub const SAMPLE_KEYS: [(ApiKeyProvider, &str, &str); 2] = [
    (
        ApiKeyProvider::Claude,
        "Sample Claude key",
        "sk-ant-api03-FAKE-SEED-KEY-not-a-real-key-0000000000000000000000c1a0",
    ),
    (
        ApiKeyProvider::Openai,
        "Sample OpenAI key",
        "sk-proj-FAKE-SEED-KEY-not-a-real-key-000000000000000000000000000e0a1",
    ),
];

struct SampleConversation {
    title: &'static str,
    model: &'static str,
    provider: ApiKeyProvider,
    system_prompt: Option<&'static str>,
    /// (user text, assistant text, input tokens, output tokens)
    turns: &'static [(&'static str, &'static str, u32, u32)],
    /// Earlier answers to a turn, regenerated since: (turn index, text,
    /// input tokens, output tokens), each a branch beside the turn's answer.
    earlier_answers: &'static [(usize, &'static str, u32, u32)],
}

const CONVERSATIONS: [SampleConversation; 2] = [
    SampleConversation {
        title: "Welcome to VibeBot",
        model: "claude-sonnet-4-5",
        provider: ApiKeyProvider::Claude,
        system_prompt: Some("You are a friendly assistant who answers briefly."),
        turns: &[
            (
                "What can you help me with?",
                "I can answer questions, explain code, draft text and think problems through \
                 with you. Ask away!",
                24,
                22,
            ),
            (
                "Can I switch models mid-conversation?",
                "Yes. Pick another model in the header; the next answer comes from it and \
                 records which model wrote it.",
                58,
                25,
            ),
        ],
        earlier_answers: &[],
    },
    SampleConversation {
        title: "Rust ownership in one paragraph",
        model: "gpt-4o",
        provider: ApiKeyProvider::Openai,
        system_prompt: None,
        turns: &[(
            "Explain Rust ownership in one paragraph.",
            "Every value in Rust has one owner; when the owner goes out of scope the value \
             is dropped. You can lend it out as many shared references (`&T`) or one \
             mutable reference (`&mut T`) at a time, and the compiler checks these rules \
             so that memory stays safe without a garbage collector.",
            15,
            64,
        )],
        earlier_answers: &[(
            0,
            "Rust gives every value one owner and frees it when the owner goes away; \
             borrowing lends access without handing over ownership.",
            15,
            27,
        )],
    },
];

/// What a seed run created (zeros on a second run).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub users: usize,
    pub api_keys: usize,
    pub conversations: usize,
    pub messages: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed: created {} user(s), {} API key(s), {} conversation(s), {} message(s); \
             sign in as {ADMIN_EMAIL} or {USER_EMAIL} with password {PASSWORD}",
            self.users, self.api_keys, self.conversations, self.messages
        )
    }
}

/// Inserts whatever part of the sample data is missing, in one transaction.
pub async fn seed(pool: &PgPool, cipher: &KeyCipher) -> Result<SeedReport, sqlx::Error> {
    let mut report = SeedReport::default();
    // Hash before the transaction: bcrypt is slow and needs no database.
    let password_hash = hash_password(PASSWORD.to_string())
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("hashing the seed password failed: {e}")))?;

    let mut tx = pool.begin().await?;
    let _admin_id = ensure_user(
        &mut tx,
        ADMIN_EMAIL,
        "Admin",
        UserRole::Admin,
        &password_hash,
        &mut report,
    )
    .await?;
    let user_id = ensure_user(
        &mut tx,
        USER_EMAIL,
        "Test User",
        UserRole::User,
        &password_hash,
        &mut report,
    )
    .await?;

    for (provider, name, plaintext) in SAMPLE_KEYS {
        if !api_keys::exists_named(&mut *tx, &user_id, name).await? {
            let id = app::backend::db::new_id();
            let owner = KeyOwner {
                key_id: &id,
                user_id: &user_id,
                provider,
                base_url: None,
            };
            let encrypted = cipher.encrypt(plaintext, owner);
            api_keys::insert(
                &mut *tx,
                api_keys::NewKey {
                    id: &id,
                    user_id: &user_id,
                    provider,
                    encrypted_key: &encrypted,
                    key_hint: &app::model::keys::key_hint(plaintext),
                    name: Some(name),
                    base_url: None,
                },
            )
            .await?;
            report.api_keys += 1;
        }
    }

    for sample in &CONVERSATIONS {
        insert_conversation(&mut tx, &user_id, sample, &mut report).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Inserts a sample conversation and its turns, unless one with its title exists.
async fn insert_conversation(
    tx: &mut sqlx::PgConnection,
    user_id: &str,
    sample: &SampleConversation,
    report: &mut SeedReport,
) -> Result<(), sqlx::Error> {
    if conversations::find_id_by_title(&mut *tx, user_id, sample.title)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let conversation_id = conversations::insert(
        &mut *tx,
        conversations::NewConversation {
            user_id,
            title: sample.title,
            model: Some(sample.model),
            system_prompt: sample.system_prompt,
            settings: Default::default(),
        },
    )
    .await?;
    report.conversations += 1;
    let model = app::model::catalog::find(sample.model).expect("seed models are in the catalogue");
    let answer = |input_tokens, output_tokens| AnswerMetadata {
        provider: Some(sample.provider),
        model: Some(sample.model.to_string()),
        input_tokens: Some(input_tokens),
        output_tokens: Some(output_tokens),
        cost_usd: Some(model.price.cost_usd(input_tokens, output_tokens)),
        price: Some(Some(model.price)),
        stop_reason: Some("end_turn".into()),
        ..AnswerMetadata::default()
    };
    // Counted like real answers, so usage equals the answers' metadata.
    let counted = |input_tokens, output_tokens| usage::Answer {
        user_id,
        provider: sample.provider,
        model: sample.model,
        input_tokens,
        output_tokens,
        cost_usd: model.price.cost_usd(input_tokens, output_tokens),
        priced: true,
    };
    let mut leaf: Option<String> = None;
    for (turn, (question, text, input_tokens, output_tokens)) in sample.turns.iter().enumerate() {
        let question = messages::insert(
            &mut *tx,
            messages::NewMessage {
                conversation_id: &conversation_id,
                parent_id: leaf.as_deref(),
                user_id: Some(user_id),
                role: MessageRole::User,
                content: question,
                metadata: None,
            },
        )
        .await?;
        report.messages += 1;
        // Earlier answers first (older), then the one shown.
        let earlier = sample.earlier_answers.iter().filter(|(t, ..)| *t == turn);
        let answers = earlier.map(|(_, text, i, o)| (text, i, o)).chain([(
            text,
            input_tokens,
            output_tokens,
        )]);
        for (text, input_tokens, output_tokens) in answers {
            let id = messages::insert(
                &mut *tx,
                messages::NewMessage {
                    conversation_id: &conversation_id,
                    parent_id: Some(&question),
                    user_id: None,
                    role: MessageRole::Assistant,
                    content: text,
                    metadata: Some(answer(*input_tokens, *output_tokens)),
                },
            )
            .await?;
            usage::record(&mut *tx, &counted(*input_tokens, *output_tokens)).await?;
            report.messages += 1;
            leaf = Some(id);
        }
    }
    tree::set_current_leaf(&mut *tx, &conversation_id, leaf.as_deref(), false).await?;
    Ok(())
}

async fn ensure_user(
    tx: &mut sqlx::PgConnection,
    email: &str,
    name: &str,
    role: UserRole,
    password_hash: &str,
    report: &mut SeedReport,
) -> Result<String, sqlx::Error> {
    if let Some(id) = users::find_id_by_email(&mut *tx, email).await? {
        return Ok(id);
    }
    report.users += 1;
    users::insert(
        &mut *tx,
        users::NewUser {
            email,
            password_hash,
            name: Some(name),
            role,
        },
    )
    .await
}

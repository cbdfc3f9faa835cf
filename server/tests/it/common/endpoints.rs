//! Every server function and route of the app in one table: what to send
//! it, and what each kind of caller gets back. The authorization and
//! cross-site tests walk it; the malformed-input test uses its argument names.

use std::collections::BTreeSet;

use super::PASSWORD;

/// The callers, in the order of each row's expected statuses.
pub const CALLERS: [&str; 4] = ["signed out", "guest", "another user", "admin"];

/// Words only the owner's data contains; none may reach another caller.
pub const OWNER_EMAIL: &str = "owner.zanzibar@matrix.test";
pub const OWNER_NAME: &str = "Owner Quillfeather";
pub const TITLE: &str = "Ledger of Zanzibar";
pub const QUESTION: &str = "quetzal cipher notes";
pub const SYSTEM_PROMPT: &str = "heliotrope directive";
pub const KEY_NAME: &str = "vault-key-marigold";
pub const KEY_PLAINTEXT: &str = "sk-ant-OWNER-PLAINTEXT-7f3a9c";
pub const TEMPLATE: &str = "template-orchid";

/// What a row's call is made of, once the owner's data exists.
pub struct World {
    pub conversation: String,
    pub question: String,
    pub answer: String,
    pub key: String,
    pub template: String,
    /// A user administrators may change (role, limits).
    pub victim: String,
    /// A user administrators may delete.
    pub doomed: String,
}

pub type Args = fn(&World) -> Vec<(&'static str, String)>;

pub struct Row {
    /// The server function's endpoint under `/api/`, or a plain GET route.
    pub path: &'static str,
    pub get: bool,
    pub args: Args,
    /// Statuses for [`CALLERS`], in order.
    pub expect: [u16; 4],
    /// An administrator's answer may name the owner's account (email, name),
    /// never their content.
    pub shows_accounts: bool,
}

fn post(path: &'static str, expect: [u16; 4], args: Args) -> Row {
    Row {
        path,
        get: false,
        args,
        expect,
        shows_accounts: false,
    }
}

fn get(path: &'static str, expect: [u16; 4]) -> Row {
    Row {
        path,
        get: true,
        args: |_| vec![],
        expect,
        shows_accounts: false,
    }
}

impl Row {
    fn shows_accounts(mut self) -> Self {
        self.shows_accounts = true;
        self
    }
}

/// An owned argument value.
fn s(v: &str) -> String {
    v.to_string()
}

fn none(_: &World) -> Vec<(&'static str, String)> {
    vec![]
}

/// The one table: every server function and route, what each caller gets.
/// 401 signed out, 403 not allowed, 404 "no such thing" (another user's ids
/// do not exist for me), 200 allowed (about the caller's own data only).
/// `logout` comes last: it ends the callers' sessions.
pub fn matrix() -> Vec<Row> {
    vec![
        post("status", [200, 200, 200, 200], none),
        post("account", [200, 200, 200, 200], none),
        post("register", [409, 409, 409, 409], |_| {
            vec![
                ("email", s(OWNER_EMAIL)),
                ("password", s(PASSWORD)),
                ("name", s("x")),
            ]
        }),
        post("login", [401, 401, 401, 401], |_| {
            vec![
                ("email", s(OWNER_EMAIL)),
                ("password", s("not the password")),
            ]
        }),
        // Conversations: another user's ids are unknown to everyone else.
        post("conversations/list", [401, 200, 200, 200], none),
        post("conversations/search", [401, 200, 200, 200], |_| {
            vec![("query", s("Zanzibar"))]
        }),
        post("conversations/get", [401, 404, 404, 404], |w| {
            vec![("id", w.conversation.clone())]
        }),
        post("conversations/create", [401, 403, 404, 404], |w| {
            vec![
                ("model", s("claude-sonnet-4-5")),
                ("template_id", w.template.clone()),
            ]
        }),
        post("conversations/rename", [401, 403, 404, 404], |w| {
            vec![("id", w.conversation.clone()), ("title", s("taken over"))]
        }),
        post("conversations/settings", [401, 403, 404, 404], |w| {
            vec![
                ("id", w.conversation.clone()),
                ("system_prompt", s("taken over")),
            ]
        }),
        post("conversations/generation", [401, 403, 404, 404], |w| {
            vec![
                ("id", w.conversation.clone()),
                ("temperature", s("0.5")),
                ("max_output_tokens", s("")),
                ("top_p", s("")),
            ]
        }),
        post("conversations/delete", [401, 403, 404, 404], |w| {
            vec![("id", w.conversation.clone())]
        }),
        // Chat.
        post("chat/send", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("text", s("hello")),
            ]
        }),
        post("chat/start", [401, 403, 404, 404], |w| {
            vec![
                ("model", s("claude-sonnet-4-5")),
                ("template_id", w.template.clone()),
                ("text", s("hello")),
            ]
        }),
        post("chat/regenerate", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("message_id", w.answer.clone()),
            ]
        }),
        post("chat/edit", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("message_id", w.question.clone()),
                ("text", s("rewritten")),
            ]
        }),
        post("chat/stop", [401, 403, 404, 404], |w| {
            vec![("message_id", w.answer.clone())]
        }),
        get("/api/messages/{answer}/events", [401, 404, 404, 404]),
        // Branches: another user's conversation and messages are unknown.
        post("messages/show", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("message_id", w.question.clone()),
            ]
        }),
        post("messages/branch", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("message_id", w.answer.clone()),
            ]
        }),
        post("messages/count_deleted", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("message_id", w.answer.clone()),
            ]
        }),
        post("messages/delete", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("message_id", w.answer.clone()),
            ]
        }),
        // Keys: adding one's own is allowed; the owner's key is unknown.
        post("keys/list", [401, 200, 200, 200], none),
        post("keys/add", [401, 403, 200, 200], |_| {
            vec![
                ("provider", s("CLAUDE")),
                ("key", s("sk-ant-matrix-caller-000")),
                ("name", s("mine")),
            ]
        }),
        post("keys/rename", [401, 403, 404, 404], |w| {
            vec![("id", w.key.clone()), ("name", s("taken over"))]
        }),
        post("keys/replace", [401, 403, 404, 404], |w| {
            vec![
                ("id", w.key.clone()),
                ("key", s("sk-ant-replaced-00000000")),
            ]
        }),
        post("keys/default", [401, 403, 404, 404], |w| {
            vec![("id", w.key.clone())]
        }),
        post("keys/test", [401, 403, 404, 404], |w| {
            vec![("id", w.key.clone())]
        }),
        post("keys/delete", [401, 403, 404, 404], |w| {
            vec![("id", w.key.clone())]
        }),
        post("models/available", [401, 200, 200, 200], none),
        // A user's own picks (guests pick too: pins and defaults are preferences).
        post("models/pin", [401, 200, 200, 200], |_| {
            vec![("model", s("claude-sonnet-4-5")), ("pinned", s("true"))]
        }),
        post("models/default", [401, 200, 200, 200], |_| {
            vec![("model", s("claude-sonnet-4-5"))]
        }),
        // Templates: another user's private template is unknown, even to admins.
        post("templates/list", [401, 200, 200, 200], none),
        post("templates/save", [401, 403, 404, 404], |w| {
            vec![
                ("conversation_id", w.conversation.clone()),
                ("name", s("stolen")),
                ("public", s("false")),
            ]
        }),
        post("templates/publish", [401, 403, 403, 404], |w| {
            vec![("id", w.template.clone()), ("public", s("true"))]
        }),
        post("templates/delete", [401, 403, 404, 404], |w| {
            vec![("id", w.template.clone())]
        }),
        // The caller's own account and usage.
        post("profile/name", [401, 200, 200, 200], |_| {
            vec![("name", s("Caller"))]
        }),
        post("profile/theme", [401, 200, 200, 200], |_| {
            vec![("theme", s("dark"))]
        }),
        post("profile/email", [401, 400, 400, 400], |_| {
            vec![
                ("new_email", s(OWNER_EMAIL)),
                ("current_password", s("not the password")),
            ]
        }),
        post("profile/password", [401, 400, 400, 400], |_| {
            vec![
                ("current_password", s("not the password")),
                ("new_password", s("another long password")),
            ]
        }),
        post("profile/delete", [401, 400, 400, 400], |_| {
            vec![("current_password", s("not the password"))]
        }),
        post("usage/mine", [401, 200, 200, 200], none),
        get("/api/usage.csv", [401, 200, 200, 200]),
        post("limits/mine", [401, 200, 200, 200], none),
        // Administration.
        post("admin/users", [401, 403, 403, 200], none).shows_accounts(),
        post("admin/usage", [401, 403, 403, 200], none).shows_accounts(),
        get("/api/admin/usage.csv", [401, 403, 403, 200]).shows_accounts(),
        post("admin/registration", [401, 403, 403, 200], none),
        post("admin/registration/set", [401, 403, 403, 200], |_| {
            vec![("mode", s("open"))]
        }),
        post("admin/limits", [401, 403, 403, 200], none),
        post("admin/limits/role", [401, 403, 403, 200], |_| {
            vec![
                ("role", s("USER")),
                ("messages_per_minute", s("")),
                ("messages_per_day", s("")),
                ("output_tokens_per_day", s("")),
                ("monthly_spend_usd", s("")),
            ]
        }),
        post("admin/limits/user", [401, 403, 403, 200], |w| {
            vec![("user_id", w.victim.clone())]
        })
        .shows_accounts(),
        post("admin/limits/user/set", [401, 403, 403, 200], |w| {
            vec![
                ("user_id", w.victim.clone()),
                ("messages_per_minute", s("")),
                ("messages_per_day", s("")),
                ("output_tokens_per_day", s("")),
                ("monthly_spend_usd", s("")),
            ]
        })
        .shows_accounts(),
        post("admin/models", [401, 403, 403, 200], none),
        post("admin/models/override", [401, 403, 403, 200], |_| {
            vec![
                ("model", s("gpt-test-1")),
                ("name", s("Test One")),
                ("input_usd_per_mtok", s("1")),
                ("output_usd_per_mtok", s("2")),
            ]
        }),
        post("admin/models/access", [401, 403, 403, 200], |_| {
            vec![
                ("role", s("USER")),
                ("model", s("gpt-test-1")),
                ("allowed", s("true")),
            ]
        }),
        post("admin/models/mode", [401, 403, 403, 200], |_| {
            vec![("role", s("USER")), ("mode", s("except"))]
        }),
        post("admin/models/default", [401, 403, 403, 200], |_| {
            vec![("role", s("USER")), ("model", s(""))]
        }),
        post("admin/role", [401, 403, 403, 200], |w| {
            vec![("user_id", w.victim.clone()), ("role", s("USER"))]
        })
        .shows_accounts(),
        post("admin/create", [401, 403, 403, 200], |_| {
            vec![
                ("email", s("created@matrix.test")),
                ("name", s("")),
                ("role", s("USER")),
            ]
        })
        .shows_accounts(),
        post("admin/delete", [401, 403, 403, 200], |w| {
            vec![("user_id", w.doomed.clone())]
        }),
        post("logout", [200, 200, 200, 200], none),
    ]
}

/// The server functions the app registers (path under `/api/`, method).
pub fn registered() -> BTreeSet<(String, String)> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| {
            let endpoint = path.strip_prefix("/api/").unwrap_or(path).to_string();
            (endpoint, method.to_string())
        })
        .collect()
}

impl World {
    /// Ids that name nothing: for calls whose arguments only need the right shape.
    pub fn placeholder() -> Self {
        let id = || "clnothing000000000000000".to_string();
        World {
            conversation: id(),
            question: id(),
            answer: id(),
            key: id(),
            template: id(),
            victim: id(),
            doomed: id(),
        }
    }
}

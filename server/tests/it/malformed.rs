//! Junk sent to every server function: empty, truncated, random and invalid
//! UTF-8 bodies, the wrong content type, deeply nested JSON, huge strings,
//! wrong types, repeated and unknown arguments. Each gets a 4xx with a clear
//! message, never a 5xx or a dropped connection, and the server stays up.

use crate::common;

use common::endpoints::{matrix, World};
use common::{Answer, Client};
use sqlx::PgPool;

/// A deterministic stream of pseudo-random bytes (xorshift), so a failure
/// names an input that can be sent again.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// One malformed request: what it is, its content type and body.
struct Junk {
    what: String,
    content_type: &'static str,
    body: Vec<u8>,
}

const FORM: &str = "application/x-www-form-urlencoded";

fn encode(args: &[(String, String)]) -> String {
    args.iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The malformed variants of a call whose well-formed arguments are `args`.
fn junk_for(args: &[(String, String)]) -> Vec<Junk> {
    let form = |what: &str, body: String| Junk {
        what: what.to_string(),
        content_type: FORM,
        body: body.into_bytes(),
    };
    let each = |value: &str| -> String {
        let replaced: Vec<_> = args
            .iter()
            .map(|(k, _)| (k.clone(), value.to_string()))
            .collect();
        encode(&replaced)
    };
    let raw_each = |raw: &str| -> String {
        args.iter()
            .map(|(k, _)| format!("{}={raw}", urlencode(k)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let valid = encode(args);
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut junk = vec![
        form("an empty body", String::new()),
        form("a truncated body", valid[..valid.len() / 2].to_string()),
        form("only separators", "&&&===&=".into()),
        form("every argument empty", each("")),
        form("every argument a 300 KB string", each(&"x".repeat(300_000))),
        form("every argument 40,000 emoji", each(&"🦀".repeat(40_000))),
        form("every argument invalid UTF-8", raw_each("%FF%FE%C3%28")),
        form("every argument a lone surrogate", raw_each("%ED%A0%80")),
        form("every argument with NUL bytes", raw_each("a%00b")),
        form(
            "every argument a control character mess",
            each("\u{202e}\u{0007}\r\n\t\u{feff}"),
        ),
        form(
            "every argument a number too big",
            each("99999999999999999999999999"),
        ),
        form("every argument NaN", each("NaN")),
        form("every argument a boolean's wrong spelling", each("maybe")),
        form(
            "every argument repeated and as an array",
            args.iter()
                .map(|(k, v)| {
                    format!(
                        "{0}={1}&{0}={1}&{0}[]=x&{0}[0][1]=y",
                        urlencode(k),
                        urlencode(v)
                    )
                })
                .collect::<Vec<_>>()
                .join("&"),
        ),
        form(
            "unknown arguments",
            format!("{valid}&__proto__=1&constructor=x&%FF=1"),
        ),
        form("a percent sign cut short", format!("{valid}&x=%E")),
        Junk {
            what: "invalid UTF-8 bytes".into(),
            content_type: FORM,
            body: vec![0xff, 0xfe, 0xfd, b'=', 0xc3, 0x28, b'&', 0x80],
        },
        Junk {
            what: "deeply nested JSON".into(),
            content_type: "application/json",
            body: nested.into_bytes(),
        },
        Junk {
            what: "JSON of the wrong types".into(),
            content_type: "application/json",
            body: serde_json::json!(args
                .iter()
                .map(|(k, _)| (
                    k.clone(),
                    serde_json::json!({"a": [1, {"b": null}], "c": true})
                ))
                .collect::<serde_json::Map<_, _>>())
            .to_string()
            .into_bytes(),
        },
        Junk {
            what: "the right arguments as text/plain".into(),
            content_type: "text/plain",
            body: valid.clone().into_bytes(),
        },
        Junk {
            what: "multipart without a boundary".into(),
            content_type: "multipart/form-data",
            body: valid.into_bytes(),
        },
    ];
    for seed in 1..=4 {
        junk.push(Junk {
            what: format!("random bytes (seed {seed})"),
            content_type: FORM,
            body: noise(seed, 512),
        });
    }
    junk
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn junk_sent_to_every_server_function_gets_a_clear_4xx(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    // An administrator passes every role check, so the junk reaches each
    // function's own argument handling and validation.
    let admin = common::chat_user(&base, "root@example.com").await;
    common::set_role(&pool, "root@example.com", "ADMIN").await;
    let conversation = admin.new_conversation("claude-sonnet-4-5").await;
    let world = World {
        conversation,
        ..World::placeholder()
    };

    // Signing up and in are for visitors (a valid sign-up would switch the
    // admin's session to the new account).
    let visitor = Client::new(&base);
    let mut rows: Vec<_> = matrix()
        .into_iter()
        .filter(|r| !r.get && r.path != "logout")
        .collect();
    // Deletions last, so the other rows find the conversation.
    rows.sort_by_key(|r| r.path.contains("delete"));

    let mut wrong = Vec::new();
    let mut sent = 0;
    for row in &rows {
        let caller = if matches!(row.path, "register" | "login") {
            &visitor
        } else {
            &admin
        };
        let args: Vec<(String, String)> = (row.args)(&world)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        for junk in junk_for(&args) {
            sent += 1;
            let response = caller
                .http
                .post(format!("{base}/api/{}", row.path))
                .header("origin", &base)
                .header("content-type", junk.content_type)
                .body(junk.body)
                .send()
                .await;
            let answer = match response {
                Ok(response) => Answer::read(response).await,
                Err(e) => {
                    wrong.push(format!("{} with {}: no answer ({e})", row.path, junk.what));
                    continue;
                }
            };
            if answer.status >= 500 {
                wrong.push(format!(
                    "{} with {}: {} {}",
                    row.path, junk.what, answer.status, answer.body
                ));
            } else if answer.status >= 400 && !answer.explained() {
                wrong.push(format!(
                    "{} with {}: {} without a message: {}",
                    row.path, junk.what, answer.status, answer.body
                ));
            }
        }
        // Still serving, and the caller still signed in.
        let status = admin.call("account", &[]).await;
        assert_eq!(status.status, 200, "after {}: {status:?}", row.path);
    }
    assert!(
        wrong.is_empty(),
        "{} of {sent} answered badly:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!("malformed input: {sent} requests, every one a clear 4xx or accepted");
    assert_eq!(admin.whoami().await.as_deref(), Some("root@example.com"));
}

//! The provider client streaming real SSE from the repo's fake provider, in
//! both wire formats: text, usage, stop reasons, and every way it can fail.

use crate::common;

use std::sync::Arc;

use app::backend::providers::chat::{ChatMessage, ChatRequest, Speaker, StreamEvent};
use app::backend::providers::{ProviderClient, ProviderError};
use app::model::ApiKeyProvider;

async fn client() -> ProviderClient {
    let fake = fake_provider::spawn().await;
    let config = common::config(&[
        (
            "VIBEBOT_ANTHROPIC_BASE_URL",
            &format!("{fake}/anthropic/v1"),
        ),
        ("VIBEBOT_OPENAI_BASE_URL", &format!("{fake}/openai/v1")),
    ]);
    ProviderClient::new(Arc::new(config))
}

fn request(text: &str, system: Option<&str>) -> ChatRequest {
    ChatRequest {
        model: "fake-model".into(),
        system: system.map(Into::into),
        messages: vec![
            ChatMessage {
                speaker: Speaker::User,
                text: "earlier question".into(),
            },
            ChatMessage {
                speaker: Speaker::Assistant,
                text: "earlier answer".into(),
            },
            ChatMessage {
                speaker: Speaker::User,
                text: text.into(),
            },
        ],
        max_tokens: 1024,
        temperature: None,
        top_p: None,
    }
}

/// Everything a stream produced: the text, the last usage, how it ended.
#[derive(Debug, Default)]
struct Outcome {
    text: String,
    texts: usize,
    input_tokens: Option<u32>,
    output_tokens: Option<u32>,
    done: Option<Option<String>>,
    error: Option<ProviderError>,
}

async fn run(
    client: &ProviderClient,
    provider: ApiKeyProvider,
    key: &str,
    req: ChatRequest,
) -> Result<Outcome, ProviderError> {
    let endpoint = client.endpoint(provider, None).unwrap();
    let mut stream = client.stream_chat(&endpoint, key, &req).await?;
    let mut outcome = Outcome::default();
    while let Some(event) = stream.next().await {
        match event {
            Ok(StreamEvent::Text(t)) => {
                outcome.text.push_str(&t);
                outcome.texts += 1;
            }
            Ok(StreamEvent::Usage {
                input_tokens,
                output_tokens,
            }) => {
                outcome.input_tokens = input_tokens.or(outcome.input_tokens);
                outcome.output_tokens = output_tokens.or(outcome.output_tokens);
            }
            Ok(StreamEvent::Done { stop_reason }) => outcome.done = Some(stop_reason),
            Err(e) => outcome.error = Some(e),
        }
    }
    Ok(outcome)
}

const BOTH: [(ApiKeyProvider, &str); 2] = [
    (ApiKeyProvider::Claude, "sk-ant-fake-working-key-000"),
    (ApiKeyProvider::Openai, "sk-fake-working-key-0000000"),
];

#[tokio::test]
async fn answers_stream_with_usage_and_a_stop_reason() {
    let client = client().await;
    for (provider, key) in BOTH {
        let out = run(&client, provider, key, request("hello there", None))
            .await
            .unwrap();
        assert_eq!(out.text, "You said: hello there", "{provider:?}");
        assert_eq!(out.texts, 4, "a delta per word: {provider:?}");
        // 2 + 2 + 2 words in the conversation.
        assert_eq!(out.input_tokens, Some(6), "{provider:?}");
        assert_eq!(out.output_tokens, Some(4), "{provider:?}");
        let expected_stop = if provider == ApiKeyProvider::Claude {
            "end_turn"
        } else {
            "stop"
        };
        assert_eq!(
            out.done,
            Some(Some(expected_stop.to_string())),
            "{provider:?}"
        );
        assert!(out.error.is_none());
    }
}

#[tokio::test]
async fn the_system_prompt_reaches_both_providers() {
    let client = client().await;
    for (provider, key) in BOTH {
        let out = run(
            &client,
            provider,
            key,
            request("[echo-system]", Some("Answer like a pirate.")),
        )
        .await
        .unwrap();
        assert_eq!(out.text, "system: Answer like a pirate.", "{provider:?}");
    }
}

#[tokio::test]
async fn many_tokens_arrive_in_order() {
    let client = client().await;
    for (provider, key) in BOTH {
        let out = run(&client, provider, key, request("[tokens=500]", None))
            .await
            .unwrap();
        assert_eq!(out.texts, 500);
        assert!(out.text.starts_with("tok1 tok2 "));
        assert!(out.text.ends_with("tok499 tok500 "));
        assert_eq!(out.output_tokens, Some(500));
    }
}

#[tokio::test]
async fn an_error_event_after_http_200_keeps_the_text_before_it() {
    let client = client().await;
    for (provider, key) in BOTH {
        let out = run(
            &client,
            provider,
            key,
            request("[tokens=10] [error-event]", None),
        )
        .await
        .unwrap();
        assert_eq!(out.text, "tok1 tok2 tok3 tok4 tok5 ", "{provider:?}");
        assert!(out.done.is_none());
        let error = out.error.expect("an error");
        match provider {
            ApiKeyProvider::Claude => assert_eq!(error, ProviderError::Overloaded),
            ApiKeyProvider::Openai => assert!(
                matches!(error, ProviderError::Stream(ref m) if m.contains("server had an error")),
                "{error:?}"
            ),
        }
    }
}

#[tokio::test]
async fn a_cut_connection_is_reported_as_interrupted() {
    let client = client().await;
    for (provider, key) in BOTH {
        let out = run(&client, provider, key, request("[tokens=10] [cut]", None))
            .await
            .unwrap();
        assert_eq!(out.text, "tok1 tok2 tok3 tok4 tok5 ", "{provider:?}");
        assert_eq!(out.error, Some(ProviderError::Interrupted), "{provider:?}");
        assert!(out.done.is_none());
    }
}

#[tokio::test]
async fn http_errors_come_back_before_any_text() {
    let client = client().await;
    let cases = [
        (
            ApiKeyProvider::Claude,
            "sk-ant-invalid-000000000",
            "hi",
            ProviderError::BadKey,
        ),
        (
            ApiKeyProvider::Openai,
            "sk-forbidden-000000000000",
            "hi",
            ProviderError::NoPermission,
        ),
        (
            ApiKeyProvider::Openai,
            "sk-ratelimited-0000000000",
            "hi",
            ProviderError::RateLimited(Some(7)),
        ),
        (
            ApiKeyProvider::Claude,
            "sk-ant-overloaded-0000000",
            "hi",
            ProviderError::Overloaded,
        ),
        (
            ApiKeyProvider::Claude,
            "sk-ant-fine-000000000000",
            "[too-long]",
            ProviderError::ContextTooLong,
        ),
        (
            ApiKeyProvider::Openai,
            "sk-fine-00000000000000000",
            "[too-long]",
            ProviderError::ContextTooLong,
        ),
    ];
    for (provider, key, text, expected) in cases {
        let err = run(&client, provider, key, request(text, None))
            .await
            .unwrap_err();
        assert_eq!(err, expected, "{key}");
        assert!(!err.to_string().contains(key), "no key in {err}");
    }
}

#[tokio::test]
async fn openai_compatible_quirks_are_tolerated() {
    let client = client().await;
    let key = "sk-fake-working-key-0000000";
    let nulls = run(
        &client,
        ApiKeyProvider::Openai,
        key,
        request("hi [null-choices]", None),
    )
    .await
    .unwrap();
    assert_eq!(nulls.text, "You said: hi");
    assert_eq!(nulls.output_tokens, Some(3));
    assert!(nulls.error.is_none());

    let bare = run(
        &client,
        ApiKeyProvider::Openai,
        key,
        request("hi [no-usage] [no-done]", None),
    )
    .await
    .unwrap();
    assert_eq!(bare.text, "You said: hi");
    assert_eq!(bare.output_tokens, None, "no usage chunk");
    assert_eq!(
        bare.done,
        Some(Some("stop".into())),
        "a finish reason without [DONE] completes"
    );
    assert!(bare.error.is_none());
}

#[tokio::test]
async fn unreachable_providers_are_named() {
    let config = common::config(&[("VIBEBOT_ANTHROPIC_BASE_URL", "http://127.0.0.1:9/v1")]);
    let client = ProviderClient::new(Arc::new(config));
    let err = run(
        &client,
        ApiKeyProvider::Claude,
        "sk-ant-x",
        request("hi", None),
    )
    .await
    .unwrap_err();
    assert_eq!(err, ProviderError::Unreachable("127.0.0.1".into()));
}

// --- A hostile endpoint (issue #25): nothing it sends makes the server hold
// more than a ceiling, however long it sends.

#[tokio::test]
async fn endless_and_huge_error_bodies_are_read_only_to_a_small_cap() {
    let client = client().await;
    for (provider, key) in [
        (ApiKeyProvider::Openai, "sk-endless-error-0000000000"),
        (ApiKeyProvider::Claude, "sk-ant-endless-error-000000"),
        (ApiKeyProvider::Openai, "sk-huge-error-00000000000000"),
    ] {
        let started = std::time::Instant::now();
        let err = tokio::time::timeout(
            std::time::Duration::from_secs(15),
            run(&client, provider, key, request("hi", None)),
        )
        .await
        .expect("an endless error body is not read to its end")
        .unwrap_err();
        match (&err, key.contains("huge")) {
            (ProviderError::Overloaded, true) => {}
            (ProviderError::BadRequest(summary), false) => {
                assert!(summary.chars().count() <= 300, "summarised: {summary}")
            }
            _ => panic!("{key}: {err:?}"),
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{key}: read for {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn an_endless_model_list_is_refused_at_its_cap() {
    let client = client().await;
    for provider in [ApiKeyProvider::Openai, ApiKeyProvider::Claude] {
        let endpoint = client.endpoint(provider, None).unwrap();
        let err = tokio::time::timeout(
            std::time::Duration::from_secs(15),
            client.list_models(&endpoint, "sk-endless-models-000000000"),
        )
        .await
        .expect("an endless model list is not read to its end")
        .unwrap_err();
        assert_eq!(
            err,
            ProviderError::Unexpected("the model list is larger than 4 MB".into()),
            "{provider:?}"
        );
    }
}

#[tokio::test]
async fn an_event_larger_than_the_parser_holds_ends_the_stream() {
    let client = client().await;
    // 3 MB of text in one event: more than the 2 MB an event may be.
    let out = run(
        &client,
        ApiKeyProvider::Openai,
        "sk-fake-working-key-0000000",
        request("[flood=3072]", None),
    )
    .await
    .unwrap();
    assert_eq!(out.text, "");
    assert_eq!(
        out.error,
        Some(ProviderError::Unexpected(
            "the provider sent an event larger than 2097152 bytes".into()
        ))
    );
}

// --- Proxies (issue #25): through a proxy, the guarded DNS resolver is never
// asked, so the provider client ignores the environment's proxy variables.

/// A forward proxy that records each request line it gets and answers every
/// one with a model list, as the endpoint behind it would.
async fn recording_proxy() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let mut socket = BufReader::new(socket);
                let mut line = String::new();
                if socket.read_line(&mut line).await.is_err() {
                    return;
                }
                record.lock().unwrap().push(line.trim().to_string());
                // The rest of the head, then an answer.
                loop {
                    let mut header = String::new();
                    match socket.read_line(&mut header).await {
                        Ok(n) if n > 2 => continue,
                        _ => break,
                    }
                }
                let body = r#"{"data":[{"id":"reached-through-the-proxy"}]}"#;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \
                     {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.get_mut().write_all(answer.as_bytes()).await;
            });
        }
    });
    (url, seen)
}

#[tokio::test]
async fn proxy_variables_in_the_environment_do_not_bypass_the_ssrf_guard() {
    let (proxy, seen) = recording_proxy().await;
    // The process environment is shared by every test of this binary: the
    // check runs in a child process of its own.
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap());
    child
        .args([
            "--ignored",
            "--exact",
            "provider_stream::with_proxy_variables_set",
            "--test-threads=1",
        ])
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        child.env(name, &proxy);
    }
    let out = child.output().await.unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && printed.contains("1 passed"),
        "the check with proxy variables set failed:\n{printed}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        *seen.lock().unwrap(),
        Vec::<String>::new(),
        "the proxy was asked"
    );
}

#[tokio::test]
#[ignore = "run by `proxy_variables_in_the_environment_do_not_bypass_the_ssrf_guard`, with \
            proxy variables set"]
async fn with_proxy_variables_set() {
    assert!(
        std::env::var("ALL_PROXY").is_ok(),
        "run with proxy variables set (as the test named above does)"
    );
    let fake = fake_provider::spawn().await;
    let config = common::config(&[("VIBEBOT_OPENAI_BASE_URL", &format!("{fake}/openai/v1"))]);
    let client = ProviderClient::new(Arc::new(config));
    // A user's URL naming an internal host by name: only the guarded resolver
    // can refuse it, and a proxy would never ask it.
    let users = client
        .endpoint(ApiKeyProvider::Openai, Some("http://localhost:9/v1"))
        .unwrap();
    let err = client
        .list_models(&users, "sk-fake-working-key-0000000")
        .await
        .unwrap_err();
    assert!(matches!(err, ProviderError::Blocked(_)), "{err:?}");
    // The operator's endpoint is reached directly.
    let operators = client.endpoint(ApiKeyProvider::Openai, None).unwrap();
    let models = client
        .list_models(&operators, "sk-fake-working-key-0000000")
        .await
        .unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, fake_provider::OPENAI_MODELS);
}

#[tokio::test]
async fn the_operators_proxy_carries_only_the_operators_endpoints() {
    let (proxy, seen) = recording_proxy().await;
    let config = common::config(&[
        ("VIBEBOT_PROVIDER_PROXY", &proxy),
        ("VIBEBOT_OPENAI_BASE_URL", "http://api.openai.invalid/v1"),
    ]);
    let client = ProviderClient::new(Arc::new(config));
    let operators = client.endpoint(ApiKeyProvider::Openai, None).unwrap();
    let models = client.list_models(&operators, "sk-x").await.unwrap();
    assert_eq!(models[0].id, "reached-through-the-proxy");
    assert_eq!(models.len(), 1);
    let users = client
        .endpoint(ApiKeyProvider::Openai, Some("http://localhost:9/v1"))
        .unwrap();
    let err = client.list_models(&users, "sk-x").await.unwrap_err();
    assert!(matches!(err, ProviderError::Blocked(_)), "{err:?}");
    assert_eq!(
        *seen.lock().unwrap(),
        ["GET http://api.openai.invalid/v1/models HTTP/1.1"],
        "only the operator's request went through the proxy"
    );
}

#[tokio::test]
async fn a_key_echoed_by_the_provider_is_taken_out_of_its_words() {
    let client = client().await;
    for (provider, key) in [
        (ApiKeyProvider::Openai, "sk-echo-key-0000000000000000"),
        (ApiKeyProvider::Claude, "sk-ant-echo-key-000000000000"),
    ] {
        let err = run(&client, provider, key, request("hi", None))
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("Bearer [redacted]"), "{text}");
        assert!(!text.contains(&key[3..11]), "the key leaked into {text}");
    }
}

//! Which listed models are chat models.
//!
//! A provider's model list has more than chat models: OpenAI's also lists
//! embedding, speech, transcription, image, moderation and realtime models,
//! and OpenAI-compatible servers often list embedding and reranking models.
//! The rule, on the id split into words at `-`, `_`, `.`, `/` and `:`:
//!
//! 1. Any endpoint: a word starting with `embed`, `rerank`, `whisper`, `tts`,
//!    `dall`, `moderation`, `transcribe`, `realtime`, `audio`, `image` or
//!    `sora` names a model that does not answer chat messages: it is left out.
//! 2. Anthropic: everything else (its list has only chat models).
//! 3. OpenAI's own API (no base URL): only the families served by Chat
//!    Completions (`gpt-…`, `chatgpt-…`, `o1…`, `o3…`, `o4…`), without the
//!    ones served only by the Responses API or the legacy Completions API:
//!    a word `instruct`, `codex`, `pro` or `research`, or an id such as
//!    `babbage-002` or `davinci-002`.
//! 4. OpenAI-compatible endpoints: everything else (`Llama-3-8B-Instruct` is
//!    a chat model there).

use super::ApiKeyProvider;

/// Word prefixes of models that are not chat models, on any endpoint.
const NOT_CHAT: [&str; 11] = [
    "embed",
    "rerank",
    "whisper",
    "tts",
    "dall",
    "moderation",
    "transcribe",
    "realtime",
    "audio",
    "image",
    "sora",
];

/// OpenAI's chat families (Chat Completions).
const OPENAI_CHAT_FAMILIES: [&str; 5] = ["gpt-", "chatgpt-", "o1", "o3", "o4"];

/// Words of OpenAI models served only by the Responses or legacy Completions API.
const OPENAI_NOT_CHAT_COMPLETIONS: [&str; 4] = ["instruct", "codex", "pro", "research"];

/// Whether `id`, listed by `provider` (`first_party`: the provider's own API,
/// not an OpenAI-compatible endpoint), is a chat model VibeBot can talk to.
pub fn is_chat_model(provider: ApiKeyProvider, first_party: bool, id: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    let words = || lower.split(['-', '_', '.', '/', ':']);
    if words().any(|w| NOT_CHAT.iter().any(|p| w.starts_with(p))) {
        return false;
    }
    match (provider, first_party) {
        (ApiKeyProvider::Openai, true) => {
            OPENAI_CHAT_FAMILIES.iter().any(|f| lower.starts_with(f))
                && !words().any(|w| OPENAI_NOT_CHAT_COMPLETIONS.contains(&w))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApiKeyProvider::{Claude, Openai};

    #[test]
    fn openai_keeps_its_chat_models_only() {
        for id in [
            "gpt-4o",
            "gpt-4o-mini",
            "gpt-4.1-nano",
            "gpt-5",
            "gpt-5.1",
            "gpt-5-mini",
            "chatgpt-4o-latest",
            "o1",
            "o3-mini",
            "o4-mini",
            "gpt-4o-search-preview",
            "gpt-3.5-turbo",
        ] {
            assert!(is_chat_model(Openai, true, id), "{id} is a chat model");
        }
        for id in [
            "text-embedding-3-small",
            "text-embedding-ada-002",
            "whisper-1",
            "tts-1-hd",
            "gpt-4o-mini-tts",
            "gpt-4o-transcribe",
            "dall-e-3",
            "gpt-image-1",
            "omni-moderation-latest",
            "gpt-4o-realtime-preview",
            "gpt-4o-audio-preview",
            "gpt-realtime",
            "sora-2",
            "babbage-002",
            "davinci-002",
            "gpt-3.5-turbo-instruct",
            "codex-mini-latest",
            "gpt-5-codex",
            "o1-pro",
            "o3-pro",
            "gpt-5-pro",
            "o3-deep-research",
        ] {
            assert!(!is_chat_model(Openai, true, id), "{id} is not a chat model");
        }
    }

    #[test]
    fn compatible_endpoints_keep_instruct_models_and_drop_embeddings() {
        for id in [
            "meta-llama/Llama-3.3-70B-Instruct",
            "mistral-large-latest",
            "qwen2.5:14b",
            "openai/gpt-4o",
            "anthropic/claude-sonnet-4.5",
            "deepseek-chat",
        ] {
            assert!(is_chat_model(Openai, false, id), "{id} is a chat model");
        }
        for id in [
            "nomic-embed-text",
            "BAAI/bge-reranker-v2-m3",
            "mxbai-embed-large:latest",
            "openai/text-embedding-3-large",
            "whisper-large-v3",
        ] {
            assert!(
                !is_chat_model(Openai, false, id),
                "{id} is not a chat model"
            );
        }
    }

    #[test]
    fn anthropic_lists_chat_models() {
        assert!(is_chat_model(Claude, true, "claude-sonnet-4-5-20250929"));
        assert!(is_chat_model(Claude, true, "claude-3-haiku-20240307"));
    }
}

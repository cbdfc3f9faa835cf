//! Talking to AI providers over HTTP: Anthropic's Messages API and OpenAI's
//! Chat Completions API (and servers compatible with it).

pub mod body;
pub mod chat;
pub mod error;
pub mod guard;
pub mod sse;

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

pub use error::ProviderError;

use super::config::Config;
use crate::model::ApiKeyProvider;

/// The `anthropic-version` header every Anthropic request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Where one request goes: a provider API at a base URL such as
/// `https://api.openai.com/v1`.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub provider: ApiKeyProvider,
    pub base_url: url::Url,
    /// Set by a user (not the operator): resolved through the SSRF guard.
    pub user_supplied: bool,
}

impl Endpoint {
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url.as_str().trim_end_matches('/'))
    }
}

/// HTTP clients for providers: one for the operator's endpoints, one whose DNS
/// resolution refuses internal addresses for endpoints users typed in.
///
/// Neither reads `HTTP_PROXY`, `HTTPS_PROXY` or `ALL_PROXY`: through a proxy
/// the guarded resolver is never asked, and the proxy would reach whatever
/// internal address a user's URL names. The operator's endpoints may go
/// through `VIBEBOT_PROVIDER_PROXY`; users' endpoints never do.
#[derive(Clone)]
pub struct ProviderClient {
    trusted: reqwest::Client,
    guarded: reqwest::Client,
    config: Arc<Config>,
}

impl ProviderClient {
    pub fn new(config: Arc<Config>) -> Self {
        let read_timeout = config.provider_read_timeout;
        let builder = || {
            reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(read_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("VibeBot/", env!("CARGO_PKG_VERSION")))
        };
        let guarded = if config.allow_private_endpoints {
            builder()
        } else {
            builder().dns_resolver(Arc::new(guard::GuardedResolver))
        };
        let trusted = match &config.provider_proxy {
            Some(proxy) => builder().proxy(
                reqwest::Proxy::all(proxy.as_str())
                    .expect("checked when the configuration was read"),
            ),
            None => builder(),
        };
        ProviderClient {
            trusted: trusted.build().expect("static TLS configuration"),
            guarded: guarded.build().expect("static TLS configuration"),
            config,
        }
    }

    /// The endpoint for a key: its own base URL (OpenAI-compatible), else the operator's.
    pub fn endpoint(
        &self,
        provider: ApiKeyProvider,
        base_url: Option<&str>,
    ) -> Result<Endpoint, ProviderError> {
        match base_url {
            Some(text) => {
                let url = guard::check_url_form(text, self.config.allow_private_endpoints)
                    .map_err(ProviderError::Blocked)?;
                Ok(Endpoint {
                    provider,
                    base_url: url,
                    user_supplied: true,
                })
            }
            None => Ok(Endpoint {
                provider,
                base_url: match provider {
                    ApiKeyProvider::Claude => self.config.anthropic_base_url.clone(),
                    ApiKeyProvider::Openai => self.config.openai_base_url.clone(),
                },
                user_supplied: false,
            }),
        }
    }

    /// An authenticated request builder for `path` under the endpoint.
    pub fn request(
        &self,
        endpoint: &Endpoint,
        method: reqwest::Method,
        path: &str,
        key: &str,
    ) -> reqwest::RequestBuilder {
        let client = if endpoint.user_supplied {
            &self.guarded
        } else {
            &self.trusted
        };
        let request = client.request(method, endpoint.url(path));
        match endpoint.provider {
            ApiKeyProvider::Claude => request
                .header("x-api-key", key)
                .header("anthropic-version", ANTHROPIC_VERSION),
            ApiKeyProvider::Openai => request.bearer_auth(key),
        }
    }

    /// Lists the models the key can use: the cheapest authenticated call.
    pub async fn list_models(
        &self,
        endpoint: &Endpoint,
        key: &str,
    ) -> Result<Vec<ListedModel>, ProviderError> {
        self.ask_for_models(endpoint, key)
            .await
            .map_err(|e| e.without_key(key))
    }

    /// Every page of the list (Anthropic's comes in pages of at most 1,000;
    /// OpenAI's in one), up to [`MAX_MODELS`] models.
    async fn ask_for_models(
        &self,
        endpoint: &Endpoint,
        key: &str,
    ) -> Result<Vec<ListedModel>, ProviderError> {
        #[derive(Deserialize)]
        struct Page {
            data: Option<Vec<RawModel>>,
            #[serde(default)]
            has_more: bool,
            last_id: Option<String>,
        }
        let mut models = Vec::new();
        let mut path = match endpoint.provider {
            ApiKeyProvider::Claude => "models?limit=1000".to_string(),
            ApiKeyProvider::Openai => "models".to_string(),
        };
        loop {
            let page: Page = serde_json::from_slice(&self.read_list(endpoint, &path, key).await?)
                .map_err(|_| {
                ProviderError::Unexpected("the model list was not in the expected format".into())
            })?;
            models.extend(page.data.unwrap_or_default().into_iter().map(|m| {
                let name = [m.display_name, m.name]
                    .into_iter()
                    .flatten()
                    .find_map(|v| v.as_str().map(str::to_string));
                let context_window = [m.context_length, m.context_window]
                    .into_iter()
                    .flatten()
                    .find_map(|v| v.as_u64())
                    .filter(|n| (1..=MAX_CONTEXT_WINDOW).contains(n))
                    .map(|n| n as u32);
                ListedModel {
                    id: m.id,
                    name,
                    context_window,
                }
            }));
            match page.last_id {
                Some(last) if page.has_more && models.len() < MAX_MODELS => {
                    path = format!(
                        "models?limit=1000&after_id={}",
                        url::form_urlencoded::byte_serialize(last.as_bytes()).collect::<String>()
                    );
                }
                _ => break,
            }
        }
        models.truncate(MAX_MODELS);
        Ok(models)
    }

    /// One page of a model list, read up to [`MAX_MODEL_LIST_BYTES`].
    async fn read_list(
        &self,
        endpoint: &Endpoint,
        path: &str,
        key: &str,
    ) -> Result<Vec<u8>, ProviderError> {
        let response = self
            .request(endpoint, reqwest::Method::GET, path, key)
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| ProviderError::from_transport(&e, endpoint))?;
        let response = error::check_status(response).await?;
        body::read_capped(response, MAX_MODEL_LIST_BYTES)
            .await
            .map_err(|e| match e {
                body::Capped::TooLarge => ProviderError::Unexpected(format!(
                    "the model list is larger than {} MB",
                    MAX_MODEL_LIST_BYTES / (1024 * 1024)
                )),
                body::Capped::Failed(e) => ProviderError::from_transport(&e, endpoint),
            })
    }
}

/// One model of a provider's list: its id, and its name where the provider
/// gives one (Anthropic's `display_name`, OpenRouter's `name`).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedModel {
    pub id: String,
    pub name: Option<String>,
    /// Tokens of input, where the list says (OpenRouter's `context_length`).
    pub context_window: Option<u32>,
}

/// The largest context window believed from a list (a billion tokens).
const MAX_CONTEXT_WINDOW: u64 = 1_000_000_000;

/// A list entry as sent; other fields (prices, descriptions) are ignored.
#[derive(Deserialize)]
struct RawModel {
    id: String,
    display_name: Option<serde_json::Value>,
    name: Option<serde_json::Value>,
    context_length: Option<serde_json::Value>,
    context_window: Option<serde_json::Value>,
}

/// The largest model list read: OpenRouter's, with descriptions and prices
/// for some 350 models, is about 0.6 MB.
pub const MAX_MODEL_LIST_BYTES: usize = 4 * 1024 * 1024;
/// The most models kept from one list.
pub const MAX_MODELS: usize = 5_000;

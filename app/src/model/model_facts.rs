//! What VibeBot knows about one model: the catalogue's facts, an admin's
//! overrides on top, or safe defaults for a model nobody described.

use serde::{Deserialize, Serialize};

use super::catalog;
use super::generation::Sampling;
use super::ApiKeyProvider;

/// Output tokens a model outside the catalogue may be asked for: its
/// endpoint judges (the default asked is [`super::generation::DEFAULT_MAX_OUTPUT_TOKENS`]).
pub const UNKNOWN_MODEL_MAX_OUTPUT_TOKENS: u32 = 1_000_000;

/// The longest model id VibeBot stores or sends.
pub const MAX_ID_CHARS: usize = 200;
/// The longest display name kept (a provider's or an admin's).
pub const MAX_NAME_CHARS: usize = 100;

/// Whether `id` can be a model id: at most [`MAX_ID_CHARS`] letters, digits
/// and `-_.:/@`, as providers' ids are.
pub fn is_plausible_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/@".contains(c))
}

/// `text`, trimmed, as a model id; else the message that says it is not one.
pub fn checked_id(text: &str) -> Result<String, String> {
    let id = text.trim();
    if is_plausible_id(id) {
        Ok(id.to_string())
    } else {
        Err(format!("unknown model: {}", super::text::excerpt(id, 60)))
    }
}

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Price {
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
}

impl Price {
    /// What an answer cost, in US dollars.
    pub fn cost_usd(&self, input_tokens: u32, output_tokens: u32) -> f64 {
        (f64::from(input_tokens) * self.input_usd_per_mtok
            + f64::from(output_tokens) * self.output_usd_per_mtok)
            / 1_000_000.0
    }

    /// "$3 / $15": input and output per million tokens.
    pub fn label(&self) -> String {
        format!(
            "${} / ${}",
            dollars(self.input_usd_per_mtok),
            dollars(self.output_usd_per_mtok)
        )
    }
}

/// 3 → "3", 0.4 → "0.40", 0.075 → "0.075".
fn dollars(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else if (value * 100.0).fract().abs() < 1e-9 {
        format!("{value:.2}")
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').to_string()
    }
}

/// A model as VibeBot treats it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFacts {
    pub id: String,
    /// Who makes it (decides the sampling defaults of an unknown model).
    pub provider: ApiKeyProvider,
    pub name: String,
    /// Tokens of input it accepts; `None` when nobody said.
    pub context_window: Option<u32>,
    /// The most output tokens one answer may ask for.
    pub max_output_tokens: u32,
    pub vision: bool,
    pub pdf: bool,
    pub sampling: Sampling,
    /// `None`: nobody set a price; its answers' cost is unknown.
    pub price: Option<Price>,
    /// Described by the catalogue (not only listed by a provider).
    pub in_catalogue: bool,
}

impl ModelFacts {
    /// The catalogue's facts about `id`, else safe defaults: no images or
    /// PDFs, the sampling rules of its maker's API, no price. `provider` is
    /// the API that lists or serves it (used only for a model outside the
    /// catalogue, together with its id).
    pub fn of(id: &str, provider: ApiKeyProvider) -> ModelFacts {
        match catalog::find(id) {
            Some(m) => ModelFacts {
                id: m.id.to_string(),
                provider: m.provider,
                name: m.name.to_string(),
                context_window: Some(m.context_window),
                max_output_tokens: m.max_output_tokens,
                vision: m.vision,
                pdf: m.pdf,
                sampling: m.sampling,
                price: Some(m.price),
                in_catalogue: true,
            },
            None => {
                let maker = maker_of_unknown(id, provider);
                ModelFacts {
                    id: id.to_string(),
                    provider: maker,
                    name: id.to_string(),
                    context_window: None,
                    max_output_tokens: UNKNOWN_MODEL_MAX_OUTPUT_TOKENS,
                    vision: false,
                    pdf: false,
                    sampling: sampling_of_unknown(id, maker),
                    price: None,
                    in_catalogue: false,
                }
            }
        }
    }

    /// With an admin's display name and prices, where set.
    pub fn overridden(mut self, name: Option<&str>, price: Option<Price>) -> ModelFacts {
        if let Some(name) = name {
            self.name = name.to_string();
        }
        if price.is_some() {
            self.price = price;
        }
        self
    }

    /// "200K context", "1M context", or nothing.
    pub fn context_label(&self) -> Option<String> {
        self.context_window.map(|tokens| {
            if tokens >= 1_000_000 {
                let millions = f64::from(tokens) / 1_000_000.0;
                format!("{}M context", (millions * 10.0).round() / 10.0)
            } else {
                format!("{}K context", (tokens + 500) / 1000)
            }
        })
    }
}

/// Whose rules an unknown model follows: a Claude model listed by Anthropic,
/// or served by an OpenAI-compatible proxy under its Anthropic id, is one.
fn maker_of_unknown(id: &str, provider: ApiKeyProvider) -> ApiKeyProvider {
    if provider == ApiKeyProvider::Claude || id.starts_with("claude-") {
        ApiKeyProvider::Claude
    } else {
        ApiKeyProvider::Openai
    }
}

/// The sampling parameters an unknown model is sent: none for Anthropic's
/// and OpenAI's own families (their newest models refuse temperature and
/// top-p), both for the rest (open models behind compatible endpoints).
fn sampling_of_unknown(id: &str, maker: ApiKeyProvider) -> Sampling {
    let openai_family = id.starts_with("gpt-")
        || id.starts_with('o') && id[1..].starts_with(|c: char| c.is_ascii_digit());
    if maker == ApiKeyProvider::Claude || openai_family {
        Sampling::Fixed
    } else {
        Sampling::Both {
            max_temperature: 2.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_models_carry_the_catalogue_and_unknown_ones_safe_defaults() {
        let sonnet = ModelFacts::of("claude-sonnet-4-5", ApiKeyProvider::Claude);
        assert!(sonnet.in_catalogue && sonnet.vision && sonnet.price.is_some());
        assert_eq!(sonnet.name, "Claude Sonnet 4.5");

        let new_claude = ModelFacts::of("claude-future-9", ApiKeyProvider::Claude);
        assert!(!new_claude.in_catalogue && !new_claude.vision && !new_claude.pdf);
        assert_eq!(new_claude.sampling, Sampling::Fixed);
        assert_eq!(
            ModelFacts::of("gpt-7", ApiKeyProvider::Openai).sampling,
            Sampling::Fixed
        );
        assert_eq!(
            ModelFacts::of("o9-mini", ApiKeyProvider::Openai).sampling,
            Sampling::Fixed
        );
        assert_eq!(new_claude.price, None, "unknown, never $0");
        assert_eq!(new_claude.name, "claude-future-9");

        let llama = ModelFacts::of("llama-3.3-70b", ApiKeyProvider::Openai);
        assert_eq!(
            llama.sampling,
            Sampling::Both {
                max_temperature: 2.0
            }
        );
        assert_eq!(llama.max_output_tokens, UNKNOWN_MODEL_MAX_OUTPUT_TOKENS);
        assert_eq!(llama.context_label(), None);
    }

    #[test]
    fn overrides_replace_name_and_price_only_where_set() {
        let price = Price {
            input_usd_per_mtok: 0.5,
            output_usd_per_mtok: 1.5,
        };
        let llama = ModelFacts::of("llama-3.3-70b", ApiKeyProvider::Openai)
            .overridden(Some("Llama 3.3 70B"), Some(price));
        assert_eq!(llama.name, "Llama 3.3 70B");
        assert_eq!(llama.price, Some(price));
        let sonnet = ModelFacts::of("claude-sonnet-4-5", ApiKeyProvider::Claude);
        let kept = sonnet.clone().overridden(None, None);
        assert_eq!(kept, sonnet);
    }

    #[test]
    fn prices_and_contexts_read_well() {
        let price = |i, o| Price {
            input_usd_per_mtok: i,
            output_usd_per_mtok: o,
        };
        assert_eq!(price(3.0, 15.0).label(), "$3 / $15");
        assert_eq!(price(0.4, 1.6).label(), "$0.40 / $1.60");
        assert_eq!(price(0.075, 0.3).label(), "$0.075 / $0.30");
        assert!((price(3.0, 15.0).cost_usd(24, 22) - 0.000402).abs() < 1e-12);
        let mut facts = ModelFacts::of("x", ApiKeyProvider::Openai);
        facts.context_window = Some(200_000);
        assert_eq!(facts.context_label().unwrap(), "200K context");
        facts.context_window = Some(1_047_576);
        assert_eq!(facts.context_label().unwrap(), "1M context");
        facts.context_window = Some(128_000);
        assert_eq!(facts.context_label().unwrap(), "128K context");
    }
}

//! The models VibeBot offers, with their context windows and prices.
//!
//! To update: edit [`MODELS`] and [`PRICES_AS_OF`]. Prices are US dollars per
//! million tokens, from anthropic.com/pricing and openai.com/api/pricing
//! (standard tier, no batch or cache discounts).

use serde::{Deserialize, Serialize};

use super::ApiKeyProvider;

/// When the prices below were read off the providers' pricing pages.
pub const PRICES_AS_OF: &str = "2025-11-24";

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub id: &'static str,
    pub provider: ApiKeyProvider,
    pub name: &'static str,
    /// Tokens of input the model accepts.
    pub context_window: u32,
    /// Output tokens one answer may have.
    pub max_output_tokens: u32,
    pub input_usd_per_mtok: f64,
    pub output_usd_per_mtok: f64,
}

const fn model(
    id: &'static str,
    provider: ApiKeyProvider,
    name: &'static str,
    context_window: u32,
    max_output_tokens: u32,
    input_usd_per_mtok: f64,
    output_usd_per_mtok: f64,
) -> ModelInfo {
    ModelInfo {
        id,
        provider,
        name,
        context_window,
        max_output_tokens,
        input_usd_per_mtok,
        output_usd_per_mtok,
    }
}

use ApiKeyProvider::{Claude, Openai};

pub const MODELS: &[ModelInfo] = &[
    model(
        "claude-opus-4-5",
        Claude,
        "Claude Opus 4.5",
        200_000,
        64_000,
        5.0,
        25.0,
    ),
    model(
        "claude-opus-4-1",
        Claude,
        "Claude Opus 4.1",
        200_000,
        32_000,
        15.0,
        75.0,
    ),
    model(
        "claude-sonnet-4-5",
        Claude,
        "Claude Sonnet 4.5",
        200_000,
        64_000,
        3.0,
        15.0,
    ),
    model(
        "claude-sonnet-4-0",
        Claude,
        "Claude Sonnet 4",
        200_000,
        64_000,
        3.0,
        15.0,
    ),
    model(
        "claude-haiku-4-5",
        Claude,
        "Claude Haiku 4.5",
        200_000,
        64_000,
        1.0,
        5.0,
    ),
    model("gpt-5", Openai, "GPT-5", 400_000, 128_000, 1.25, 10.0),
    model(
        "gpt-5-mini",
        Openai,
        "GPT-5 mini",
        400_000,
        128_000,
        0.25,
        2.0,
    ),
    model(
        "gpt-5-nano",
        Openai,
        "GPT-5 nano",
        400_000,
        128_000,
        0.05,
        0.40,
    ),
    model("gpt-4.1", Openai, "GPT-4.1", 1_047_576, 32_768, 2.0, 8.0),
    model(
        "gpt-4.1-mini",
        Openai,
        "GPT-4.1 mini",
        1_047_576,
        32_768,
        0.40,
        1.60,
    ),
    model(
        "gpt-4.1-nano",
        Openai,
        "GPT-4.1 nano",
        1_047_576,
        32_768,
        0.10,
        0.40,
    ),
    model("gpt-4o", Openai, "GPT-4o", 128_000, 16_384, 2.50, 10.0),
    model(
        "gpt-4o-mini",
        Openai,
        "GPT-4o mini",
        128_000,
        16_384,
        0.15,
        0.60,
    ),
];

/// The catalogue entry for a model id.
pub fn find(id: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.id == id)
}

impl ModelInfo {
    /// What an answer cost, in US dollars.
    pub fn cost_usd(&self, input_tokens: u32, output_tokens: u32) -> f64 {
        (f64::from(input_tokens) * self.input_usd_per_mtok
            + f64::from(output_tokens) * self.output_usd_per_mtok)
            / 1_000_000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_prices_sane() {
        for (i, m) in MODELS.iter().enumerate() {
            assert!(
                MODELS[i + 1..].iter().all(|o| o.id != m.id),
                "{} twice",
                m.id
            );
            assert!(
                m.input_usd_per_mtok > 0.0 && m.output_usd_per_mtok >= m.input_usd_per_mtok,
                "{}",
                m.id
            );
            assert!(m.max_output_tokens < m.context_window, "{}", m.id);
        }
        for provider in [Claude, Openai] {
            assert!(MODELS.iter().filter(|m| m.provider == provider).count() >= 3);
        }
    }

    #[test]
    fn costs_follow_the_price_list() {
        let sonnet = find("claude-sonnet-4-5").unwrap();
        // 24 input and 22 output tokens at $3 / $15 per million.
        assert!((sonnet.cost_usd(24, 22) - 0.000402).abs() < 1e-12);
        let gpt4o = find("gpt-4o").unwrap();
        assert!((gpt4o.cost_usd(1_000_000, 1_000_000) - 12.5).abs() < 1e-9);
        assert!(find("gpt-2").is_none());
    }
}

//! What VibeBot knows about the providers' models: display names, context
//! windows, output ceilings, capabilities and prices. Facts, not a gate: a
//! model a provider lists can be chosen whether or not it is here (see
//! [`super::model_facts::ModelFacts`]), and an admin can override a name or
//! a price without a release.
//!
//! To update: edit [`MODELS`] and [`CATALOGUE_AS_OF`]. Prices are US dollars
//! per million tokens, standard tier, without batch or cache discounts.

use super::generation::Sampling;
use super::model_facts::Price;
use super::ApiKeyProvider;

/// When the facts below were read off the providers' model and pricing pages.
pub const CATALOGUE_AS_OF: &str = "2026-12-04";

/// Where they were read (the newest copies found; the dates are the pages').
pub const CATALOGUE_SOURCES: &str = "Anthropic: platform.claude.com/docs models overview, \
pricing and PDF support (Claude Fable 5.2, 2026-11-09, the newest listed). \
OpenAI: developers.openai.com/api/docs/models and pricing as of 2026-11-18 \
(GPT-6.2, 2026-11-17), deprecations as of 2026-09-22.";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelInfo {
    pub id: &'static str,
    pub provider: ApiKeyProvider,
    pub name: &'static str,
    /// Tokens of input the model accepts.
    pub context_window: u32,
    /// Output tokens one answer may have.
    pub max_output_tokens: u32,
    /// Takes images.
    pub vision: bool,
    /// Takes PDF documents.
    pub pdf: bool,
    pub sampling: Sampling,
    /// Standard-tier price (a model priced higher past some prompt length
    /// is listed at its base price).
    pub price: Price,
    /// Retired by its provider: kept for the answers it wrote, never offered
    /// unless a provider still lists it.
    pub retired: bool,
}

impl ModelInfo {
    /// Refuses temperature and top-p (reasoning models; Claude since Opus 4.7).
    const fn fixed_sampling(self) -> ModelInfo {
        ModelInfo {
            sampling: Sampling::Fixed,
            ..self
        }
    }

    const fn without_pdf(self) -> ModelInfo {
        ModelInfo { pdf: false, ..self }
    }

    const fn retired(self) -> ModelInfo {
        ModelInfo {
            retired: true,
            ..self
        }
    }
}

const fn price(input_usd_per_mtok: f64, output_usd_per_mtok: f64) -> Price {
    Price {
        input_usd_per_mtok,
        output_usd_per_mtok,
    }
}

/// A Claude model: images and PDFs, temperature or top-p.
const fn claude(
    id: &'static str,
    name: &'static str,
    context_window: u32,
    max_output_tokens: u32,
    price: Price,
) -> ModelInfo {
    ModelInfo {
        id,
        provider: ApiKeyProvider::Claude,
        name,
        context_window,
        max_output_tokens,
        vision: true,
        pdf: true,
        sampling: Sampling::EitherOne,
        price,
        retired: false,
    }
}

/// An OpenAI GPT model: images and PDFs, temperature (0–2) and top-p.
const fn gpt(
    id: &'static str,
    name: &'static str,
    context_window: u32,
    max_output_tokens: u32,
    price: Price,
) -> ModelInfo {
    ModelInfo {
        id,
        provider: ApiKeyProvider::Openai,
        name,
        context_window,
        max_output_tokens,
        vision: true,
        pdf: true,
        sampling: Sampling::Both {
            max_temperature: 2.0,
        },
        price,
        retired: false,
    }
}

/// An OpenAI reasoning model (GPT-5 family, o-series): it samples its own
/// way and refuses temperature and top-p.
const fn reasoning(
    id: &'static str,
    name: &'static str,
    context_window: u32,
    max_output_tokens: u32,
    price: Price,
) -> ModelInfo {
    gpt(id, name, context_window, max_output_tokens, price).fixed_sampling()
}

pub const MODELS: &[ModelInfo] = &[
    // Anthropic. Since Opus 4.7 (and Sonnet 5, Haiku 5.5, Fable) Claude refuses
    // sampling parameters; earlier models take a temperature or a top-p.
    claude(
        "claude-fable-5-2",
        "Claude Fable 5.2",
        1_000_000,
        128_000,
        price(8.0, 40.0),
    )
    .fixed_sampling(),
    claude(
        "claude-opus-5-5",
        "Claude Opus 5.5",
        1_000_000,
        128_000,
        price(4.0, 20.0),
    )
    .fixed_sampling(),
    claude(
        "claude-sonnet-5-5",
        "Claude Sonnet 5.5",
        1_000_000,
        128_000,
        price(2.0, 10.0),
    )
    .fixed_sampling(),
    // $0.50 / $2.50 past 100K tokens of prompt.
    claude(
        "claude-haiku-5-5",
        "Claude Haiku 5.5",
        1_000_000,
        128_000,
        price(0.10, 0.50),
    )
    .fixed_sampling(),
    claude(
        "claude-fable-5-1",
        "Claude Fable 5.1",
        1_000_000,
        128_000,
        price(10.0, 50.0),
    )
    .fixed_sampling(),
    claude(
        "claude-fable-5",
        "Claude Fable 5",
        1_000_000,
        128_000,
        price(10.0, 50.0),
    )
    .fixed_sampling(),
    claude(
        "claude-opus-5",
        "Claude Opus 5",
        1_000_000,
        128_000,
        price(5.0, 25.0),
    )
    .fixed_sampling(),
    // An introductory price by some sources ($3 / $15 from 2026-09-01 by
    // others); Anthropic's pages still say $2 / $10.
    claude(
        "claude-sonnet-5",
        "Claude Sonnet 5",
        1_000_000,
        128_000,
        price(2.0, 10.0),
    )
    .fixed_sampling(),
    claude(
        "claude-opus-4-8",
        "Claude Opus 4.8",
        1_000_000,
        128_000,
        price(5.0, 25.0),
    )
    .fixed_sampling(),
    claude(
        "claude-opus-4-7",
        "Claude Opus 4.7",
        1_000_000,
        128_000,
        price(5.0, 25.0),
    )
    .fixed_sampling(),
    claude(
        "claude-opus-4-6",
        "Claude Opus 4.6",
        1_000_000,
        128_000,
        price(5.0, 25.0),
    ),
    // 64K or 128K output by the sources: the lower one.
    claude(
        "claude-sonnet-4-6",
        "Claude Sonnet 4.6",
        1_000_000,
        64_000,
        price(3.0, 15.0),
    ),
    claude(
        "claude-opus-4-5",
        "Claude Opus 4.5",
        200_000,
        64_000,
        price(5.0, 25.0),
    ),
    claude(
        "claude-sonnet-4-5",
        "Claude Sonnet 4.5",
        200_000,
        64_000,
        price(3.0, 15.0),
    ),
    claude(
        "claude-haiku-4-5",
        "Claude Haiku 4.5",
        200_000,
        64_000,
        price(1.0, 5.0),
    ),
    claude(
        "claude-opus-4-1",
        "Claude Opus 4.1",
        200_000,
        32_000,
        price(15.0, 75.0),
    )
    .retired(),
    claude(
        "claude-sonnet-4-0",
        "Claude Sonnet 4",
        200_000,
        64_000,
        price(3.0, 15.0),
    )
    .retired(),
    // OpenAI. The GPT-5 and GPT-6 families reason and refuse sampling
    // parameters; their 1.05M window holds at most 922K tokens of input.
    reasoning(
        "gpt-6.2-astra",
        "GPT-6.2 Astra",
        1_050_000,
        128_000,
        price(8.0, 40.0),
    ),
    reasoning(
        "gpt-6.2-sol",
        "GPT-6.2 Sol",
        1_050_000,
        128_000,
        price(2.0, 10.0),
    ),
    reasoning(
        "gpt-6.1-terra",
        "GPT-6.1 Terra",
        1_050_000,
        128_000,
        price(1.0, 5.0),
    ),
    reasoning(
        "gpt-6.1-sol",
        "GPT-6.1 Sol",
        1_050_000,
        128_000,
        price(2.0, 10.0),
    ),
    reasoning(
        "gpt-6-astra",
        "GPT-6 Astra",
        1_050_000,
        128_000,
        price(10.0, 50.0),
    ),
    reasoning(
        "gpt-6-sol",
        "GPT-6 Sol",
        1_050_000,
        128_000,
        price(2.0, 10.0),
    ),
    reasoning(
        "gpt-6-luna",
        "GPT-6 Luna",
        1_050_000,
        128_000,
        price(0.10, 0.50),
    ),
    reasoning(
        "gpt-5.6-sol",
        "GPT-5.6 Sol",
        1_050_000,
        128_000,
        price(4.0, 20.0),
    ),
    reasoning(
        "gpt-5.6-terra",
        "GPT-5.6 Terra",
        1_050_000,
        128_000,
        price(2.0, 12.0),
    ),
    reasoning(
        "gpt-5.6-luna",
        "GPT-5.6 Luna",
        1_050_000,
        128_000,
        price(0.20, 1.20),
    ),
    reasoning("gpt-5.5", "GPT-5.5", 1_050_000, 128_000, price(5.0, 30.0)),
    reasoning("gpt-5.4", "GPT-5.4", 1_050_000, 128_000, price(2.50, 15.0)),
    reasoning(
        "gpt-5.4-mini",
        "GPT-5.4 mini",
        400_000,
        128_000,
        price(0.75, 4.50),
    )
    .without_pdf(),
    reasoning(
        "gpt-5.4-nano",
        "GPT-5.4 nano",
        400_000,
        128_000,
        price(0.20, 1.25),
    )
    .without_pdf(),
    reasoning("gpt-5.2", "GPT-5.2", 400_000, 128_000, price(1.75, 14.0)),
    reasoning("gpt-5.1", "GPT-5.1", 400_000, 128_000, price(1.25, 10.0)),
    // Shut down on 2026-12-11.
    reasoning("gpt-5", "GPT-5", 400_000, 128_000, price(1.25, 10.0)),
    reasoning(
        "gpt-5-mini",
        "GPT-5 mini",
        400_000,
        128_000,
        price(0.25, 2.0),
    ),
    reasoning(
        "gpt-5-nano",
        "GPT-5 nano",
        400_000,
        128_000,
        price(0.05, 0.40),
    ),
    reasoning("o3", "o3", 200_000, 100_000, price(2.0, 8.0)),
    gpt("gpt-4.1", "GPT-4.1", 1_047_576, 32_768, price(2.0, 8.0)),
    gpt(
        "gpt-4.1-mini",
        "GPT-4.1 mini",
        1_047_576,
        32_768,
        price(0.40, 1.60),
    ),
    gpt(
        "gpt-4o-mini",
        "GPT-4o mini",
        128_000,
        16_384,
        price(0.15, 0.60),
    ),
    gpt("gpt-4o", "GPT-4o", 128_000, 16_384, price(2.50, 10.0)).retired(),
    gpt(
        "gpt-4.1-nano",
        "GPT-4.1 nano",
        1_047_576,
        32_768,
        price(0.10, 0.40),
    )
    .retired(),
    reasoning("o4-mini", "o4-mini", 200_000, 100_000, price(1.10, 4.40)).retired(),
];

/// The catalogue entry for a model id.
pub fn find(id: &str) -> Option<&'static ModelInfo> {
    MODELS.iter().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ApiKeyProvider::{Claude, Openai};

    #[test]
    fn ids_are_unique_and_facts_sane() {
        for (i, m) in MODELS.iter().enumerate() {
            assert!(
                MODELS[i + 1..].iter().all(|o| o.id != m.id),
                "{} twice",
                m.id
            );
            let p = m.price;
            assert!(
                p.input_usd_per_mtok > 0.0 && p.output_usd_per_mtok >= p.input_usd_per_mtok,
                "{}",
                m.id
            );
            assert!(m.max_output_tokens < m.context_window, "{}", m.id);
            assert!(
                super::super::chat_filter::is_chat_model(m.provider, true, m.id),
                "{} passes the chat-model filter",
                m.id
            );
        }
        for provider in [Claude, Openai] {
            assert!(MODELS.iter().filter(|m| m.provider == provider).count() >= 3);
        }
    }

    #[test]
    fn costs_follow_the_price_list() {
        let sonnet = find("claude-sonnet-4-5").unwrap();
        // 24 input and 22 output tokens at $3 / $15 per million.
        assert!((sonnet.price.cost_usd(24, 22) - 0.000402).abs() < 1e-12);
        let gpt4o = find("gpt-4o").unwrap();
        assert!((gpt4o.price.cost_usd(1_000_000, 1_000_000) - 12.5).abs() < 1e-9);
        assert!(find("gpt-2").is_none());
    }
}

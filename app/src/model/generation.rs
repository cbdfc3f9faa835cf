//! Generation settings (temperature, maximum output tokens, top-p): what a
//! conversation or a template asks for, which values each model accepts, and
//! what is actually sent.

use serde::{Deserialize, Serialize};

use super::model_facts::ModelFacts;
use super::number::{group_thousands, parse_optional};

/// How answers are sampled. `None` is the provider's default (for the
/// maximum output tokens: [`DEFAULT_MAX_OUTPUT_TOKENS`], capped by the model).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationSettings {
    pub temperature: Option<f64>,
    pub max_output_tokens: Option<u32>,
    pub top_p: Option<f64>,
}

/// Output tokens asked for when the conversation does not say.
pub const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 8192;

/// Which sampling parameters a model takes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Sampling {
    /// Temperature up to `max_temperature` and top-p, together.
    Both { max_temperature: f64 },
    /// Temperature (0–1) or top-p, not both: Anthropic's current models
    /// refuse a request that sets both.
    EitherOne,
    /// Neither: reasoning models (GPT-5 family) sample their own way and
    /// refuse both parameters.
    Fixed,
}

impl Sampling {
    pub fn max_temperature(self) -> Option<f64> {
        match self {
            Sampling::Both { max_temperature } => Some(max_temperature),
            Sampling::EitherOne => Some(1.0),
            Sampling::Fixed => None,
        }
    }
}

/// What goes into the provider request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Applied {
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub max_tokens: u32,
}

impl GenerationSettings {
    /// The settings as typed in a form (empty fields are defaults).
    pub fn parse(temperature: &str, max_output_tokens: &str, top_p: &str) -> Result<Self, String> {
        Ok(GenerationSettings {
            temperature: parse_optional("the temperature", temperature, "a number")?,
            max_output_tokens: parse_optional(
                "the maximum output",
                max_output_tokens,
                "a whole number of tokens",
            )?,
            top_p: parse_optional("top-p", top_p, "a number")?,
        })
    }

    /// Checks the settings for `model`; the message says what to change.
    pub fn validate(&self, model: &ModelFacts) -> Result<(), String> {
        let model_name = model.name.as_str();
        let sampling = model.sampling;
        if let Some(t) = self.temperature {
            let Some(max) = sampling.max_temperature() else {
                return Err(format!(
                    "{model_name} does not take a temperature; leave it empty"
                ));
            };
            if !t.is_finite() || !(0.0..=max).contains(&t) {
                return Err(format!(
                    "the temperature for {model_name} is between 0 and {max}"
                ));
            }
        }
        if let Some(p) = self.top_p {
            if sampling == Sampling::Fixed {
                return Err(format!(
                    "{model_name} does not take a top-p; leave it empty"
                ));
            }
            if !p.is_finite() || p <= 0.0 || p > 1.0 {
                return Err("top-p is more than 0 and at most 1".into());
            }
            if sampling == Sampling::EitherOne && self.temperature.is_some() {
                return Err(format!(
                    "{model_name} takes a temperature or a top-p, not both; empty one of them"
                ));
            }
        }
        if let Some(n) = self.max_output_tokens {
            let max = model.max_output_tokens;
            if n == 0 || n > max {
                return Err(format!(
                    "the maximum output for {model_name} is between 1 and {max} tokens"
                ));
            }
        }
        Ok(())
    }

    /// The settings as sent to `model`: parameters it does not take are
    /// left out and the output is capped by its ceiling, so that switching
    /// models mid-conversation never breaks a request.
    pub fn applied(&self, model: &ModelFacts) -> Applied {
        let sampling = model.sampling;
        let ceiling = model.max_output_tokens;
        let temperature = match sampling.max_temperature() {
            Some(max) => self.temperature.map(|t| t.clamp(0.0, max)),
            None => None,
        };
        let top_p = match sampling {
            Sampling::Fixed => None,
            Sampling::EitherOne if temperature.is_some() => None,
            _ => self.top_p,
        };
        Applied {
            temperature,
            top_p,
            max_tokens: self
                .max_output_tokens
                .unwrap_or(DEFAULT_MAX_OUTPUT_TOKENS)
                .min(ceiling),
        }
    }

    /// "Temperature 0.7 · Max 2,048 tokens", or "Provider defaults".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(t) = self.temperature {
            parts.push(format!("Temperature {t}"));
        }
        if let Some(p) = self.top_p {
            parts.push(format!("Top-p {p}"));
        }
        if let Some(n) = self.max_output_tokens {
            parts.push(format!("Max {} tokens", group_thousands(u64::from(n))));
        }
        if parts.is_empty() {
            "Provider defaults".into()
        } else {
            parts.join(" · ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::model_facts::ModelFacts;
    use crate::model::ApiKeyProvider;

    fn find(id: &str) -> ModelFacts {
        ModelFacts::of(id, ApiKeyProvider::Openai)
    }

    fn settings(t: Option<f64>, n: Option<u32>, p: Option<f64>) -> GenerationSettings {
        GenerationSettings {
            temperature: t,
            max_output_tokens: n,
            top_p: p,
        }
    }

    #[test]
    fn each_model_family_takes_its_own_ranges() {
        let sonnet = find("claude-sonnet-4-5");
        let gpt4o = find("gpt-4o");
        let gpt5 = find("gpt-5");
        assert!(settings(Some(1.0), Some(64_000), None)
            .validate(&sonnet)
            .is_ok());
        assert!(settings(Some(1.5), None, None)
            .validate(&sonnet)
            .unwrap_err()
            .contains("between 0 and 1"));
        assert!(settings(Some(0.5), None, Some(0.9))
            .validate(&sonnet)
            .unwrap_err()
            .contains("not both"));
        assert!(settings(Some(1.5), None, Some(0.9))
            .validate(&gpt4o)
            .is_ok());
        assert!(settings(Some(2.5), None, None).validate(&gpt4o).is_err());
        assert!(settings(Some(0.2), None, None)
            .validate(&gpt5)
            .unwrap_err()
            .contains("does not take a temperature"));
        assert!(settings(None, Some(16_385), None)
            .validate(&gpt4o)
            .unwrap_err()
            .contains("between 1 and 16384"));
        assert!(settings(None, Some(0), None)
            .validate(&find("llama"))
            .is_err());
        assert!(settings(Some(f64::NAN), None, None)
            .validate(&find("llama"))
            .is_err());
        assert!(settings(None, None, Some(0.0))
            .validate(&find("llama"))
            .is_err());
        assert!(settings(None, Some(500_000), Some(1.0))
            .validate(&find("llama"))
            .is_ok());
    }

    #[test]
    fn applied_settings_fit_the_model_they_are_sent_to() {
        let s = settings(Some(1.6), Some(50_000), Some(0.8));
        // GPT-4o: both parameters, output capped at its ceiling.
        let a = s.applied(&find("gpt-4o"));
        assert_eq!(
            (a.temperature, a.top_p, a.max_tokens),
            (Some(1.6), Some(0.8), 16_384)
        );
        // Claude: temperature clamped to 1, top-p dropped (not both).
        let a = s.applied(&find("claude-haiku-4-5"));
        assert_eq!(
            (a.temperature, a.top_p, a.max_tokens),
            (Some(1.0), None, 50_000)
        );
        // GPT-5: neither.
        let a = s.applied(&find("gpt-5"));
        assert_eq!((a.temperature, a.top_p), (None, None));
        // Nothing set: provider defaults and VibeBot's default length.
        let a = GenerationSettings::default().applied(&find("gpt-4o"));
        assert_eq!(
            (a.temperature, a.top_p, a.max_tokens),
            (None, None, DEFAULT_MAX_OUTPUT_TOKENS)
        );
    }

    #[test]
    fn summaries_read_well() {
        assert_eq!(GenerationSettings::default().summary(), "Provider defaults");
        assert_eq!(
            settings(Some(0.7), Some(2048), None).summary(),
            "Temperature 0.7 · Max 2,048 tokens"
        );
    }
}

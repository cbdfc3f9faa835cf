//! The admin's models page: every model VibeBot knows of, its catalogue
//! facts and overrides, and which roles may use it.

use serde::{Deserialize, Serialize};

use super::model_access::RoleModelAccess;
use super::model_facts::{Price, MAX_NAME_CHARS};
use super::number::parse_optional;
use super::{ApiKeyProvider, UserRole};

/// The roles whose models an admin chooses (guests cannot send).
pub const ACCESS_ROLES: [UserRole; 2] = [UserRole::User, UserRole::Admin];

/// The highest price accepted, in US dollars per million tokens.
pub const MAX_USD_PER_MTOK: f64 = 10_000.0;

/// One model on the admin's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelAdminRow {
    pub id: String,
    pub provider: ApiKeyProvider,
    /// The catalogue's name, if it describes the model.
    pub catalogue_name: Option<String>,
    pub catalogue_price: Option<Price>,
    /// Retired by its provider (per the catalogue).
    pub retired: bool,
    /// Some user's key lists it now.
    pub listed: bool,
    pub override_name: Option<String>,
    pub override_price: Option<Price>,
}

impl ModelAdminRow {
    /// The price answers are charged at.
    pub fn price(&self) -> Option<Price> {
        self.override_price.or(self.catalogue_price)
    }

    pub fn name(&self) -> &str {
        self.override_name
            .as_deref()
            .or(self.catalogue_name.as_deref())
            .unwrap_or(&self.id)
    }
}

/// What the admin's models page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelAdmin {
    /// When the catalogue's facts were read, and where.
    pub catalogue_as_of: String,
    pub catalogue_sources: String,
    /// Catalogue models, listed models and overridden ones, by provider and id.
    pub models: Vec<ModelAdminRow>,
    /// The rules of [`ACCESS_ROLES`], in that order.
    pub access: Vec<RoleModelAccess>,
}

/// An override as typed in the admin's form: a display name and the input
/// and output prices, each empty for "the catalogue's".
pub fn parse_override(
    name: &str,
    input: &str,
    output: &str,
) -> Result<(Option<String>, Option<Price>), String> {
    let name = name.trim();
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("a name has at most {MAX_NAME_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name is one line of text".into());
    }
    let input: Option<f64> = parse_optional("the input price", input, "a number of dollars")?;
    let output: Option<f64> = parse_optional("the output price", output, "a number of dollars")?;
    let price = match (input, output) {
        (None, None) => None,
        (Some(input), Some(output)) => {
            for value in [input, output] {
                if !value.is_finite() || !(0.0..=MAX_USD_PER_MTOK).contains(&value) {
                    return Err(format!(
                        "a price is between $0 and ${MAX_USD_PER_MTOK} per million tokens"
                    ));
                }
            }
            Some(Price {
                input_usd_per_mtok: input,
                output_usd_per_mtok: output,
            })
        }
        _ => return Err("give both prices (input and output), or neither".into()),
    };
    Ok(((!name.is_empty()).then(|| name.to_string()), price))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_or_say_what_is_wrong() {
        assert_eq!(parse_override(" ", "", "").unwrap(), (None, None));
        let (name, price) = parse_override("Llama 3.3", "0.5", "1.5").unwrap();
        assert_eq!(name.as_deref(), Some("Llama 3.3"));
        assert_eq!(price.unwrap().output_usd_per_mtok, 1.5);
        assert!(parse_override("", "1", "")
            .unwrap_err()
            .contains("both prices"));
        assert!(parse_override("", "-1", "2")
            .unwrap_err()
            .contains("between $0"));
        assert!(parse_override("", "1e9", "2").is_err());
        assert!(parse_override("", "abc", "2").is_err());
        assert!(parse_override(&"x".repeat(101), "", "").is_err());
        assert!(parse_override("two\nlines", "", "").is_err());
    }
}

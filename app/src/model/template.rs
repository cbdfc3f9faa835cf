//! Conversation templates: a model, a system prompt and generation settings
//! saved under a name, to start new conversations from.

use serde::{Deserialize, Serialize};

use super::generation::GenerationSettings;

pub const TEMPLATE_NAME_MAX_CHARS: usize = 100;

/// A template as the browser sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub model: Option<String>,
    pub system_prompt: Option<String>,
    pub settings: GenerationSettings,
    /// Published by an admin: offered to everyone.
    pub is_public: bool,
    /// The caller saved it (and may delete it).
    pub mine: bool,
}

/// Trims a template's name and checks its length.
pub fn normalize_template_name(input: &str) -> Result<String, String> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err("give the template a name".into());
    }
    if name.chars().count() > TEMPLATE_NAME_MAX_CHARS {
        return Err(format!(
            "a template's name has at most {TEMPLATE_NAME_MAX_CHARS} characters"
        ));
    }
    super::text::refuse_hidden(&name, "a template's name")?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            normalize_template_name("  Code   reviewer ").unwrap(),
            "Code reviewer"
        );
        assert!(normalize_template_name(" \t ").is_err());
        assert!(normalize_template_name(&"n".repeat(101))
            .unwrap_err()
            .contains("100"));
    }
}

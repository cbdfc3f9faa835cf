//! Which models a role may use, as an admin set it.

use serde::{Deserialize, Serialize};

use super::UserRole;

/// How a role's list of models reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessMode {
    /// Every model except those listed: models a provider lists later are
    /// allowed (what a role starts with: nothing listed, everything allowed).
    Except,
    /// Only the models listed: models listed later are not.
    Only,
}

impl AccessMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessMode::Except => "except",
            AccessMode::Only => "only",
        }
    }

    pub fn parse(text: &str) -> Option<AccessMode> {
        match text {
            "except" => Some(AccessMode::Except),
            "only" => Some(AccessMode::Only),
            _ => None,
        }
    }
}

/// One role's rule and default model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleModelAccess {
    pub role: UserRole,
    pub mode: AccessMode,
    /// The models excepted (`Except`) or the only ones allowed (`Only`).
    pub models: Vec<String>,
    /// The model the role's users start with, unless they chose their own.
    pub default_model: Option<String>,
}

impl RoleModelAccess {
    /// What a role gets until an admin changes it: every model.
    pub fn everything(role: UserRole) -> RoleModelAccess {
        RoleModelAccess {
            role,
            mode: AccessMode::Except,
            models: Vec::new(),
            default_model: None,
        }
    }

    pub fn allows(&self, model: &str) -> bool {
        let listed = self.models.iter().any(|m| m == model);
        match self.mode {
            AccessMode::Except => !listed,
            AccessMode::Only => listed,
        }
    }

    /// The rule with `model` allowed or not; the mode stays.
    pub fn with(mut self, model: &str, allowed: bool) -> RoleModelAccess {
        let listed = match self.mode {
            AccessMode::Except => !allowed,
            AccessMode::Only => allowed,
        };
        self.models.retain(|m| m != model);
        if listed {
            self.models.push(model.to_string());
            self.models.sort();
        }
        self
    }

    /// The rule in `mode`, allowing exactly the same of `known` models as
    /// before (models outside `known` follow the new mode).
    pub fn in_mode(self, mode: AccessMode, known: &[String]) -> RoleModelAccess {
        if mode == self.mode {
            return self;
        }
        let mut models: Vec<String> = known
            .iter()
            .filter(|m| match mode {
                AccessMode::Only => self.allows(m),
                AccessMode::Except => !self.allows(m),
            })
            .cloned()
            .collect();
        models.sort();
        models.dedup();
        RoleModelAccess {
            mode,
            models,
            ..self
        }
    }

    /// The message a refused model gets.
    pub fn refusal(&self, model_name: &str) -> String {
        format!(
            "{model_name} is not available to your account ({} role); choose another model",
            self.role.as_str().to_lowercase()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn except_allows_new_models_and_only_does_not() {
        let all = RoleModelAccess::everything(UserRole::User);
        assert!(all.allows("anything-new"));
        let no_opus = all.with("claude-opus-4-1", false);
        assert!(!no_opus.allows("claude-opus-4-1"));
        assert!(no_opus.allows("gpt-4o"));
        assert_eq!(no_opus.models, ids(&["claude-opus-4-1"]));
        assert!(no_opus
            .clone()
            .with("claude-opus-4-1", true)
            .models
            .is_empty());

        let known = ids(&["claude-opus-4-1", "gpt-4o", "gpt-4o-mini"]);
        let only = no_opus.in_mode(AccessMode::Only, &known);
        assert_eq!(only.models, ids(&["gpt-4o", "gpt-4o-mini"]));
        assert!(!only.allows("claude-opus-4-1"));
        assert!(!only.allows("anything-new"), "only the listed models");
        let back = only.in_mode(AccessMode::Except, &known);
        assert_eq!(back.models, ids(&["claude-opus-4-1"]));
        assert!(back.allows("anything-new"));
    }

    #[test]
    fn modes_read_back() {
        for mode in [AccessMode::Except, AccessMode::Only] {
            assert_eq!(AccessMode::parse(mode.as_str()), Some(mode));
        }
        assert_eq!(AccessMode::parse("all"), None);
        let refused = RoleModelAccess::everything(UserRole::Guest).refusal("GPT-5");
        assert_eq!(
            refused,
            "GPT-5 is not available to your account (guest role); choose another model"
        );
    }
}

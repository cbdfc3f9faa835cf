//! The models a user may pick, as the picker shows them: pinned and recent
//! first, then grouped by provider (and endpoint), searchable.

use serde::{Deserialize, Serialize};

use super::model_facts::ModelFacts;
use super::ApiKeyProvider;

/// The most models a user may pin.
pub const MAX_PINNED: usize = 50;
/// Recently used models shown first.
pub const RECENT: usize = 5;

/// One model the user may pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub facts: ModelFacts,
    /// The API that serves it for this user.
    pub served_by: ApiKeyProvider,
    /// The host of the OpenAI-compatible endpoint that lists it, if any.
    pub endpoint: Option<String>,
}

impl ModelChoice {
    pub fn id(&self) -> &str {
        &self.facts.id
    }

    /// The group it is listed under: its provider, or its endpoint's host.
    pub fn group(&self) -> String {
        match (&self.endpoint, self.served_by) {
            (Some(host), _) => host.clone(),
            (None, ApiKeyProvider::Claude) => "Anthropic".into(),
            (None, ApiKeyProvider::Openai) => "OpenAI".into(),
        }
    }

    /// Whether every word of `query` is in its name or id (any case).
    pub fn matches(&self, query: &str) -> bool {
        let haystack = format!("{} {}", self.facts.name, self.facts.id).to_lowercase();
        query
            .to_lowercase()
            .split_whitespace()
            .all(|word| haystack.contains(word))
    }
}

/// What `models/available` answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelMenu {
    /// Every model the user may pick, by group, then name.
    pub choices: Vec<ModelChoice>,
    /// Pinned model ids, oldest pin first (only those in `choices`).
    pub pinned: Vec<String>,
    /// Models of the user's latest conversations, newest first (in `choices`).
    pub recent: Vec<String>,
    /// The user's own default, else the role's, if it is in `choices`.
    pub default_model: Option<String>,
}

/// A titled part of the picker's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Section<'a> {
    pub title: String,
    pub choices: Vec<&'a ModelChoice>,
}

impl ModelMenu {
    pub fn find(&self, id: &str) -> Option<&ModelChoice> {
        self.choices.iter().find(|c| c.id() == id)
    }

    pub fn is_pinned(&self, id: &str) -> bool {
        self.pinned.iter().any(|p| p == id)
    }

    /// The model a new conversation starts with: the default, else the
    /// first pinned, else the latest used, else the first listed.
    pub fn initial(&self) -> Option<&str> {
        self.default_model
            .iter()
            .chain(&self.pinned)
            .chain(&self.recent)
            .map(String::as_str)
            .find(|id| self.find(id).is_some())
            .or_else(|| self.choices.first().map(ModelChoice::id))
    }

    /// The picker's list: without a query, "Pinned" and "Recent" first and
    /// then every other model by group; with one, the matching models by group.
    pub fn sections(&self, query: &str) -> Vec<Section<'_>> {
        let query = query.trim();
        let mut sections = Vec::new();
        let mut shown: Vec<&str> = Vec::new();
        if query.is_empty() {
            for (title, ids) in [("Pinned", &self.pinned), ("Recent", &self.recent)] {
                let choices: Vec<&ModelChoice> = ids
                    .iter()
                    .filter(|id| !shown.contains(&id.as_str()))
                    .filter_map(|id| self.find(id))
                    .collect();
                shown.extend(choices.iter().map(|c| c.id()));
                if !choices.is_empty() {
                    sections.push(Section {
                        title: title.into(),
                        choices,
                    });
                }
            }
        }
        for choice in &self.choices {
            if shown.contains(&choice.id()) || !choice.matches(query) {
                continue;
            }
            let group = choice.group();
            match sections.last_mut() {
                Some(last) if last.title == group => last.choices.push(choice),
                _ => sections.push(Section {
                    title: group,
                    choices: vec![choice],
                }),
            }
        }
        sections
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(id: &str, served_by: ApiKeyProvider, endpoint: Option<&str>) -> ModelChoice {
        ModelChoice {
            facts: ModelFacts::of(id, served_by),
            served_by,
            endpoint: endpoint.map(String::from),
        }
    }

    fn menu() -> ModelMenu {
        use ApiKeyProvider::{Claude, Openai};
        ModelMenu {
            choices: vec![
                choice("claude-haiku-4-5", Claude, None),
                choice("claude-sonnet-4-5", Claude, None),
                choice("gpt-4o", Openai, None),
                choice("gpt-5", Openai, None),
                choice("meta-llama/llama-3.3-70b", Openai, Some("openrouter.ai")),
            ],
            pinned: vec!["gpt-5".into()],
            recent: vec!["gpt-5".into(), "claude-haiku-4-5".into()],
            default_model: None,
        }
    }

    fn titles(sections: &[Section<'_>]) -> Vec<(String, Vec<String>)> {
        sections
            .iter()
            .map(|s| {
                (
                    s.title.clone(),
                    s.choices.iter().map(|c| c.id().to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn pinned_and_recent_come_first_and_once() {
        let menu = menu();
        let sections = titles(&menu.sections(""));
        let expect = |t: &str, ids: &[&str]| {
            (
                t.to_string(),
                ids.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            sections,
            vec![
                expect("Pinned", &["gpt-5"]),
                expect("Recent", &["claude-haiku-4-5"]),
                expect("Anthropic", &["claude-sonnet-4-5"]),
                expect("OpenAI", &["gpt-4o"]),
                expect("openrouter.ai", &["meta-llama/llama-3.3-70b"]),
            ]
        );
        assert_eq!(menu.initial(), Some("gpt-5"));
    }

    #[test]
    fn a_query_matches_every_word_by_name_or_id() {
        let menu = menu();
        let found = titles(&menu.sections("LLAMA 70b"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "openrouter.ai");
        let found = titles(&menu.sections("claude"));
        assert_eq!(found[0].1, vec!["claude-haiku-4-5", "claude-sonnet-4-5"]);
        assert!(menu.sections("nothing like it").is_empty());
    }

    #[test]
    fn the_initial_model_is_the_default_if_still_offered() {
        let mut menu = menu();
        menu.default_model = Some("gpt-4o".into());
        assert_eq!(menu.initial(), Some("gpt-4o"));
        menu.default_model = Some("withdrawn".into());
        assert_eq!(menu.initial(), Some("gpt-5"));
        let empty = ModelMenu::default();
        assert_eq!(empty.initial(), None);
    }
}

//! The menu of models a user may pick (`models/available`), from what is
//! stored: no provider is asked while a page waits.

use std::collections::HashSet;

use crate::backend::db::model_lists::Listed;
use crate::backend::db::model_views::{self, KeyList, MenuSnapshot};
use crate::backend::AppState;
use crate::error::AppError;
use crate::model::catalog::MODELS;
use crate::model::model_menu::{ModelChoice, ModelMenu};
use crate::model::ApiKeyProvider;

/// The user's menu; keys whose lists are due are refreshed in the background
/// for the next time.
pub async fn for_user(state: &AppState, user_id: &str) -> Result<ModelMenu, AppError> {
    let snapshot = model_views::menu(&state.pool, user_id, super::FRESH_SECS, super::RETRY_SECS)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let due = snapshot
        .keys
        .iter()
        .filter(|k| k.stale)
        .map(|k| k.id.clone())
        .collect();
    super::refresh::refresh_due(state, user_id, due);
    Ok(build(&snapshot))
}

/// The menu from a snapshot: each key's chat models (for a first-party key
/// never listed yet, the catalogue's current models of its provider), those
/// the role allows, each once (first-party keys first, then by the user's
/// key order), by group and name.
pub fn build(snapshot: &MenuSnapshot) -> ModelMenu {
    let mut keys: Vec<&KeyList> = snapshot.keys.iter().collect();
    keys.sort_by_key(|k| k.base_url.is_some());
    let mut seen: HashSet<String> = HashSet::new();
    let mut choices: Vec<ModelChoice> = Vec::new();
    for key in keys {
        let endpoint = key.base_url.as_deref().map(host_of);
        for listed in offered(key) {
            if !snapshot.access.allows(&listed.id) || !seen.insert(listed.id.clone()) {
                continue;
            }
            let over = snapshot.overrides.iter().find(|o| o.model == listed.id);
            choices.push(ModelChoice {
                facts: super::facts(&listed.id, key.provider, Some(&listed), over),
                served_by: key.provider,
                endpoint: endpoint.clone(),
            });
        }
    }
    choices.sort_by_cached_key(|c| {
        let rank = match (&c.endpoint, c.served_by) {
            (None, ApiKeyProvider::Claude) => 0,
            (None, ApiKeyProvider::Openai) => 1,
            (Some(_), _) => 2,
        };
        (rank, c.group(), c.facts.name.to_lowercase())
    });
    let offered = |id: &String| seen.contains(id);
    ModelMenu {
        pinned: snapshot
            .pinned
            .iter()
            .filter(|m| offered(m))
            .cloned()
            .collect(),
        recent: snapshot
            .recent
            .iter()
            .filter(|m| offered(m))
            .cloned()
            .collect(),
        default_model: [&snapshot.user_default, &snapshot.access.default_model]
            .into_iter()
            .flatten()
            .find(|m| offered(m))
            .cloned(),
        choices,
    }
}

/// The models a key offers.
fn offered(key: &KeyList) -> Vec<Listed> {
    if key.listed || key.base_url.is_some() {
        return key.models.clone();
    }
    MODELS
        .iter()
        .filter(|m| m.provider == key.provider && !m.retired)
        .map(|m| Listed {
            id: m.id.to_string(),
            name: None,
            context_window: None,
        })
        .collect()
}

/// "openrouter.ai", "127.0.0.1:4010": how an endpoint is named in the picker.
fn host_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .ok()
        .and_then(|u| {
            let host = u.host_str()?.to_string();
            Some(match u.port() {
                Some(port) => format!("{host}:{port}"),
                None => host,
            })
        })
        .unwrap_or_else(|| base_url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::db::model_settings::Override;
    use crate::model::model_access::RoleModelAccess;
    use crate::model::UserRole;

    fn key(id: &str, provider: ApiKeyProvider, base_url: Option<&str>, models: &[&str]) -> KeyList {
        KeyList {
            id: id.into(),
            provider,
            base_url: base_url.map(String::from),
            listed: !models.is_empty(),
            stale: false,
            models: models
                .iter()
                .map(|m| Listed {
                    id: m.to_string(),
                    name: None,
                    context_window: None,
                })
                .collect(),
        }
    }

    fn snapshot(keys: Vec<KeyList>) -> MenuSnapshot {
        MenuSnapshot {
            keys,
            access: RoleModelAccess::everything(UserRole::User),
            user_default: None,
            pinned: vec![],
            recent: vec![],
            overrides: vec![],
        }
    }

    fn ids(menu: &ModelMenu) -> Vec<&str> {
        menu.choices.iter().map(|c| c.id()).collect()
    }

    #[test]
    fn listed_models_by_group_each_once_first_party_first() {
        let menu = build(&snapshot(vec![
            key(
                "proxy",
                ApiKeyProvider::Openai,
                Some("https://openrouter.ai/api/v1"),
                &["gpt-4.1", "meta-llama/llama-3.3-70b"],
            ),
            key(
                "openai",
                ApiKeyProvider::Openai,
                None,
                &["gpt-test-1", "gpt-4.1"],
            ),
            key(
                "claude",
                ApiKeyProvider::Claude,
                None,
                &["claude-haiku-4-5"],
            ),
        ]));
        assert_eq!(
            ids(&menu),
            [
                "claude-haiku-4-5",
                "gpt-4.1",
                "gpt-test-1",
                "meta-llama/llama-3.3-70b"
            ]
        );
        let gpt41 = menu.find("gpt-4.1").unwrap();
        assert_eq!(gpt41.endpoint, None, "served by the first-party key");
        let llama = menu.find("meta-llama/llama-3.3-70b").unwrap();
        assert_eq!(llama.group(), "openrouter.ai");
        assert_eq!(llama.facts.price, None);
    }

    #[test]
    fn a_first_party_key_not_listed_yet_offers_the_current_catalogue() {
        let menu = build(&snapshot(vec![key("c", ApiKeyProvider::Claude, None, &[])]));
        assert!(menu.find("claude-sonnet-4-5").is_some());
        assert!(menu.find("claude-opus-4-1").is_none(), "retired");
        assert!(menu
            .choices
            .iter()
            .all(|c| c.served_by == ApiKeyProvider::Claude));
        let compatible = build(&snapshot(vec![key(
            "p",
            ApiKeyProvider::Openai,
            Some("http://127.0.0.1:4010/v1"),
            &[],
        )]));
        assert!(compatible.choices.is_empty());
    }

    #[test]
    fn the_role_rule_overrides_and_defaults_apply() {
        let mut s = snapshot(vec![key(
            "openai",
            ApiKeyProvider::Openai,
            None,
            &["gpt-4o", "gpt-4o-mini", "gpt-test-1"],
        )]);
        s.access = s.access.clone().with("gpt-4o", false);
        s.access.default_model = Some("gpt-4o-mini".into());
        s.user_default = Some("gpt-4o".into());
        s.pinned = vec!["gpt-4o".into(), "gpt-test-1".into()];
        s.overrides = vec![Override {
            model: "gpt-test-1".into(),
            display_name: Some("Test One".into()),
            input_usd_per_mtok: Some(1.0),
            output_usd_per_mtok: Some(2.0),
        }];
        let menu = build(&s);
        assert_eq!(ids(&menu), ["gpt-4o-mini", "gpt-test-1"]);
        assert_eq!(
            menu.pinned,
            ["gpt-test-1"],
            "a withheld model is not offered pinned"
        );
        assert_eq!(
            menu.default_model.as_deref(),
            Some("gpt-4o-mini"),
            "the user's default is withheld: the role's"
        );
        let test = menu.find("gpt-test-1").unwrap();
        assert_eq!(test.facts.name, "Test One");
        assert_eq!(test.facts.price.unwrap().output_usd_per_mtok, 2.0);
    }
}

//! The models a user may chat with: the lists their keys' providers give
//! (cached in PostgreSQL, refreshed in the background), the catalogue's
//! facts with the admins' overrides, and the roles' rules.

pub mod menu;
pub mod refresh;
pub mod serving;

use crate::backend::db::model_lists::Listed;
use crate::backend::db::model_settings::Override;
use crate::model::model_facts::ModelFacts;
use crate::model::ApiKeyProvider;

/// A list is asked for again after an hour while it is used…
pub const FRESH_SECS: f64 = 3600.0;
/// …and five minutes after a failed ask.
pub const RETRY_SECS: f64 = 300.0;

/// The facts of `id` as listed by `provider`: the catalogue's (or safe
/// defaults, with the name and context window the list gives), then an
/// admin's override.
pub fn facts(
    id: &str,
    provider: ApiKeyProvider,
    listed: Option<&Listed>,
    over: Option<&Override>,
) -> ModelFacts {
    let mut facts = ModelFacts::of(id, provider);
    if let (false, Some(listed)) = (facts.in_catalogue, listed) {
        if let Some(name) = &listed.name {
            facts.name = name.clone();
        }
        facts.context_window = listed.context_window.and_then(|n| u32::try_from(n).ok());
    }
    facts.overridden(
        over.and_then(|o| o.display_name.as_deref()),
        over.and_then(Override::price),
    )
}

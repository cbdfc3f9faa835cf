//! The models a user may chat with: the lists their keys' providers give
//! (cached in PostgreSQL, refreshed in the background), the catalogue's
//! facts with the admins' overrides, and the roles' rules.

pub mod menu;
pub mod refresh;
pub mod serving;

use crate::backend::db::model_settings::Override;
use crate::model::model_facts::ModelFacts;
use crate::model::ApiKeyProvider;

/// A list is asked for again after an hour while it is used…
pub const FRESH_SECS: f64 = 3600.0;
/// …and five minutes after a failed ask.
pub const RETRY_SECS: f64 = 300.0;

/// The facts of `id` as listed by `provider`: the catalogue's (or safe
/// defaults, named as the provider names it), then an admin's override.
pub fn facts(
    id: &str,
    provider: ApiKeyProvider,
    listed_name: Option<&str>,
    over: Option<&Override>,
) -> ModelFacts {
    let mut facts = ModelFacts::of(id, provider);
    if let (false, Some(name)) = (facts.in_catalogue, listed_name) {
        facts.name = name.to_string();
    }
    facts.overridden(
        over.and_then(|o| o.display_name.as_deref()),
        over.and_then(Override::price),
    )
}

//! `/admin/models`: every model VibeBot knows of, its name and prices (the
//! catalogue's, or the admin's), and which roles may use it.

use leptos::prelude::*;

use super::AdminOnly;
use crate::api::admin_models::{
    admin_models, admin_set_model_access, admin_set_model_mode, admin_set_model_override,
    admin_set_role_default_model,
};
use crate::error::AppError;
use crate::model::model_access::{AccessMode, RoleModelAccess};
use crate::model::model_admin::{ModelAdmin, ModelAdminRow};
use crate::model::model_facts::Price;
use crate::ui::form::{capitalize, loading, or_error};
use crate::ui::toast::{use_toasts, Toasts};

#[component]
pub fn AdminModelsPage() -> impl IntoView {
    view! {
        <AdminOnly title="Models" sub_page=true>
            <AllModels />
        </AdminOnly>
    }
}

#[component]
fn AllModels() -> impl IntoView {
    let page = Resource::new(|| (), |_| admin_models());
    let changes = Changes {
        toasts: use_toasts(),
        reload: Callback::new(move |_| page.refetch()),
    };
    view! {
        <Transition fallback=loading>
            {move || {
                page
                    .get()
                    .map(|result| or_error(result, |models| view! { <Models models changes /> }.into_any()))
            }}
        </Transition>
    }
}

/// How a change is made: run it, say how it went, reload the page's data.
#[derive(Clone, Copy)]
struct Changes {
    toasts: Toasts,
    reload: Callback<()>,
}

fn change<F>(changes: Changes, done: &'static str, call: F)
where
    F: std::future::Future<Output = Result<(), AppError>> + 'static,
{
    let Changes { toasts, reload } = changes;
    leptos::task::spawn_local(async move {
        match call.await {
            Ok(()) => toasts.success(done),
            Err(e) => toasts.error(capitalize(&e.to_string())),
        }
        reload.run(());
    });
}

#[component]
fn Models(models: ModelAdmin, changes: Changes) -> impl IntoView {
    let unpriced = models.models.iter().filter(|m| m.price().is_none()).count();
    let query = RwSignal::new(String::new());
    let only_unpriced = RwSignal::new(false);
    let access = StoredValue::new(models.access.clone());
    let rows = StoredValue::new(models.models.clone());
    view! {
        <p class="muted" data-testid="catalogue-date">
            {format!("Catalogue as of {}: {}", models.catalogue_as_of, models.catalogue_sources)}
        </p>
        <p data-testid="unpriced-count">
            {match unpriced {
                0 => "Every model has a price.".to_string(),
                1 => "1 model has no price: its answers' cost is recorded as unknown.".to_string(),
                n => {
                    format!("{n} models have no price: their answers' cost is recorded as unknown.")
                }
            }}
        </p>
        <section class="card" aria-labelledby="roles-heading">
            <h2 id="roles-heading">"Roles"</h2>
            <p class="muted">
                "Which models each role may use is set per model below. Guests cannot send."
            </p>
            {models
                .access
                .into_iter()
                .map(|rule| view! { <RoleRule rule rows=rows.get_value() changes /> })
                .collect_view()}
        </section>
        <section class="card" aria-labelledby="models-heading">
            <h2 id="models-heading">"Names, prices and access"</h2>
            <p class="muted">
                "Prices are US dollars per million tokens; empty fields use the catalogue's. A change applies to the next answer; answers keep the price they were charged at."
            </p>
            <div class="model-admin__filters">
                <input
                    type="search"
                    placeholder="Search models"
                    aria-label="Search models"
                    data-testid="model-admin-search"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <label class="form__check">
                    <input
                        type="checkbox"
                        prop:checked=move || only_unpriced.get()
                        on:change=move |ev| only_unpriced.set(event_target_checked(&ev))
                    />
                    "Only models without a price"
                </label>
            </div>
            <div class="admin-table-wrap" tabindex="0" role="region" aria-label="Models table">
                <table class="admin-table model-admin">
                    <thead>
                        <tr>
                            <th>"Model"</th>
                            <th>"Name"</th>
                            <th>"Input $/M"</th>
                            <th>"Output $/M"</th>
                            <th></th>
                            {access
                                .get_value()
                                .into_iter()
                                .map(|r| view! { <th>{r.role.as_str()}</th> })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let q = query.get().to_lowercase();
                            let unpriced_only = only_unpriced.get();
                            rows.get_value()
                                .into_iter()
                                .filter(|m| !unpriced_only || m.price().is_none())
                                .filter(|m| {
                                    q
                                        .split_whitespace()
                                        .all(|w| {
                                            format!("{} {}", m.id, m.name()).to_lowercase().contains(w)
                                        })
                                })
                                .map(|row| {
                                    view! { <ModelRow row access=access.get_value() changes /> }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// A role's mode and default model.
#[component]
fn RoleRule(rule: RoleModelAccess, rows: Vec<ModelAdminRow>, changes: Changes) -> impl IntoView {
    let role = rule.role.as_str();
    let allowed: Vec<(String, String)> = rows
        .iter()
        .filter(|m| rule.allows(&m.id) && !m.retired)
        .map(|m| (m.id.clone(), m.name().to_string()))
        .collect();
    let default = rule.default_model.clone().unwrap_or_default();
    view! {
        <div class="model-admin__role" data-testid=format!("role-rule-{role}")>
            <h3>{role}</h3>
            <label>
                "Models listed later "
                <select
                    data-testid=format!("role-mode-{role}")
                    on:change=move |ev| {
                        let mode = event_target_value(&ev);
                        change(
                            changes,
                            "Role updated",
                            admin_set_model_mode(role.to_string(), mode),
                        );
                    }
                >
                    <option
                        value=AccessMode::Except.as_str()
                        selected=rule.mode == AccessMode::Except
                    >
                        "are allowed"
                    </option>
                    <option value=AccessMode::Only.as_str() selected=rule.mode == AccessMode::Only>
                        "are not allowed"
                    </option>
                </select>
            </label>
            <label>
                " Default model "
                <select
                    data-testid=format!("role-default-{role}")
                    on:change=move |ev| {
                        let model = event_target_value(&ev);
                        change(
                            changes,
                            "Default model set",
                            admin_set_role_default_model(role.to_string(), model),
                        );
                    }
                >
                    <option value="" selected=default.is_empty()>
                        "None (the first offered)"
                    </option>
                    {allowed
                        .into_iter()
                        .map(|(id, name)| {
                            let selected = id == default;
                            view! {
                                <option value=id selected=selected>
                                    {name}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
        </div>
    }
}

fn price_text(price: Option<Price>, input: bool) -> String {
    price
        .map(|p| {
            if input {
                p.input_usd_per_mtok
            } else {
                p.output_usd_per_mtok
            }
            .to_string()
        })
        .unwrap_or_default()
}

#[component]
fn ModelRow(row: ModelAdminRow, access: Vec<RoleModelAccess>, changes: Changes) -> impl IntoView {
    let id = StoredValue::new(row.id.clone());
    let name = RwSignal::new(row.override_name.clone().unwrap_or_default());
    let input = RwSignal::new(price_text(row.override_price, true));
    let output = RwSignal::new(price_text(row.override_price, false));
    let badges = [
        row.retired.then_some("retired"),
        row.listed.then_some("listed"),
        row.price().is_none().then_some("no price"),
    ];
    view! {
        <tr data-testid="model-admin-row" data-model=row.id.clone()>
            <td>
                <code>{row.id.clone()}</code>
                {badges
                    .into_iter()
                    .flatten()
                    .map(|b| view! { <span class="badge">{b}</span> })
                    .collect_view()}
            </td>
            <td>
                <input
                    aria-label=format!("Name of {}", row.id)
                    data-testid="model-name"
                    maxlength="100"
                    placeholder=row.catalogue_name.clone().unwrap_or_else(|| row.id.clone())
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </td>
            <PriceCell
                what="Input"
                model=row.id.clone()
                value=input
                catalogue=price_text(row.catalogue_price, true)
            />
            <PriceCell
                what="Output"
                model=row.id.clone()
                value=output
                catalogue=price_text(row.catalogue_price, false)
            />
            <td>
                <button
                    type="button"
                    class="button button--quiet"
                    data-testid="model-save"
                    on:click=move |_| {
                        change(
                            changes,
                            "Model saved",
                            admin_set_model_override(
                                id.get_value(),
                                name.get_untracked(),
                                input.get_untracked(),
                                output.get_untracked(),
                            ),
                        );
                    }
                >
                    "Save"
                </button>
            </td>
            {access
                .into_iter()
                .map(|rule| {
                    let role = rule.role.as_str();
                    let allowed = rule.allows(&row.id);
                    view! {
                        <td>
                            <input
                                type="checkbox"
                                aria-label=format!("{role} may use {}", row.id)
                                data-testid=format!("model-access-{role}")
                                prop:checked=allowed
                                on:change=move |ev| {
                                    let allowed = event_target_checked(&ev);
                                    change(
                                        changes,
                                        "Access updated",
                                        admin_set_model_access(
                                            role.to_string(),
                                            id.get_value(),
                                            allowed,
                                        ),
                                    );
                                }
                            />
                        </td>
                    }
                })
                .collect_view()}
        </tr>
    }
}

/// A price field; empty shows (and means) the catalogue's price.
#[component]
fn PriceCell(
    what: &'static str,
    model: String,
    value: RwSignal<String>,
    catalogue: String,
) -> impl IntoView {
    view! {
        <td>
            <input
                class="model-admin__price"
                inputmode="decimal"
                aria-label=format!("{what} price of {model}")
                data-testid=format!("model-{}-price", what.to_lowercase())
                placeholder=catalogue
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </td>
    }
}

//! The model picker: a button naming the model; it opens a searchable list,
//! pinned and recent models first, then by provider (or endpoint), each
//! with its context window and price, each pinnable.

use leptos::html;
use leptos::prelude::*;

use crate::api::models::pin_model;
use crate::error::AppError;
use crate::model::model_menu::{ModelChoice, ModelMenu};
use crate::ui::toast::use_toasts;

/// Pins (`true`) or unpins a model; its value is the outcome and what was asked.
type PinAction = Action<(String, bool), (Result<(), AppError>, String, bool)>;

/// Picks `model` among `menu`'s; `on_pick` runs after a pick.
#[component]
pub fn ModelPicker(
    menu: ModelMenu,
    model: RwSignal<String>,
    #[prop(optional)] on_pick: Option<Callback<String>>,
) -> impl IntoView {
    let menu = RwSignal::new(menu);
    let open = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let search = NodeRef::<html::Input>::new();
    let toasts = use_toasts();

    Effect::new(move || {
        if open.get() {
            if let Some(input) = search.get() {
                let _ = input.focus();
            }
        }
    });
    let close = move || {
        open.set(false);
        query.set(String::new());
    };
    let pick = move |id: String| {
        model.set(id.clone());
        close();
        if let Some(on_pick) = on_pick {
            on_pick.run(id);
        }
    };
    let pin = Action::new(move |(id, pinned): &(String, bool)| {
        let (id, pinned) = (id.clone(), *pinned);
        async move { (pin_model(id.clone(), pinned).await, id, pinned) }
    });
    Effect::new(move || {
        if let Some((result, id, pinned)) = pin.value().get() {
            match result {
                Ok(()) => menu.update(|m| {
                    m.pinned.retain(|p| p != &id);
                    if pinned {
                        m.pinned.push(id);
                    }
                }),
                Err(e) => toasts.error(format!("Could not pin the model: {e}")),
            }
        }
    });

    let current_name = move || {
        let id = model.get();
        menu.with(|m| m.find(&id).map(|c| c.facts.name.clone()))
            .unwrap_or(if id.is_empty() {
                "Choose a model".into()
            } else {
                id
            })
    };
    view! {
        <div class="model-picker" data-testid="model-picker" data-model=move || model.get()>
            <button
                type="button"
                class="model-picker__button"
                aria-haspopup="dialog"
                aria-expanded=move || open.get().to_string()
                data-testid="model-picker-button"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="model-picker__current">{current_name}</span>
                <span class="model-picker__caret" aria-hidden="true">
                    "▾"
                </span>
            </button>
            <Show when=move || open.get()>
                <div class="model-picker__backdrop" on:click=move |_| close()></div>
                <div
                    class="model-picker__popover"
                    role="dialog"
                    aria-label="Choose a model"
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            close();
                        }
                    }
                >
                    <input
                        type="search"
                        class="model-picker__search"
                        placeholder="Search models"
                        aria-label="Search models"
                        data-testid="model-search"
                        node_ref=search
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                let first = menu
                                    .with(|m| {
                                        m.sections(&query.get_untracked())
                                            .first()
                                            .and_then(|s| s.choices.first())
                                            .map(|c| c.id().to_string())
                                    });
                                if let Some(id) = first {
                                    pick(id);
                                }
                            }
                        }
                    />
                    <div class="model-picker__list">
                        {move || {
                            let q = query.get();
                            menu.with(|m| {
                                let sections = m.sections(&q);
                                if sections.is_empty() {
                                    return view! {
                                        <p class="muted model-picker__empty">"No model matches"</p>
                                    }
                                        .into_any();
                                }
                                sections
                                    .into_iter()
                                    .map(|section| {
                                        let rows = section
                                            .choices
                                            .into_iter()
                                            .map(|c| row(c, m.is_pinned(c.id()), model, pick, pin))
                                            .collect_view();
                                        view! {
                                            <section class="model-picker__section">
                                                <h3 class="model-picker__group">{section.title}</h3>
                                                <ul class="model-picker__rows">{rows}</ul>
                                            </section>
                                        }
                                    })
                                    .collect_view()
                                    .into_any()
                            })
                        }}
                    </div>
                </div>
            </Show>
        </div>
    }
}

/// One model: choose it, or pin it.
fn row(
    choice: &ModelChoice,
    pinned: bool,
    model: RwSignal<String>,
    pick: impl Fn(String) + Copy + 'static,
    pin: PinAction,
) -> impl IntoView {
    let id = choice.id().to_string();
    let name = choice.facts.name.clone();
    let details = [
        choice.facts.context_label(),
        Some(choice.facts.price.map_or("price unknown".into(), |p| {
            format!("{} per M tokens", p.label())
        })),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let (chosen_id, pin_id, attribute) = (id.clone(), id.clone(), id.clone());
    let selected = move || model.with(|m| *m == chosen_id);
    view! {
        <li class="model-picker__row" data-testid="model-option" data-model=attribute>
            <button
                type="button"
                class="model-picker__choose"
                aria-current=move || selected().then_some("true")
                on:click=move |_| pick(id.clone())
            >
                <span class="model-picker__name">{name.clone()}</span>
                <span class="model-picker__details">{details}</span>
            </button>
            <button
                type="button"
                class="model-picker__pin"
                aria-pressed=pinned.to_string()
                aria-label=format!("{} {name}", if pinned { "Unpin" } else { "Pin" })
                title=if pinned { "Unpin" } else { "Pin to the top" }
                data-testid="model-pin"
                on:click=move |_| {
                    pin.dispatch((pin_id.clone(), !pinned));
                }
            >
                {if pinned { "★" } else { "☆" }}
            </button>
        </li>
    }
}

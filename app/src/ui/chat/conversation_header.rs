//! The open conversation's header: its title (renamed in place), what its
//! answers cost, Rename and Delete, and the model picker; and the notice when
//! its model is no longer offered.

use leptos::prelude::*;

use super::model_picker::ModelPicker;
use super::SidebarVersion;
use crate::api::conversations::{delete_conversation, rename_conversation};
use crate::error::AppError;
use crate::model::model_menu::ModelMenu;
use crate::ui::confirm::DeleteButton;
use crate::ui::form::capitalize;
use crate::ui::toast::use_toasts;

#[component]
pub fn ConversationHeader(
    id: StoredValue<String>,
    title: RwSignal<String>,
    model: RwSignal<String>,
    /// The conversation's spend so far.
    #[prop(into)]
    cost: Signal<f64>,
    models: Resource<Result<ModelMenu, AppError>>,
    error: RwSignal<Option<String>>,
    /// Stores the model picked.
    on_pick: Callback<()>,
) -> impl IntoView {
    let sidebar = use_context::<SidebarVersion>();
    let toasts = use_toasts();
    let navigate = leptos_router::hooks::use_navigate();
    let renaming = RwSignal::new(false);
    let rename = Action::new(move |new_title: &String| {
        rename_conversation(id.get_value(), new_title.clone())
    });
    Effect::new(move || match rename.value().get() {
        Some(Ok(summary)) => {
            title.set(summary.title);
            renaming.set(false);
            toasts.success("Conversation renamed");
            if let Some(s) = sidebar {
                s.bump();
            }
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });
    let delete = Action::new(move |_: &()| delete_conversation(id.get_value()));
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => {
            if let Some(s) = sidebar {
                s.bump();
            }
            toasts.success("Conversation deleted");
            navigate("/", Default::default());
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });

    view! {
        <header class="conversation__header">
            {move || {
                if renaming.get() {
                    view! {
                        <form class="conversation__rename" on:submit=move |ev| ev.prevent_default()>
                            <input
                                id="rename-input"
                                aria-label="Title"
                                maxlength="200"
                                prop:value=move || title.get_untracked()
                                on:keydown=move |ev| {
                                    if ev.key() == "Enter" {
                                        ev.prevent_default();
                                        rename.dispatch(event_target_value(&ev));
                                    } else if ev.key() == "Escape" {
                                        renaming.set(false);
                                    }
                                }
                            />
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <h1 class="conversation__title" data-testid="conversation-title">
                            {move || title.get()}
                        </h1>
                    }
                        .into_any()
                }
            }}
            <span
                class="conversation__cost muted"
                data-testid="conversation-cost"
                title="Cost of the answers in this conversation"
            >
                {move || format!("${:.4}", cost.get())}
            </span> <div class="conversation__tools">
                <button class="button button--quiet" on:click=move |_| renaming.set(true)>
                    "Rename"
                </button>
                <DeleteButton
                    pending=delete.pending()
                    on_confirm=Callback::new(move |_| {
                        delete.dispatch(());
                    })
                />
            </div> <div class="conversation__model">
                <Transition fallback=|| {
                    view! {
                        <button class="model-picker__button" disabled>
                            "Loading models…"
                        </button>
                    }
                }>
                    {move || {
                        models
                            .get()
                            .map(|result| {
                                let menu = result.unwrap_or_default();
                                if menu.choices.is_empty() {
                                    return view! {
                                        <a class="button button--quiet" href="/settings/keys">
                                            "Add an API key to choose a model"
                                        </a>
                                    }
                                        .into_any();
                                }
                                if model.get_untracked().is_empty() {
                                    model.set(menu.initial().unwrap_or_default().to_string());
                                }
                                view! {
                                    <ModelPicker
                                        menu
                                        model
                                        on_pick=Callback::new(move |_| on_pick.run(()))
                                    />
                                }
                                    .into_any()
                            })
                    }}
                </Transition>
            </div>
        </header>
        <Transition>
            {move || {
                models
                    .get()
                    .and_then(Result::ok)
                    .map(|menu| {
                        view! {
                            <Withdrawn menu model on_use=Callback::new(move |_| on_pick.run(())) />
                        }
                    })
            }}
        </Transition>
    }
}

/// The conversation's model is no longer offered to the user (withdrawn for
/// their role, its key deleted, no longer listed): say so, and offer the
/// model new conversations start with.
#[component]
fn Withdrawn(menu: ModelMenu, model: RwSignal<String>, on_use: Callback<String>) -> impl IntoView {
    let menu = StoredValue::new(menu);
    move || {
        let current = model.get();
        let offered = menu.with_value(|m| m.find(&current).is_some());
        if current.is_empty() || offered {
            return None;
        }
        let replacement = menu.with_value(|m| {
            m.initial()
                .and_then(|id| m.find(id))
                .map(|c| (c.id().to_string(), c.facts.name.clone()))
        });
        Some(view! {
            <p class="conversation__withdrawn" role="status" data-testid="model-withdrawn">
                {format!("{current} is no longer available to you. ")}
                {replacement
                    .map(|(id, name)| {
                        view! {
                            <button
                                type="button"
                                class="button button--quiet"
                                data-testid="use-default-model"
                                on:click=move |_| {
                                    model.set(id.clone());
                                    on_use.run(id.clone());
                                }
                            >
                                {format!("Use {name}")}
                            </button>
                        }
                    })}
            </p>
        })
    }
}

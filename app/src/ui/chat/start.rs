//! The start page: pick a model (or a template) and ask the first question.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::composer::Composer;
use super::model_picker::ModelPicker;
use super::SidebarVersion;
use crate::api::chat::start_conversation;
use crate::api::models::available_models;
use crate::api::templates::list_templates;
use crate::model::model_menu::ModelMenu;
use crate::model::template::TemplateView;
use crate::ui::form::capitalize;

const EXAMPLES: [&str; 4] = [
    "Explain the difference between a process and a thread, with an analogy.",
    "Write a Python function that checks whether a string is a palindrome, with tests.",
    "Draft a friendly email asking my team to review a design document by Friday.",
    "Give me a 3-day plan to learn the basics of SQL.",
];

/// The start page: pick a model and ask, or start from an example. Without
/// a key (or without models) it says what to do instead.
#[component]
pub fn StartChat(name: String) -> impl IntoView {
    let models = Resource::new(|| (), |_| available_models());
    view! {
        <div class="start">
            <h1 class="start__title">{format!("Hello, {name}")}</h1>
            <Transition fallback=|| {
                view! {
                    <p class="muted" aria-busy="true">
                        "Loading your models…"
                    </p>
                }
            }>
                {move || {
                    models
                        .get()
                        .map(|result| match result {
                            Ok(menu) if menu.choices.is_empty() => view! { <NoModels /> }.into_any(),
                            Ok(menu) => view! { <Ask menu /> }.into_any(),
                            Err(e) => {
                                view! {
                                    <p class="form__error" role="alert">
                                        {capitalize(&e.to_string())}
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </div>
    }
}

#[component]
fn NoModels() -> impl IntoView {
    view! {
        <div class="card start__setup" data-testid="no-models">
            <h2>"Add an API key to start chatting"</h2>
            <p>
                "VibeBot talks to Anthropic Claude, OpenAI and OpenAI-compatible servers with "
                <strong>"your own"</strong>
                " API key. It is stored encrypted on this server and never sent to your browser."
            </p>
            <p class="muted">
                "The models you can pick are the ones your keys open; a key for an "
                "OpenAI-compatible endpoint offers the models that endpoint lists."
            </p>
            <a class="button" href="/settings/keys">
                "Add an API key"
            </a>
        </div>
    }
}

#[component]
fn Ask(menu: ModelMenu) -> impl IntoView {
    let model = RwSignal::new(menu.initial().unwrap_or_default().to_string());
    let template = RwSignal::new(None::<TemplateView>);
    let sidebar = use_context::<SidebarVersion>();
    let navigate = use_navigate();
    // A message the server refused goes back into the box.
    let refused = RwSignal::new(None::<String>);
    // A new conversation with the chosen model (and template) and the
    // question in it, stored together or not at all.
    let start = Action::new(move |text: &String| {
        let (text, chosen) = (text.clone(), model.get_untracked());
        let template_id = template.get_untracked().map(|t| t.id);
        async move {
            let started = start_conversation(Some(chosen), template_id, text.clone()).await;
            if started.is_err() {
                refused.set(Some(text));
            }
            started
        }
    });
    Effect::new(move || {
        if let Some(Ok(sent)) = start.value().get() {
            if let Some(s) = sidebar {
                s.bump();
            }
            navigate(&format!("/c/{}", sent.conversation_id), Default::default());
        }
    });
    let model_ids: Vec<String> = menu.choices.iter().map(|c| c.id().to_string()).collect();
    view! {
        <div class="start__model">
            <span>"Model"</span>
            <ModelPicker menu model />
        </div>
        <TemplatePicker template model model_ids />
        <ul class="start__examples" aria-label="Example prompts">
            {EXAMPLES
                .into_iter()
                .map(|example| {
                    view! {
                        <li>
                            <button
                                type="button"
                                class="start__example"
                                disabled=start.pending()
                                on:click=move |_| {
                                    start.dispatch(example.to_string());
                                }
                            >
                                {example}
                            </button>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {move || match start.value().get() {
            Some(Err(e)) => {
                Some(
                    view! {
                        <p class="form__error" role="alert">
                            {capitalize(&e.to_string())}
                        </p>
                    },
                )
            }
            _ => None,
        }}
        <Composer
            on_send=Callback::new(move |text: String| {
                start.dispatch(text);
            })
            on_stop=Callback::new(|_| {})
            streaming=Signal::from(false)
            sending=start.pending().into()
            prefill=refused.into()
        />
    }
}

/// "Start from a template": picking one chooses its model (when the user has
/// a key for it) and shows what it brings; the conversation is created with
/// its system prompt and generation settings.
#[component]
fn TemplatePicker(
    template: RwSignal<Option<TemplateView>>,
    model: RwSignal<String>,
    model_ids: Vec<String>,
) -> impl IntoView {
    let templates = Resource::new(|| (), |_| list_templates());
    let model_ids = StoredValue::new(model_ids);
    view! {
        <Transition>
            {move || {
                let list = templates.get().and_then(Result::ok).unwrap_or_default();
                (!list.is_empty())
                    .then(|| {
                        let options = list.clone();
                        view! {
                            <label class="start__model">
                                "Template "
                                <select
                                    data-testid="template-picker"
                                    on:change=move |ev| {
                                        let id = event_target_value(&ev);
                                        let chosen = list.iter().find(|t| t.id == id).cloned();
                                        if let Some(m) = chosen
                                            .as_ref()
                                            .and_then(|t| t.model.clone())
                                        {
                                            if model_ids.with_value(|ids| ids.contains(&m)) {
                                                model.set(m);
                                            }
                                        }
                                        template.set(chosen);
                                    }
                                >
                                    <option value="">"None"</option>
                                    {options
                                        .into_iter()
                                        .map(|t| {
                                            let label = if t.is_public {
                                                format!("{} (shared)", t.name)
                                            } else {
                                                t.name.clone()
                                            };
                                            view! { <option value=t.id>{label}</option> }
                                        })
                                        .collect_view()}
                                </select>
                            </label>
                        }
                    })
            }}
        </Transition>
        {move || {
            template
                .get()
                .map(|t| {
                    view! {
                        <p class="muted start__template" data-testid="template-summary">
                            {t.settings.summary()}
                            {t.system_prompt.map(|p| format!(" · System prompt: {}", preview(&p)))}
                        </p>
                    }
                })
        }}
    }
}

/// The first 80 characters of a text, on one line.
fn preview(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

//! The conversation's settings below its header: system prompt, generation
//! settings (temperature, maximum output, top-p) and "save as template".
//! Its summary line shows the generation settings in force.

use leptos::prelude::*;

use crate::api::conversations::{update_conversation_settings, update_generation_settings};
use crate::api::templates::save_template;
use crate::model::generation::{GenerationSettings, Sampling};
use crate::model::model_facts::ModelFacts;
use crate::model::number::group_thousands;
use crate::model::ApiKeyProvider;
use crate::model::UserRole;
use crate::ui::auth::use_auth;
use crate::ui::form::FormError;
use crate::ui::toast::use_toasts;

#[component]
pub fn SettingsPanel(
    id: StoredValue<String>,
    model: RwSignal<String>,
    system_prompt: RwSignal<String>,
    settings: RwSignal<GenerationSettings>,
) -> impl IntoView {
    let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let temperature = RwSignal::new(text(settings.get_untracked().temperature));
    let max_tokens = RwSignal::new(
        settings
            .get_untracked()
            .max_output_tokens
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    let top_p = RwSignal::new(text(settings.get_untracked().top_p));

    // System prompt and generation settings are saved together.
    let save = Action::new(move |_: &()| {
        let chosen = Some(model.get_untracked()).filter(|m| !m.is_empty());
        let prompt = system_prompt.get_untracked();
        let (t, n, p) = (
            temperature.get_untracked(),
            max_tokens.get_untracked(),
            top_p.get_untracked(),
        );
        async move {
            update_conversation_settings(id.get_value(), chosen, Some(prompt)).await?;
            update_generation_settings(id.get_value(), t, n, p).await
        }
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = save.value().get() {
            settings.set(saved);
        }
    });
    let note = move || match save.value().get() {
        Some(Ok(_)) => Some("Saved: applies to the next answer."),
        _ => None,
    };

    view! {
        <details class="conversation__system" data-testid="conversation-settings">
            <summary>
                "System prompt & settings · "
                <span data-testid="generation-summary">{move || settings.get().summary()}</span>
            </summary>
            <textarea
                aria-label="System prompt"
                rows="3"
                placeholder="e.g. You are a concise assistant."
                prop:value=move || system_prompt.get()
                on:input=move |ev| system_prompt.set(event_target_value(&ev))
            ></textarea>
            <div class="generation">
                <NumberField label="Temperature" value=temperature step="0.1" max="2" />
                <NumberField label="Max output tokens" value=max_tokens step="1" max="" />
                <NumberField label="Top-p" value=top_p step="0.05" max="1" />
            </div>
            <p class="form__help" data-testid="generation-hint">
                {move || model.with(|m| hint(m))}
            </p>
            <div class="conversation__save">
                <button
                    class="button button--quiet"
                    disabled=save.pending()
                    on:click=move |_| {
                        save.dispatch(());
                    }
                >
                    "Save settings"
                </button>
                <span class="form__success" role="status">
                    {note}
                </span>
            </div>
            <FormError result=save.value().into() />
            <SaveAsTemplate id />
        </details>
    }
    // A type-erased view: the conversation page's view type is deep enough
    // for the release WASM build to hit the compiler's recursion limit.
    .into_any()
}

/// A number field; empty means "the default".
#[component]
fn NumberField(
    label: &'static str,
    value: RwSignal<String>,
    step: &'static str,
    max: &'static str,
) -> impl IntoView {
    view! {
        <label class="generation__field">
            {label}
            <input
                type="number"
                inputmode="decimal"
                step=step
                min="0"
                max=(!max.is_empty()).then_some(max)
                placeholder="default"
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

/// What the chosen model accepts, in a sentence.
fn hint(model: &str) -> String {
    // The catalogue's facts (or an unknown model's defaults, by its id).
    let facts = ModelFacts::of(model, ApiKeyProvider::Openai);
    let name = if facts.in_catalogue {
        facts.name.as_str()
    } else {
        "This model"
    };
    let sampling = match facts.sampling {
        Sampling::Both { max_temperature } => {
            format!("temperature 0–{max_temperature} and top-p 0–1")
        }
        Sampling::EitherOne => "temperature 0–1 or top-p, not both".into(),
        Sampling::Fixed => "no temperature or top-p (it samples its own way)".into(),
    };
    let ceiling = group_thousands(u64::from(facts.max_output_tokens));
    format!(
        "{name} takes {sampling}, and up to {ceiling} output tokens. Empty fields use the defaults."
    )
}

/// Saves the conversation's model, system prompt and generation settings as
/// a named template; admins may share it with everyone.
#[component]
fn SaveAsTemplate(id: StoredValue<String>) -> impl IntoView {
    let auth = use_auth();
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let public = RwSignal::new(false);
    let save = Action::new(move |_: &()| {
        let (n, p) = (name.get_untracked(), public.get_untracked());
        async move { save_template(id.get_value(), n, p).await }
    });
    Effect::new(move || {
        if let Some(Ok(template)) = save.value().get() {
            name.set(String::new());
            toasts.success(format!("Template “{}” saved", template.name));
        }
    });
    let is_admin = move || {
        auth.current()
            .is_some_and(|account| account.role == UserRole::Admin)
    };
    view! {
        <form
            class="save-template"
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(());
            }
        >
            <label class="generation__field save-template__name">
                "Save as template"
                <input
                    maxlength="100"
                    placeholder="Template name"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <Transition>
                {move || {
                    is_admin()
                        .then(|| {
                            view! {
                                <label class="form__check">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || public.get()
                                        on:change=move |ev| public.set(event_target_checked(&ev))
                                    />
                                    "Share with everyone"
                                </label>
                            }
                        })
                }}
            </Transition>
            <button
                class="button button--quiet"
                type="submit"
                disabled=move || save.pending().get() || name.with(|n| n.trim().is_empty())
            >
                "Save template"
            </button>
            <FormError result=save.value().into() />
        </form>
    }
}

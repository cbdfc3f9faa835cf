//! `/settings/keys`: the user's API keys: add, test, rename, replace, make
//! default, delete; never shown again once stored.

use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::RequireSignedIn;
use super::confirm::DeleteButton;
use super::form::{capitalize, FormError, FormSuccess};
use crate::api::keys::{
    list_keys, AddKey, DeleteKey, RenameKey, ReplaceKey, SetDefaultKey, TestKey,
};
use crate::error::AppError;
use crate::model::{ApiKeyProvider, ApiKeyView};

/// The actions a key row can take; shared so that any of them refreshes the list.
#[derive(Clone, Copy)]
struct KeyActions {
    rename: ServerAction<RenameKey>,
    replace: ServerAction<ReplaceKey>,
    set_default: ServerAction<SetDefaultKey>,
    delete: ServerAction<DeleteKey>,
}

/// Settings → API keys: list, add, rename, replace, make default, test, delete.
#[component]
pub fn KeysPage() -> impl IntoView {
    let add = ServerAction::<AddKey>::new();
    let actions = KeyActions {
        rename: ServerAction::new(),
        replace: ServerAction::new(),
        set_default: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let keys = Resource::new(
        move || {
            (
                add.version().get(),
                actions.rename.version().get(),
                actions.replace.version().get(),
                actions.set_default.version().get(),
                actions.delete.version().get(),
            )
        },
        |_| list_keys(),
    );
    let add_result = Signal::derive(move || add.value().get());
    // The latest failure of any row action, shown above the list.
    let row_error = Signal::derive(move || {
        let failures: [Option<Result<(), AppError>>; 4] = [
            actions.rename.value().get().map(|r| r.map(|_| ())),
            actions.replace.value().get().map(|r| r.map(|_| ())),
            actions.set_default.value().get(),
            actions.delete.value().get(),
        ];
        failures.into_iter().flatten().find(Result::is_err)
    });
    let provider = RwSignal::new(String::from("CLAUDE"));

    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings">
            <h1>"API keys"</h1>
            <p class="muted">
                "Your provider keys are encrypted on this server and never sent back to your browser: "
                "you see only their last characters."
            </p>
            <section class="card" aria-labelledby="keys-heading">
                <h2 id="keys-heading">"Your keys"</h2>
                <FormError result=row_error />
                <Transition fallback=|| {
                    view! { <p class="muted">"Loading keys…"</p> }
                }>
                    {move || {
                        keys.get()
                            .map(|result| match result {
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <p class="muted" data-testid="no-keys">
                                            "No keys yet. Add one below to start chatting."
                                        </p>
                                    }
                                        .into_any()
                                }
                                Ok(list) => {
                                    view! {
                                        <ul class="key-list">
                                            {list
                                                .into_iter()
                                                .map(|key| view! { <KeyRow key actions /> })
                                                .collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
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
            </section>

            <section class="card" aria-labelledby="add-heading">
                <h2 id="add-heading">"Add a key"</h2>
                <ActionForm action=add attr:class="form">
                    <label class="form__field">
                        "Provider"
                        <select
                            name="provider"
                            on:change=move |ev| provider.set(event_target_value(&ev))
                        >
                            <option value="CLAUDE">{ApiKeyProvider::Claude.label()}</option>
                            <option value="OPENAI">{ApiKeyProvider::Openai.label()}</option>
                        </select>
                    </label>
                    <label class="form__field">
                        <span>"Name " <span class="form__optional">"(optional)"</span></span>
                        <input
                            type="text"
                            name="name"
                            maxlength="100"
                            placeholder="Work, personal…"
                        />
                    </label>
                    <label class="form__field">
                        "API key"
                        <input
                            type="password"
                            name="key"
                            required
                            autocomplete="off"
                            spellcheck="false"
                            placeholder="sk-…"
                        />
                    </label>
                    <label class="form__field" class:hidden=move || provider.get() != "OPENAI">
                        <span>
                            "Base URL "
                            <span class="form__optional">
                                "(optional, for OpenAI-compatible servers)"
                            </span>
                        </span>
                        <input
                            type="url"
                            name="base_url"
                            placeholder="https://openrouter.ai/api/v1"
                            disabled=move || provider.get() != "OPENAI"
                        />
                    </label>
                    <FormError result=add_result />
                    <FormSuccess result=add_result message="Key saved." />
                    <button class="button" type="submit" disabled=add.pending()>
                        {move || if add.pending().get() { "Saving…" } else { "Save key" }}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}

/// What the key's provider listed: "12 chat models (listed 2026-12-04 17:20
/// UTC)", and why the last ask failed, if it did.
fn models_line(key: &ApiKeyView) -> String {
    let listed = match (key.listed_models, key.listed_at) {
        (Some(n), Some(at)) => Some(format!(
            "{n} chat model{} (listed {} UTC)",
            if n == 1 { "" } else { "s" },
            at.format("%Y-%m-%d %H:%M")
        )),
        _ => None,
    };
    match (listed, &key.list_error) {
        (Some(listed), Some(error)) => {
            format!("{listed}; asking again failed, so that list is kept: {error}")
        }
        (Some(listed), None) => listed,
        (None, Some(error)) => format!("Listing its models failed: {error}"),
        (None, None) => "Models not listed yet".to_string(),
    }
}

/// One key: what it is, and what can be done with it.
#[component]
fn KeyRow(key: ApiKeyView, actions: KeyActions) -> impl IntoView {
    let test = ServerAction::<TestKey>::new();
    let id = key.id.clone();
    let (rename_id, replace_id) = (key.id.clone(), key.id.clone());
    let label = key
        .name
        .clone()
        .unwrap_or_else(|| key.provider.label().to_string());

    view! {
        <li class="key" data-testid="key-row">
            <div class="key__summary">
                <strong class="key__name">{label}</strong>
                <span class="badge">{key.provider.label()}</span>
                {key
                    .is_default
                    .then(|| view! { <span class="badge badge--accent">"Default"</span> })}
            </div>
            <div class="key__details muted">
                <code data-testid="key-hint">{key.hint.clone()}</code>
                {key.base_url.clone().map(|url| view! { <span>" · " {url}</span> })}
                <span>{format!(" · added {}", key.created_at.format("%Y-%m-%d"))}</span>
                {(key.updated_at != key.created_at)
                    .then(|| {
                        view! {
                            <span>
                                {format!(" · updated {}", key.updated_at.format("%Y-%m-%d"))}
                            </span>
                        }
                    })}
            </div>
            <p class="key__models muted" data-testid="key-models">
                {models_line(&key)}
            </p>
            <div class="key__actions">
                <button
                    class="button button--quiet"
                    disabled=test.pending()
                    on:click={
                        let id = id.clone();
                        move |_| {
                            test.dispatch(TestKey { id: id.clone() });
                        }
                    }
                >
                    {move || if test.pending().get() { "Testing…" } else { "Test" }}
                </button>
                {(!key.is_default)
                    .then(|| {
                        let id = id.clone();
                        view! {
                            <button
                                class="button button--quiet"
                                on:click=move |_| {
                                    actions.set_default.dispatch(SetDefaultKey { id: id.clone() });
                                }
                            >
                                "Make default"
                            </button>
                        }
                    })}
                <DeleteButton
                    question=Signal::stored("Delete this key for good?".to_string())
                    confirm="Yes, delete"
                    pending=actions.delete.pending()
                    on_confirm=Callback::new(move |_| {
                        actions.delete.dispatch(DeleteKey { id: id.clone() });
                    })
                />
            </div>
            <p class="key__test" role="status" data-testid="key-test-result">
                {move || match test.value().get() {
                    None => String::new(),
                    Some(Ok(message)) => capitalize(&message),
                    Some(Err(e)) => capitalize(&e.to_string()),
                }}
            </p>
            <details class="key__edit">
                <summary>"Rename or replace"</summary>
                <ActionForm action=actions.rename attr:class="form form--inline">
                    <input type="hidden" name="id" value=rename_id />
                    <label class="form__field">
                        "Name"
                        <input
                            type="text"
                            name="name"
                            maxlength="100"
                            value=key.name.clone().unwrap_or_default()
                        />
                    </label>
                    <button class="button button--quiet" type="submit">
                        "Rename"
                    </button>
                </ActionForm>
                <ActionForm action=actions.replace attr:class="form form--inline">
                    <input type="hidden" name="id" value=replace_id />
                    <label class="form__field">
                        "New secret"
                        <input
                            type="password"
                            name="key"
                            required
                            autocomplete="off"
                            spellcheck="false"
                        />
                    </label>
                    <button class="button button--quiet" type="submit">
                        "Replace secret"
                    </button>
                </ActionForm>
            </details>
        </li>
    }
}

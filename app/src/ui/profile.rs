//! `/settings/profile`: name, email, password, the model new chats start
//! with, and deleting the account.

use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::{use_auth, RequireSignedIn};
use super::chat::ModelPicker;
use super::form::{capitalize, error_view, loading, FormError, FormSuccess};
use super::toast::use_toasts;
use crate::api::models::{available_models, set_default_model};
use crate::api::profile::{ChangeEmail, ChangePassword, DeleteAccount, UpdateName};
use crate::model::account::PASSWORD_MIN_CHARS;

/// The signed-in user's own account settings.
/// `/settings` and `/profile`, where people look for their settings: a
/// redirect (a real 302 on the server) to the profile page, whose header leads
/// to the other settings.
#[component]
pub fn ToProfile() -> impl IntoView {
    view! { <leptos_router::components::Redirect path="/settings/profile" /> }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let auth = use_auth();
    let update_name = ServerAction::<UpdateName>::new();
    let change_email = ServerAction::<ChangeEmail>::new();
    let change_password = ServerAction::<ChangePassword>::new();
    let delete_account = ServerAction::<DeleteAccount>::new();

    // Name and email show in the header: reload the account after a change.
    Effect::watch(
        move || {
            (
                update_name.version().get(),
                change_email.version().get(),
                change_password.version().get(),
            )
        },
        move |_, _, _| auth.account.refetch(),
        false,
    );

    let name_result = Signal::derive(move || update_name.value().get());
    let email_result = Signal::derive(move || change_email.value().get());
    let password_result = Signal::derive(move || change_password.value().get());
    let delete_result = Signal::derive(move || delete_account.value().get());

    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings">
            <h1>"Profile"</h1>
            <Transition fallback=loading>
                {move || {
                    auth.current()
                        .map(|account| {
                            view! {
                                {account
                                    .must_change_password
                                    .then(|| {
                                        view! {
                                            <p
                                                class="notice"
                                                role="alert"
                                                data-testid="must-change-password"
                                            >
                                                "An administrator created your account with a one-time password. "
                                                "Choose your own under Password below to start using VibeBot."
                                            </p>
                                        }
                                    })}
                                <section class="card" aria-labelledby="name-heading">
                                    <h2 id="name-heading">"Display name"</h2>
                                    <ActionForm action=update_name attr:class="form">
                                        <label class="form__field">
                                            "Name"
                                            <input
                                                type="text"
                                                name="name"
                                                maxlength="100"
                                                autocomplete="name"
                                                value=account.name.clone().unwrap_or_default()
                                            />
                                        </label>
                                        <FormError result=name_result />
                                        <FormSuccess result=name_result message="Name saved." />
                                        <button
                                            class="button"
                                            type="submit"
                                            disabled=update_name.pending()
                                        >
                                            "Save name"
                                        </button>
                                    </ActionForm>
                                </section>

                                <DefaultModelCard />
                                <section class="card" aria-labelledby="email-heading">
                                    <h2 id="email-heading">"Email"</h2>
                                    <p class="muted">
                                        "You sign in with " <strong>{account.email.clone()}</strong>
                                        "."
                                    </p>
                                    <ActionForm action=change_email attr:class="form">
                                        <label class="form__field">
                                            "New email"
                                            <input
                                                type="email"
                                                name="new_email"
                                                autocomplete="email"
                                                required
                                            />
                                        </label>
                                        <label class="form__field">
                                            "Current password"
                                            <input
                                                type="password"
                                                name="current_password"
                                                autocomplete="current-password"
                                                required
                                            />
                                        </label>
                                        <FormError result=email_result />
                                        <FormSuccess result=email_result message="Email changed." />
                                        <button
                                            class="button"
                                            type="submit"
                                            disabled=change_email.pending()
                                        >
                                            "Change email"
                                        </button>
                                    </ActionForm>
                                </section>
                            }
                        })
                }}
            </Transition>

            <section class="card" aria-labelledby="password-heading">
                <h2 id="password-heading">"Password"</h2>
                <p class="muted">"Changing it signs you out everywhere else."</p>
                <ActionForm action=change_password attr:class="form">
                    <label class="form__field">
                        "Current password"
                        <input
                            type="password"
                            name="current_password"
                            autocomplete="current-password"
                            required
                        />
                    </label>
                    <label class="form__field">
                        "New password"
                        <input
                            type="password"
                            name="new_password"
                            autocomplete="new-password"
                            required
                            minlength=PASSWORD_MIN_CHARS
                        />
                    </label>
                    <FormError result=password_result />
                    <FormSuccess
                        result=password_result
                        message="Password changed; other sessions were signed out."
                    />
                    <button class="button" type="submit" disabled=change_password.pending()>
                        "Change password"
                    </button>
                </ActionForm>
            </section>

            <section class="card card--danger" aria-labelledby="delete-heading">
                <h2 id="delete-heading">"Delete account"</h2>
                <p>
                    "This deletes your account, your API keys and all your conversations. It cannot be undone."
                </p>
                <ActionForm action=delete_account attr:class="form">
                    <label class="form__field">
                        "Current password"
                        <input
                            type="password"
                            name="current_password"
                            autocomplete="current-password"
                            required
                        />
                    </label>
                    <label class="form__check">
                        <input type="checkbox" required />
                        "I understand that this cannot be undone"
                    </label>
                    <FormError result=delete_result />
                    <button
                        class="button button--danger"
                        type="submit"
                        disabled=delete_account.pending()
                    >
                        "Delete my account"
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}

/// The model new chats start with (the picker's list, saved at each pick).
#[component]
fn DefaultModelCard() -> impl IntoView {
    let menu = Resource::new(|| (), |_| available_models());
    let toasts = use_toasts();
    let save = Callback::new(move |id: String| {
        leptos::task::spawn_local(async move {
            match set_default_model(id).await {
                Ok(()) => toasts.success("Default model saved"),
                Err(e) => toasts.error(capitalize(&e.to_string())),
            }
        });
    });
    view! {
        <section class="card" aria-labelledby="default-model-heading">
            <h2 id="default-model-heading">"Default model"</h2>
            <p class="muted">
                "New chats start with it; without one, with your role's default, your first pinned model or the one you used last."
            </p>
            <Transition fallback=|| {
                view! { <p class="muted">"Loading your models…"</p> }
            }>
                {move || {
                    menu
                        .get()
                        .map(|result| match result {
                            Ok(menu) if !menu.choices.is_empty() => {
                                let model = RwSignal::new(
                                    menu.default_model.clone().unwrap_or_default(),
                                );
                                view! { <ModelPicker menu model on_pick=save /> }.into_any()
                            }
                            Ok(_) => {
                                view! { <p class="muted">"Add an API key to choose a model."</p> }
                                    .into_any()
                            }
                            Err(e) => error_view(&e),
                        })
                }}
            </Transition>
        </section>
    }
}

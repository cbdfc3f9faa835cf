//! The admin card that creates an account with a one-time password.

use leptos::prelude::*;

use crate::api::admin::admin_create_user;
use crate::ui::chat::CopyButton;
use crate::ui::form::capitalize;

/// A new account with a one-time password, shown once.
#[component]
pub fn CreateUserCard() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("USER".to_string());
    let create = Action::new(move |_: &()| {
        let (email, name, role) = (
            email.get_untracked(),
            name.get_untracked(),
            role.get_untracked(),
        );
        async move { admin_create_user(email, Some(name), role).await }
    });
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            email.set(String::new());
            name.set(String::new());
        }
    });
    view! {
        <section class="card" aria-labelledby="create-heading">
            <h2 id="create-heading">"Create an account"</h2>
            <form
                class="form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    create.dispatch(());
                }
            >
                <label class="form__field">
                    "Email"
                    <input
                        type="email"
                        required
                        prop:value=move || email.get()
                        on:input=move |ev| email.set(event_target_value(&ev))
                    />
                </label>
                <label class="form__field">
                    <span>"Name " <span class="form__optional">"(optional)"</span></span>
                    <input
                        type="text"
                        maxlength="100"
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                </label>
                <label class="form__field">
                    "Role"
                    <select
                        prop:value=move || role.get()
                        on:change=move |ev| role.set(event_target_value(&ev))
                    >
                        <option value="USER">"User"</option>
                        <option value="GUEST">"Guest (read-only)"</option>
                        <option value="ADMIN">"Administrator"</option>
                    </select>
                </label>
                <button class="button" type="submit" disabled=create.pending()>
                    "Create account"
                </button>
            </form>
            {move || {
                create
                    .value()
                    .get()
                    .map(|result| match result {
                        Ok(created) => {
                            view! {
                                <div class="notice" role="status" data-testid="created-user">
                                    <p>
                                        {format!(
                                            "Created {}. Their one-time password, shown only now:",
                                            created.user.email,
                                        )}
                                    </p>
                                    <p class="one-time-password" data-testid="one-time-password">
                                        {created.one_time_password.clone()}
                                    </p>
                                    <CopyButton
                                        text=Signal::stored(created.one_time_password)
                                        label="Copy the one-time password"
                                    />
                                    <p class="muted">
                                        "They must choose their own password when they first sign in."
                                    </p>
                                </div>
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
        </section>
    }
}

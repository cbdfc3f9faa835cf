//! The admin card that sets who may create an account.

use leptos::prelude::*;

use crate::api::admin::{admin_registration, admin_set_registration};
use crate::model::admin::Registration;
use crate::ui::form::{capitalize, error_view, loading};
use crate::ui::toast::use_toasts;

/// Who may create an account: open, invite only or closed.
#[component]
pub fn RegistrationCard() -> impl IntoView {
    let mode = Resource::new(|| (), |_| admin_registration());
    let set = Action::new(|mode: &String| admin_set_registration(mode.clone()));
    let toasts = use_toasts();
    Effect::new(move || match set.value().get() {
        Some(Ok(mode)) => toasts.success(format!("Registration: {}", mode.label())),
        Some(Err(e)) => toasts.error(capitalize(&e.to_string())),
        None => {}
    });
    view! {
        <section class="card" aria-labelledby="registration-heading">
            <h2 id="registration-heading">"Registration"</h2>
            <Transition fallback=loading>
                {move || {
                    mode
                        .get()
                        .map(|result| match result {
                            Ok(current) => {
                                view! {
                                    <label class="form__field">
                                        "Who may create an account"
                                        <select
                                            data-testid="registration-mode"
                                            on:change=move |ev| {
                                                set.dispatch(event_target_value(&ev));
                                            }
                                        >
                                            {Registration::ALL
                                                .into_iter()
                                                .map(|r| {
                                                    view! {
                                                        <option value=r.as_str() selected=r == current>
                                                            {r.label()}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    </label>
                                }
                                    .into_any()
                            }
                            Err(e) => error_view(&e),
                        })
                }}
            </Transition>
        </section>
    }
}

//! The admin's limits: defaults per role, and overrides per user (from the
//! user list). Empty fields mean "no limit" for a role and "the role's limit"
//! for a user; the server validates every value and says what is wrong.

use leptos::prelude::*;

use crate::api::limits::{
    admin_role_limits, admin_set_role_limits, admin_set_user_limits, admin_user_limits,
};
use crate::model::limits::Limits;
use crate::model::number::group_thousands;
use crate::model::UserRole;
use crate::ui::form::{error_view, loading, FormError};
use crate::ui::toast::use_toasts;

/// The four limit fields as typed.
#[derive(Clone, Copy)]
struct LimitInputs([RwSignal<String>; 4]);

const LABELS: [&str; 4] = [
    "Messages per minute",
    "Messages per day",
    "Output tokens per day",
    "Monthly spend (USD)",
];

impl LimitInputs {
    fn new() -> Self {
        LimitInputs(std::array::from_fn(|_| RwSignal::new(String::new())))
    }

    fn set(&self, limits: &Limits) {
        for (field, value) in self.0.iter().zip(shown(limits)) {
            field.set(value.unwrap_or_default());
        }
    }

    fn values(&self) -> [String; 4] {
        self.0.map(|f| f.get_untracked())
    }
}

/// Each limit as a field shows it (`None`: empty).
fn shown(limits: &Limits) -> [Option<String>; 4] {
    [
        limits.messages_per_minute.map(|n| n.to_string()),
        limits.messages_per_day.map(|n| n.to_string()),
        limits.output_tokens_per_day.map(|n| n.to_string()),
        limits.monthly_spend_usd.map(|n| format!("{n:.2}")),
    ]
}

/// A limit in words, for placeholders: "20", "$5.00", "none".
fn readable(limits: &Limits) -> [String; 4] {
    [
        limits
            .messages_per_minute
            .map(|n| group_thousands(u64::from(n))),
        limits
            .messages_per_day
            .map(|n| group_thousands(u64::from(n))),
        limits.output_tokens_per_day.map(group_thousands),
        limits.monthly_spend_usd.map(|n| format!("${n:.2}")),
    ]
    .map(|v| v.unwrap_or_else(|| "none".into()))
}

/// Four labelled inputs; `placeholders` say what an empty field means.
#[component]
fn LimitFields(inputs: LimitInputs, placeholders: [String; 4], context: String) -> impl IntoView {
    inputs
        .0
        .into_iter()
        .zip(LABELS)
        .zip(placeholders)
        .map(|((field, label), placeholder)| {
            view! {
                <label class="limits__field">
                    <span>{label}</span>
                    <input
                        inputmode="decimal"
                        aria-label=format!("{label} ({context})")
                        placeholder=placeholder
                        prop:value=move || field.get()
                        on:input=move |ev| field.set(event_target_value(&ev))
                    />
                </label>
            }
        })
        .collect_view()
}

/// Default limits of the roles that can send.
#[component]
pub fn RoleLimitsCard() -> impl IntoView {
    let roles = Resource::new(|| (), |_| admin_role_limits());
    view! {
        <section class="card" aria-labelledby="limits-heading">
            <h2 id="limits-heading">"Limits"</h2>
            <p class="muted">
                "Every answer asked for (send, regenerate, retry, edit) counts as a message. Days and months are UTC. "
                "Empty means no limit; set a user's own limits from the user list."
            </p>
            <Transition fallback=loading>
                {move || {
                    roles
                        .get()
                        .map(|result| match result {
                            Ok(all) => {
                                all.into_iter()
                                    .map(|r| {
                                        view! { <RoleLimitsForm role=r.role limits=r.limits /> }
                                    })
                                    .collect_view()
                                    .into_any()
                            }
                            Err(e) => error_view(&e),
                        })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn RoleLimitsForm(role: UserRole, limits: Limits) -> impl IntoView {
    let inputs = LimitInputs::new();
    inputs.set(&limits);
    let toasts = use_toasts();
    let save = Action::new(move |_: &()| {
        let [a, b, c, d] = inputs.values();
        admin_set_role_limits(role.as_str().to_string(), a, b, c, d)
    });
    Effect::new(move || {
        if let Some(Ok(saved)) = save.value().get() {
            inputs.set(&saved.limits);
            toasts.success(format!("Limits for {} saved", role_name(role)));
        }
    });
    view! {
        <form
            class="limits"
            data-testid=format!("role-limits-{}", role.as_str())
            on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(());
            }
        >
            <h3 class="limits__title">{role_name(role)}</h3>
            <LimitFields
                inputs
                placeholders=std::array::from_fn(|_| "no limit".to_string())
                context=role_name(role).to_string()
            />
            <button class="button button--quiet" type="submit" disabled=save.pending()>
                "Save"
            </button>
            <FormError result=save.value().into() />
        </form>
    }
}

/// "Limits" in a user's row: opens a popover with their overrides.
#[component]
pub fn UserLimitsButton(user_id: String, email: String) -> impl IntoView {
    let popover_id = format!("limits-{user_id}");
    let (opener, closer) = (popover_id.clone(), popover_id.clone());
    let id = StoredValue::new(user_id);
    let inputs = LimitInputs::new();
    let role_limits = RwSignal::new(None::<(UserRole, Limits)>);
    let load = Action::new(move |_: &()| admin_user_limits(id.get_value()));
    Effect::new(move || {
        if let Some(Ok(current)) = load.value().get() {
            inputs.set(&current.overrides);
            role_limits.set(Some((current.role, current.role_limits)));
        }
    });
    let save = Action::new(move |_: &()| {
        let [a, b, c, d] = inputs.values();
        admin_set_user_limits(id.get_value(), a, b, c, d)
    });
    let toasts = use_toasts();
    let title = format!("Limits for {email}");
    let who = email.clone();
    Effect::new(move || {
        if let Some(Ok(saved)) = save.value().get() {
            inputs.set(&saved.overrides);
            toasts.success(format!("Limits saved for {who}"));
        }
    });
    let placeholders = move || {
        role_limits.get().map_or_else(
            || std::array::from_fn(|_| String::new()),
            |(role, limits)| readable(&limits).map(|v| format!("{} default: {v}", role_name(role))),
        )
    };
    view! {
        <button
            class="button button--quiet button--small"
            popovertarget=opener
            on:click=move |_| {
                load.dispatch(());
            }
        >
            "Limits"
        </button>
        <div id=popover_id popover="auto" class="limits-popover" data-testid="user-limits">
            <form
                class="limits"
                on:submit=move |ev| {
                    ev.prevent_default();
                    save.dispatch(());
                }
            >
                <h3 class="limits__title">{title}</h3>
                <p class="muted">"Empty fields use the role's limit."</p>
                {move || {
                    view! {
                        <LimitFields inputs placeholders=placeholders() context=email.clone() />
                    }
                }}
                <div class="limits__actions">
                    <button class="button" type="submit" disabled=save.pending()>
                        "Save limits"
                    </button>
                    <button
                        class="button button--quiet"
                        type="button"
                        popovertarget=closer
                        popovertargetaction="hide"
                    >
                        "Close"
                    </button>
                </div>
                <FormError result=load.value().into() />
                <FormError result=save.value().into() />
            </form>
        </div>
    }
}

fn role_name(role: UserRole) -> &'static str {
    match role {
        UserRole::Admin => "Administrators",
        UserRole::User => "Users",
        UserRole::Guest => "Guests",
    }
}

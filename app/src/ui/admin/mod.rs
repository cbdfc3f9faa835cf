use std::time::Duration;

use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::RequireSignedIn;
use super::chat::CopyButton;
use super::form::capitalize;
use super::toast::use_toasts;
use crate::api::admin::{
    admin_create_user, admin_delete_user, admin_registration, admin_set_registration,
    admin_set_role, admin_users,
};
use crate::model::admin::{AdminUser, Registration};
use crate::model::UserRole;

/// `/admin`: registration mode, new accounts, the user list. The server
/// refuses every call from a non-admin; this page then says so.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings admin">
            <h1>"Administration"</h1>
            <RegistrationCard />
            <CreateUserCard />
            <UsersCard />
        </main>
    }
}

#[component]
fn RegistrationCard() -> impl IntoView {
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
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || mode.get().map(|result| match result {
                    Ok(current) => view! {
                        <label class="form__field">
                            "Who may create an account"
                            <select
                                data-testid="registration-mode"
                                on:change=move |ev| { set.dispatch(event_target_value(&ev)); }
                            >
                                {Registration::ALL.into_iter().map(|r| view! {
                                    <option value=r.as_str() selected=r == current>{r.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    }.into_any(),
                    Err(e) => view! { <p class="form__error" role="alert">{capitalize(&e.to_string())}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn CreateUserCard() -> impl IntoView {
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
            <form class="form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                <label class="form__field">
                    "Email"
                    <input type="email" required prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                </label>
                <label class="form__field">
                    <span>"Name " <span class="form__optional">"(optional)"</span></span>
                    <input type="text" maxlength="100" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label class="form__field">
                    "Role"
                    <select prop:value=move || role.get() on:change=move |ev| role.set(event_target_value(&ev))>
                        <option value="USER">"User"</option>
                        <option value="GUEST">"Guest (read-only)"</option>
                        <option value="ADMIN">"Administrator"</option>
                    </select>
                </label>
                <button class="button" type="submit" disabled=create.pending()>"Create account"</button>
            </form>
            {move || create.value().get().map(|result| match result {
                Ok(created) => view! {
                    <div class="notice" role="status" data-testid="created-user">
                        <p>{format!("Created {}. Their one-time password, shown only now:", created.user.email)}</p>
                        <p class="one-time-password" data-testid="one-time-password">{created.one_time_password.clone()}</p>
                        <CopyButton text=Signal::stored(created.one_time_password) label="Copy the one-time password" />
                        <p class="muted">"They must choose their own password when they first sign in."</p>
                    </div>
                }.into_any(),
                Err(e) => view! { <p class="form__error" role="alert">{capitalize(&e.to_string())}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn UsersCard() -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let page = Resource::new(
        move || (search.get(), version.get()),
        |(search, _)| admin_users(Some(search), None),
    );
    let more = RwSignal::new(Vec::<AdminUser>::new());
    let cursor = RwSignal::new(None::<String>);
    Effect::new(move || {
        if let Some(Ok(p)) = page.get() {
            more.set(Vec::new());
            cursor.set(p.next_cursor);
        }
    });
    let load_more = Action::new(move |_: &()| {
        let (search, after) = (search.get_untracked(), cursor.get_untracked());
        async move { admin_users(Some(search), after).await }
    });
    Effect::new(move || {
        if let Some(Ok(p)) = load_more.value().get() {
            more.update(|m| m.extend(p.items));
            cursor.set(p.next_cursor);
        }
    });
    let on_type = move |text: String| {
        typed.set(text.clone());
        set_timeout(
            move || {
                if typed.get_untracked() == text {
                    search.set(text);
                }
            },
            Duration::from_millis(250),
        );
    };
    let changed = move || version.update(|v| *v += 1);
    view! {
        <section class="card" aria-labelledby="users-heading">
            <h2 id="users-heading">"Users"</h2>
            <input
                type="search"
                class="sidebar__search"
                placeholder="Search by email or name"
                aria-label="Search users"
                prop:value=move || typed.get()
                on:input=move |ev| on_type(event_target_value(&ev))
            />
            <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
                {move || page.get().map(|result| match result {
                    Ok(p) => view! {
                        <div class="admin-table-wrap" tabindex="0" role="region" aria-label="Users table">
                            <table class="admin-table" data-testid="users">
                                <thead><tr><th>"Email"</th><th>"Name"</th><th>"Role"</th><th>"Created"</th><th>"Last active"</th><th><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|u| view! { <UserRow user=u on_change=Callback::new(move |_| changed()) /> }).collect_view()}
                                    {move || more.get().into_iter().map(|u| view! { <UserRow user=u on_change=Callback::new(move |_| changed()) /> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="form__error" role="alert">{capitalize(&e.to_string())}</p> }.into_any(),
                })}
            </Transition>
            {move || cursor.get().map(|_| view! {
                <button class="button button--quiet" disabled=load_more.pending() on:click=move |_| { load_more.dispatch(()); }>"Load more"</button>
            })}
        </section>
    }
}

#[component]
fn UserRow(user: AdminUser, on_change: Callback<()>) -> impl IntoView {
    let id = StoredValue::new(user.id.clone());
    let email = user.email.clone();
    let toasts = use_toasts();
    let set_role = Action::new(move |role: &String| admin_set_role(id.get_value(), role.clone()));
    Effect::new(move || match set_role.value().get() {
        Some(Ok(u)) => toasts.success(format!("{} is now {}", u.email, role_label(u.role))),
        Some(Err(e)) => {
            toasts.error(capitalize(&e.to_string()));
            on_change.run(());
        }
        None => {}
    });
    let confirming = RwSignal::new(false);
    let delete = Action::new(move |_: &()| admin_delete_user(id.get_value()));
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => {
            toasts.success("User deleted");
            on_change.run(());
        }
        Some(Err(e)) => toasts.error(capitalize(&e.to_string())),
        None => {}
    });
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    view! {
        <tr data-testid="user-row">
            <td>{user.email.clone()}{user.must_change_password.then(|| view! { " " <span class="badge">"one-time password"</span> })}</td>
            <td>{user.name.clone().unwrap_or_default()}</td>
            <td>
                <select aria-label=format!("Role of {email}") on:change=move |ev| { set_role.dispatch(event_target_value(&ev)); }>
                    {[UserRole::User, UserRole::Guest, UserRole::Admin].into_iter().map(|r| view! {
                        <option value=r.as_str() selected=r == user.role>{role_label(r)}</option>
                    }).collect_view()}
                </select>
            </td>
            <td>{day(user.created_at)}</td>
            <td>{user.last_active_at.map(day).unwrap_or_else(|| "never".into())}</td>
            <td>
                {move || if confirming.get() {
                    view! {
                        <span class="key__confirm" role="group" aria-label="Confirm deletion">
                            <button class="button button--danger button--small" disabled=delete.pending() on:click=move |_| { delete.dispatch(()); }>"Delete for good"</button>
                            <button class="button button--quiet button--small" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    view! { <button class="button button--quiet button--small" on:click=move |_| confirming.set(true)>"Delete"</button> }.into_any()
                }}
            </td>
        </tr>
    }
}

fn role_label(role: UserRole) -> &'static str {
    match role {
        UserRole::Admin => "Administrator",
        UserRole::User => "User",
        UserRole::Guest => "Guest",
    }
}

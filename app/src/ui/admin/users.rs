//! The admin's list of users: search, pages, role, limits and deletion.

use std::time::Duration;

use leptos::prelude::*;

use super::limits::UserLimitsButton;
use crate::api::admin::{admin_delete_user, admin_set_role, admin_users};
use crate::model::admin::AdminUser;
use crate::model::UserRole;
use crate::ui::confirm::DeleteButton;
use crate::ui::form::capitalize;
use crate::ui::toast::use_toasts;
use crate::ui::usage::usd_precise;

/// Every user (search, keyset pages), with role changes and deletion.
#[component]
pub fn UsersCard() -> impl IntoView {
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
            <Transition fallback=|| {
                view! { <p class="muted">"Loading users…"</p> }
            }>
                {move || {
                    page
                        .get()
                        .map(|result| match result {
                            Ok(p) => {
                                view! {
                                    <div
                                        class="admin-table-wrap"
                                        tabindex="0"
                                        role="region"
                                        aria-label="Users table"
                                    >
                                        <table class="admin-table" data-testid="users">
                                            <thead>
                                                <tr>
                                                    <th>"Email"</th>
                                                    <th>"Name"</th>
                                                    <th>"Role"</th>
                                                    <th>"Created"</th>
                                                    <th>"Last active"</th>
                                                    <th class="num" title="This UTC calendar month">
                                                        "Answers this month"
                                                    </th>
                                                    <th
                                                        class="num"
                                                        title="Input plus output tokens, this UTC calendar month"
                                                    >
                                                        "Tokens this month"
                                                    </th>
                                                    <th class="num" title="This UTC calendar month">
                                                        "Cost this month"
                                                    </th>
                                                    <th>
                                                        <span class="visually-hidden">"Actions"</span>
                                                    </th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {p
                                                    .items
                                                    .into_iter()
                                                    .map(|u| {
                                                        view! {
                                                            <UserRow
                                                                user=u
                                                                on_change=Callback::new(move |_| changed())
                                                            />
                                                        }
                                                    })
                                                    .collect_view()}
                                                {move || {
                                                    more
                                                        .get()
                                                        .into_iter()
                                                        .map(|u| {
                                                            view! {
                                                                <UserRow
                                                                    user=u
                                                                    on_change=Callback::new(move |_| changed())
                                                                />
                                                            }
                                                        })
                                                        .collect_view()
                                                }}
                                            </tbody>
                                        </table>
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
            </Transition>
            {move || {
                cursor
                    .get()
                    .map(|_| {
                        view! {
                            <button
                                class="button button--quiet"
                                disabled=load_more.pending()
                                on:click=move |_| {
                                    load_more.dispatch(());
                                }
                            >
                                "Load more"
                            </button>
                        }
                    })
            }}
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
    let limits = view! { <UserLimitsButton user_id=user.id.clone() email=user.email.clone() /> };
    view! {
        <tr data-testid="user-row">
            <td>
                {user.email.clone()}
                {user
                    .must_change_password
                    .then(|| {
                        view! {
                            " "
                            <span class="badge">"one-time password"</span>
                        }
                    })}
            </td>
            <td>{user.name.clone().unwrap_or_default()}</td>
            <td>
                <select
                    aria-label=format!("Role of {email}")
                    on:change=move |ev| {
                        set_role.dispatch(event_target_value(&ev));
                    }
                >
                    {[UserRole::User, UserRole::Guest, UserRole::Admin]
                        .into_iter()
                        .map(|r| {
                            view! {
                                <option value=r.as_str() selected=r == user.role>
                                    {role_label(r)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </td>
            <td>{day(user.created_at)}</td>
            <td>{user.last_active_at.map(day).unwrap_or_else(|| "never".into())}</td>
            <td class="num" data-testid="month-answers">
                {user.month_answers}
            </td>
            <td class="num" data-testid="month-tokens">
                {user.month_tokens}
            </td>
            <td class="num" data-testid="month-cost">
                {usd_precise(user.month_cost_usd)}
            </td>
            <td class="admin-table__actions">
                {limits}
                <DeleteButton
                    small=true
                    pending=delete.pending()
                    on_confirm=Callback::new(move |_| {
                        delete.dispatch(());
                    })
                />
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

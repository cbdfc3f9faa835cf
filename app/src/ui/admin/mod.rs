//! `/admin` and its sub-pages, one file per card or page.

mod create_user;
mod limits;
pub mod models;
mod registration;
pub mod usage;
mod users;

use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::{use_auth, RequireSignedIn};
use super::refusal::Forbidden;
use crate::model::UserRole;
use create_user::CreateUserCard;
use limits::RoleLimitsCard;
use registration::RegistrationCard;
use users::UsersCard;

/// Every admin page: for an admin, `children` under the page's title (with
/// the way back to `/admin` on a sub-page); for anyone else signed in, one
/// refusal (HTTP 403) and none of the page's requests; visitors are sent to
/// sign in first. (The server refuses every admin call from a non-admin
/// whatever this shows.)
#[component]
fn AdminOnly(
    title: &'static str,
    #[prop(optional)] sub_page: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let auth = use_auth();
    let page = move || {
        let children = children.clone();
        view! {
            <AppHeader />
            <main class="page settings admin">
                {sub_page
                    .then(|| {
                        view! {
                            <nav class="admin__nav" aria-label="Administration">
                                <a href="/admin">"← Administration"</a>
                            </nav>
                        }
                    })} <h1>{title}</h1> {children()}
            </main>
        }
    };
    view! {
        <RequireSignedIn />
        <Transition>
            {move || match auth.current().map(|account| account.role) {
                Some(UserRole::Admin) => Some(page().into_any()),
                Some(_) => Some(view! { <Forbidden what="the administration pages" /> }.into_any()),
                None => None,
            }}
        </Transition>
    }
}

/// `/admin`: registration mode, new accounts, role limits, the user list.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <AdminOnly title="Administration">
            <nav class="admin__nav" aria-label="Administration">
                <a href="/admin/usage">"Usage and cost of all users"</a>
                <a href="/admin/models">"Models: names, prices and access"</a>
            </nav>
            <RegistrationCard />
            <CreateUserCard />
            <RoleLimitsCard />
            <UsersCard />
        </AdminOnly>
    }
}

//! `/admin` and its sub-pages, one file per card or page.

mod create_user;
mod limits;
pub mod models;
mod registration;
pub mod usage;
mod users;

use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::RequireSignedIn;
use create_user::CreateUserCard;
use limits::RoleLimitsCard;
use registration::RegistrationCard;
use users::UsersCard;

/// The frame of an admin sub-page: the way back to `/admin` and a title.
#[component]
fn AdminSubPage(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings admin">
            <nav class="admin__nav" aria-label="Administration">
                <a href="/admin">"← Administration"</a>
            </nav>
            <h1>{title}</h1>
            {children()}
        </main>
    }
}

/// `/admin`: registration mode, new accounts, the user list. The server
/// refuses every call from a non-admin; this page then says so.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings admin">
            <h1>"Administration"</h1>
            <nav class="admin__nav" aria-label="Administration">
                <a href="/admin/usage">"Usage and cost of all users"</a>
                <a href="/admin/models">"Models: names, prices and access"</a>
            </nav>
            <RegistrationCard />
            <CreateUserCard />
            <RoleLimitsCard />
            <UsersCard />
        </main>
    }
}

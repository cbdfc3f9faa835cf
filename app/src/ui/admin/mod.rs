//! `/admin` and its sub-pages, one file per card or page.

mod create_user;
mod limits;
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
            </nav>
            <RegistrationCard />
            <CreateUserCard />
            <RoleLimitsCard />
            <UsersCard />
        </main>
    }
}

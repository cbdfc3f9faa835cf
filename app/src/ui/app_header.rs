use leptos::prelude::*;

use super::brand::BrandLink;

use super::auth::use_auth;
use crate::model::UserRole;

/// The top bar of signed-in pages: brand, who is signed in, account links.
#[component]
pub fn AppHeader() -> impl IntoView {
    let auth = use_auth();
    view! {
        <header class="app-header">
            <BrandLink />
            <Transition>
                {move || {
                    auth.current()
                        .map(|account| {
                            let role = match account.role {
                                UserRole::Admin => Some("Admin"),
                                UserRole::Guest => Some("Guest · read-only"),
                                UserRole::User => None,
                            };
                            view! {
                                <nav class="app-header__account" aria-label="Account">
                                    <span class="app-header__who" data-testid="signed-in-as">
                                        {account.display_name().to_string()}
                                    </span>
                                    {role.map(|r| view! { <span class="badge">{r}</span> })}
                                    <a href="/settings/keys">"API keys"</a>
                                    <a href="/settings/profile">"Profile"</a>
                                    <ActionForm action=auth.logout attr:class="inline-form">
                                        <button class="button button--quiet" type="submit">
                                            "Sign out"
                                        </button>
                                    </ActionForm>
                                </nav>
                            }
                        })
                }}
            </Transition>
        </header>
    }
}

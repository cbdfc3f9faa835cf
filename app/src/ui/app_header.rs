//! The header of every signed-in page: brand, drawer toggle on phones, the
//! account menu.

use leptos::prelude::*;

use super::auth::use_auth;
use super::brand::BrandLink;
use super::theme_picker::ThemePicker;
use crate::model::UserRole;

/// Whether the conversation drawer is open (phone widths). Provided by the
/// chat shell; pages without a sidebar have none.
#[derive(Clone, Copy)]
pub struct Drawer(pub RwSignal<bool>);

/// The top bar of signed-in pages: the drawer button on phones, the brand,
/// and the account menu (profile, keys, administration, theme, sign out).
#[component]
pub fn AppHeader() -> impl IntoView {
    let auth = use_auth();
    let drawer = use_context::<Drawer>();
    view! {
        <header class="app-header">
            {drawer
                .map(|Drawer(open)| {
                    view! {
                        <button
                            type="button"
                            class="button button--quiet app-header__drawer"
                            aria-controls="sidebar"
                            aria-expanded=move || open.get().to_string()
                            aria-label="Conversations"
                            on:click=move |_| open.update(|o| *o = !*o)
                        >
                            <span aria-hidden="true">"☰"</span>
                        </button>
                    }
                })} <BrandLink />
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
                                    {role.map(|r| view! { <span class="badge">{r}</span> })}
                                    <button
                                        type="button"
                                        class="button button--quiet app-header__who"
                                        popovertarget="account-menu"
                                        aria-haspopup="true"
                                        data-testid="signed-in-as"
                                    >
                                        {account.display_name().to_string()}
                                    </button>
                                    <div id="account-menu" class="account-menu" popover="auto">
                                        <p class="account-menu__email muted">
                                            {account.email.clone()}
                                        </p>
                                        <a class="account-menu__item" href="/settings/profile">
                                            "Profile"
                                        </a>
                                        <a class="account-menu__item" href="/settings/keys">
                                            "API keys"
                                        </a>
                                        <a class="account-menu__item" href="/usage">
                                            "Usage"
                                        </a>
                                        <a class="account-menu__item" href="/templates">
                                            "Templates"
                                        </a>
                                        {(account.role == UserRole::Admin)
                                            .then(|| {
                                                view! {
                                                    <a class="account-menu__item" href="/admin">
                                                        "Administration"
                                                    </a>
                                                }
                                            })}
                                        <ThemePicker initial=account.theme />
                                        <ActionForm action=auth.logout attr:class="inline-form">
                                            <button
                                                class="button button--quiet account-menu__signout"
                                                type="submit"
                                            >
                                                "Sign out"
                                            </button>
                                        </ActionForm>
                                    </div>
                                </nav>
                            }
                        })
                }}
            </Transition>
        </header>
    }
}

//! Light, dark or the system's theme, saved with the account (and a cookie).

use leptos::prelude::*;

use crate::api::profile::set_theme;
use crate::model::Theme;
use crate::ui::form::capitalize;

/// System / Light / Dark, applied at once and remembered for the account.
#[component]
pub fn ThemePicker(initial: Theme) -> impl IntoView {
    let chosen = RwSignal::new(initial);
    let save = Action::new(|theme: &Theme| set_theme(theme.as_str().to_string()));
    let choose = move |theme: Theme| {
        chosen.set(theme);
        apply(theme);
        save.dispatch(theme);
    };
    view! {
        <fieldset class="theme-picker">
            <legend>"Theme"</legend>
            {Theme::ALL
                .into_iter()
                .map(|theme| {
                    view! {
                        <label class="theme-picker__option">
                            <input
                                type="radio"
                                name="theme"
                                value=theme.as_str()
                                prop:checked=move || chosen.get() == theme
                                on:change=move |_| choose(theme)
                            />
                            {theme.label()}
                        </label>
                    }
                })
                .collect_view()}
            {move || match save.value().get() {
                Some(Err(e)) => {
                    Some(
                        view! {
                            <p class="form__error" role="alert">
                                {capitalize(&e.to_string())}
                            </p>
                        },
                    )
                }
                _ => None,
            }}
        </fieldset>
    }
}

/// Sets `data-theme` on `<html>`; the stylesheet does the rest.
fn apply(theme: Theme) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = theme;
}

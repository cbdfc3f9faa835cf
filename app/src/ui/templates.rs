//! `/templates`: my templates and the shared ones. Templates are saved from a
//! conversation's settings panel and used from the start page's picker.

use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::{use_auth, RequireSignedIn};
use super::form::{capitalize, error_view, loading};
use super::toast::use_toasts;
use crate::api::templates::{delete_template, list_templates, publish_template};
use crate::model::catalog;
use crate::model::template::TemplateView;
use crate::model::UserRole;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let templates = Resource::new(move || version.get(), |_| list_templates());
    let changed = Callback::new(move |_: ()| version.update(|v| *v += 1));
    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings templates">
            <h1>"Templates"</h1>
            <p class="muted">
                "A template keeps a model, a system prompt and generation settings. Save one from a "
                "conversation (System prompt & settings → Save as template); pick it on the start page to begin a new chat with them."
            </p>
            <Transition fallback=loading>
                {move || {
                    templates
                        .get()
                        .map(|result| match result {
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <p class="muted" data-testid="no-templates">
                                        "No templates yet."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! {
                                    <ul class="template-list" data-testid="templates">
                                        {list
                                            .into_iter()
                                            .map(|t| {
                                                view! { <TemplateItem template=t on_change=changed /> }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => error_view(&e),
                        })
                }}
            </Transition>
        </main>
    }
}

#[component]
fn TemplateItem(template: TemplateView, on_change: Callback<()>) -> impl IntoView {
    let auth = use_auth();
    let toasts = use_toasts();
    let id = StoredValue::new(template.id.clone());
    let delete = Action::new(move |_: &()| delete_template(id.get_value()));
    let publish = Action::new(move |public: &bool| publish_template(id.get_value(), *public));
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => {
            toasts.success("Template deleted");
            on_change.run(());
        }
        Some(Err(e)) => toasts.error(capitalize(&e.to_string())),
        None => {}
    });
    Effect::new(move || match publish.value().get() {
        Some(Ok(())) => on_change.run(()),
        Some(Err(e)) => toasts.error(capitalize(&e.to_string())),
        None => {}
    });
    let is_admin = move || {
        auth.current()
            .is_some_and(|account| account.role == UserRole::Admin)
    };
    let model = template
        .model
        .as_deref()
        .map(|m| catalog::find(m).map_or(m.to_string(), |info| info.name.to_string()))
        .unwrap_or_else(|| "Any model".into());
    let (mine, public) = (template.mine, template.is_public);
    view! {
        <li class="card template" data-testid="template">
            <h2 class="template__name">
                {template.name.clone()}
                {public
                    .then(|| {
                        view! {
                            " "
                            <span class="badge">"shared"</span>
                        }
                    })}
            </h2>
            <p class="muted">{format!("{model} · {}", template.settings.summary())}</p>
            {template.system_prompt.clone().map(|p| view! { <p class="template__prompt">{p}</p> })}
            <Transition>
                {move || {
                    let admin = is_admin();
                    view! {
                        <div class="template__actions">
                            {admin
                                .then(|| {
                                    view! {
                                        <button
                                            class="button button--quiet button--small"
                                            disabled=publish.pending()
                                            on:click=move |_| {
                                                publish.dispatch(!public);
                                            }
                                        >
                                            {if public {
                                                "Stop sharing"
                                            } else {
                                                "Share with everyone"
                                            }}
                                        </button>
                                    }
                                })}
                            {(mine || (admin && public))
                                .then(|| {
                                    view! {
                                        <button
                                            class="button button--quiet button--small"
                                            disabled=delete.pending()
                                            on:click=move |_| {
                                                delete.dispatch(());
                                            }
                                        >
                                            "Delete"
                                        </button>
                                    }
                                })}
                        </div>
                    }
                }}
            </Transition>
        </li>
    }
}

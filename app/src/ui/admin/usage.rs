//! `/admin/usage`: answers, tokens and cost of every user.

use leptos::prelude::*;

use super::AdminOnly;
use crate::api::usage::admin_usage;
use crate::model::usage::{AdminUsageReport, UserUsage, TOP_USERS};
use crate::ui::form::{loading, or_error};
use crate::ui::usage::{
    usd_precise, CsvDownload, ModelTable, PeriodCards, TotalsCells, TotalsHeaders,
};

/// `/admin/usage`: what every user's answers cost.
#[component]
pub fn AdminUsagePage() -> impl IntoView {
    view! {
        <AdminOnly title="Usage of all users" sub_page=true>
            <AllUsage />
        </AdminOnly>
    }
}

#[component]
fn AllUsage() -> impl IntoView {
    let report = Resource::new(|| (), |_| admin_usage());
    view! {
        <p class="muted">
            "Answers, tokens and cost of every user, by UTC day, as counted when each answer finished."
        </p>
        <Transition fallback=loading>
            {move || {
                report
                    .get()
                    .map(|result| or_error(result, |report| view! { <Report report /> }.into_any()))
            }}
        </Transition>
        <CsvDownload action="/api/admin/usage.csv" />
    }
}

#[component]
fn Report(report: AdminUsageReport) -> impl IntoView {
    view! {
        <PeriodCards
            this_month=report.this_month
            last_30_days=report.last_30_days
            testid_prefix="admin-usage"
        />
        <section class="card" aria-labelledby="by-user-heading">
            <h2 id="by-user-heading">"Top users, last 30 days"</h2>
            <p class="muted">{format!("The {TOP_USERS} costliest at most.")}</p>
            <UserTable users=report.by_user />
        </section>
        <section class="card" aria-labelledby="by-model-heading">
            <h2 id="by-model-heading">"By model, last 30 days"</h2>
            <ModelTable models=report.by_model money=usd_precise testid="admin-usage-by-model" />
        </section>
    }
}

#[component]
fn UserTable(users: Vec<UserUsage>) -> impl IntoView {
    if users.is_empty() {
        return view! { <p class="muted">"No answers yet."</p> }.into_any();
    }
    view! {
        <div class="admin-table-wrap" tabindex="0" role="region" aria-label="Usage by user table">
            <table class="admin-table" data-testid="admin-usage-by-user">
                <thead>
                    <tr>
                        <th>"Email"</th>
                        <th>"Name"</th>
                        <TotalsHeaders />
                    </tr>
                </thead>
                <tbody>
                    {users
                        .into_iter()
                        .map(|u| {
                            view! {
                                <tr>
                                    <td>{u.email}</td>
                                    <td>{u.name.unwrap_or_default()}</td>
                                    <TotalsCells totals=u.totals money=usd_precise />
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

//! `/usage` and the widgets it shares with the admin's usage view.

mod csv_download;
mod day_chart;
mod limits;
mod model_table;
mod totals;

use leptos::prelude::*;

pub use csv_download::CsvDownload;
pub use model_table::ModelTable;
pub use totals::{PeriodCards, TotalsCells, TotalsHeaders};

use super::app_header::AppHeader;
use super::auth::RequireSignedIn;
use super::form::{loading, or_error};
use crate::api::usage::my_usage;
use crate::model::usage::UsageReport;
use day_chart::DayChart;
use limits::LimitsCard;

/// `/usage`: what my answers cost, this month and over the last 30 days.
#[component]
pub fn UsagePage() -> impl IntoView {
    let report = Resource::new(|| (), |_| my_usage());
    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings usage">
            <h1>"Usage"</h1>
            <p class="muted">
                "Answers, tokens and cost (from the model catalogue's prices), by UTC day. Deleted conversations still count: the tokens were spent."
            </p>
            <Transition fallback=loading>
                {move || {
                    report
                        .get()
                        .map(|result| or_error(result, |report| view! { <Report report /> }.into_any()))
                }}
            </Transition>
            <CsvDownload action="/api/usage.csv" />
        </main>
    }
}

#[component]
fn Report(report: UsageReport) -> impl IntoView {
    view! {
        <PeriodCards
            this_month=report.this_month
            last_30_days=report.last_30_days
            testid_prefix="usage"
        />
        <LimitsCard />
        <section class="card" aria-labelledby="by-day-heading">
            <h2 id="by-day-heading">"Cost per day"</h2>
            <DayChart days=report.by_day />
        </section>
        <section class="card" aria-labelledby="by-model-heading">
            <h2 id="by-model-heading">"By model, last 30 days"</h2>
            <ModelTable models=report.by_model money=usd testid="usage-by-model" />
        </section>
    }
}

/// Dollars with cents, or four decimals for amounts under a cent.
pub fn usd(amount: f64) -> String {
    if amount > 0.0 && amount < 0.01 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

/// Dollars with four decimals, for the admin's tables.
pub fn usd_precise(amount: f64) -> String {
    format!("${amount:.4}")
}

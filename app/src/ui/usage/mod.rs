use leptos::prelude::*;

use super::app_header::AppHeader;
use super::auth::RequireSignedIn;
use super::form::capitalize;
use crate::api::usage::my_usage;
use crate::model::usage::{DayUsage, Totals, UsageReport};

/// `/usage`: what my answers cost, this month and over the last 30 days.
#[component]
pub fn UsagePage() -> impl IntoView {
    let report = Resource::new(|| (), |_| my_usage());
    view! {
        <RequireSignedIn />
        <AppHeader />
        <main class="page settings usage">
            <h1>"Usage"</h1>
            <p class="muted">"Answers, tokens and cost (from the model catalogue's prices), by UTC day. Deleted conversations still count: the tokens were spent."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || report.get().map(|result| match result {
                    Ok(report) => view! { <Report report /> }.into_any(),
                    Err(e) => view! { <p class="form__error" role="alert">{capitalize(&e.to_string())}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
}

#[component]
fn Report(report: UsageReport) -> impl IntoView {
    view! {
        <div class="usage__totals">
            <TotalsCard title="This month" totals=report.this_month testid="usage-month" />
            <TotalsCard title="Last 30 days" totals=report.last_30_days testid="usage-30-days" />
        </div>
        <section class="card" aria-labelledby="by-day-heading">
            <h2 id="by-day-heading">"Cost per day"</h2>
            <DayChart days=report.by_day />
        </section>
        <section class="card" aria-labelledby="by-model-heading">
            <h2 id="by-model-heading">"By model, last 30 days"</h2>
            {if report.by_model.is_empty() {
                view! { <p class="muted">"No answers yet."</p> }.into_any()
            } else {
                view! {
                    <div class="admin-table-wrap" tabindex="0" role="region" aria-label="Usage by model table">
                        <table class="admin-table" data-testid="usage-by-model">
                            <thead><tr><th>"Model"</th><th>"Answers"</th><th>"Input tokens"</th><th>"Output tokens"</th><th>"Cost"</th></tr></thead>
                            <tbody>
                                {report.by_model.into_iter().map(|m| view! {
                                    <tr>
                                        <td>{m.model}</td>
                                        <td>{m.totals.answers}</td>
                                        <td>{m.totals.input_tokens}</td>
                                        <td>{m.totals.output_tokens}</td>
                                        <td>{usd(m.totals.cost_usd)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn TotalsCard(title: &'static str, totals: Totals, testid: &'static str) -> impl IntoView {
    view! {
        <section class="card usage__card" data-testid=testid>
            <h2>{title}</h2>
            <p class="usage__cost">{usd(totals.cost_usd)}</p>
            <p class="muted">
                {format!(
                    "{} answers · {} input and {} output tokens",
                    totals.answers, totals.input_tokens, totals.output_tokens
                )}
            </p>
        </section>
    }
}

/// A bar per day, drawn here as SVG (no chart library to download). Each bar
/// has a tooltip; the figure's label sums it up for screen readers.
#[component]
fn DayChart(days: Vec<DayUsage>) -> impl IntoView {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 160.0;
    let max = days
        .iter()
        .map(|d| d.totals.cost_usd)
        .fold(0.0_f64, f64::max);
    let slot = WIDTH / days.len().max(1) as f64;
    let total: f64 = days.iter().map(|d| d.totals.cost_usd).sum();
    let label = format!(
        "Cost per day over the last {} days: {} in total, at most {} in a day",
        days.len(),
        usd(total),
        usd(max)
    );
    let first = days
        .first()
        .map(|d| d.day.format("%b %-d").to_string())
        .unwrap_or_default();
    let last = days
        .last()
        .map(|d| d.day.format("%b %-d").to_string())
        .unwrap_or_default();
    view! {
        <figure class="usage__chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label.clone() data-testid="usage-chart" preserveAspectRatio="none">
                {days.into_iter().enumerate().map(|(i, d)| {
                    let h = if max > 0.0 { (d.totals.cost_usd / max) * (HEIGHT - 4.0) } else { 0.0 };
                    let tip = format!("{}: {} ({} answers)", d.day, usd(d.totals.cost_usd), d.totals.answers);
                    view! {
                        <rect
                            class="usage__bar"
                            x=format!("{:.1}", i as f64 * slot + slot * 0.15)
                            y=format!("{:.1}", HEIGHT - h)
                            width=format!("{:.1}", slot * 0.7)
                            height=format!("{:.1}", h.max(if d.totals.answers > 0 { 1.0 } else { 0.0 }))
                        >
                            <title>{tip}</title>
                        </rect>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="usage__axis muted"><span>{first}</span><span>{last}</span></figcaption>
        </figure>
    }
}

fn usd(amount: f64) -> String {
    if amount > 0.0 && amount < 0.01 {
        format!("${amount:.4}")
    } else {
        format!("${amount:.2}")
    }
}

//! Usage totals: this month and the last 30 days.

use leptos::prelude::*;

use super::usd;
use crate::model::usage::Totals;

/// This month's and the last 30 days' totals side by side; test ids
/// `{testid_prefix}-month` and `{testid_prefix}-30-days`.
#[component]
pub fn PeriodCards(
    this_month: Totals,
    last_30_days: Totals,
    testid_prefix: &'static str,
) -> impl IntoView {
    view! {
        <div class="usage__totals">
            <TotalsCard
                title="This month"
                totals=this_month
                testid=format!("{testid_prefix}-month")
            />
            <TotalsCard
                title="Last 30 days"
                totals=last_30_days
                testid=format!("{testid_prefix}-30-days")
            />
        </div>
    }
}

/// Cost, answers and tokens over one period.
#[component]
fn TotalsCard(title: &'static str, totals: Totals, testid: String) -> impl IntoView {
    view! {
        <section class="card usage__card" data-testid=testid>
            <h2>{title}</h2>
            <p class="usage__cost">{usd(totals.cost_usd)}</p>
            {unpriced(totals.unpriced_answers)
                .map(|note| {
                    view! {
                        <p class="muted" data-testid="unpriced-answers">
                            {note}
                        </p>
                    }
                })}
            <p class="muted">
                {format!(
                    "{} answers · {} input and {} output tokens",
                    totals.answers,
                    totals.input_tokens,
                    totals.output_tokens,
                )}
            </p>
        </section>
    }
}

/// The header cells over [`TotalsCells`].
#[component]
pub fn TotalsHeaders() -> impl IntoView {
    view! {
        <th class="num">"Answers"</th>
        <th class="num">"Input tokens"</th>
        <th class="num">"Output tokens"</th>
        <th class="num">"Cost"</th>
    }
}

/// A table row's answers, tokens and cost (as `money` writes it), right-aligned.
#[component]
pub fn TotalsCells(totals: Totals, money: fn(f64) -> String) -> impl IntoView {
    view! {
        <td class="num">{totals.answers}</td>
        <td class="num">{totals.input_tokens}</td>
        <td class="num">{totals.output_tokens}</td>
        <td class="num" title=unpriced(totals.unpriced_answers)>
            {money(totals.cost_usd)}
            {(totals.unpriced_answers > 0).then_some(" + ?")}
        </td>
    }
}

/// "+ 3 answers at an unknown cost (models without a price)", or nothing.
fn unpriced(answers: i64) -> Option<String> {
    match answers {
        0 => None,
        1 => Some("+ 1 answer at an unknown cost (a model without a price)".into()),
        n => Some(format!(
            "+ {n} answers at an unknown cost (models without a price)"
        )),
    }
}

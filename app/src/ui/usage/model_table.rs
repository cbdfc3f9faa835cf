//! Usage per model as a table.

use leptos::prelude::*;

use super::totals::{TotalsCells, TotalsHeaders};
use crate::model::usage::ModelUsage;

/// Answers, tokens and cost per model (costs as `money` writes them), or a
/// note when there are none.
#[component]
pub fn ModelTable(
    models: Vec<ModelUsage>,
    money: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    if models.is_empty() {
        return view! { <p class="muted">"No answers yet."</p> }.into_any();
    }
    view! {
        <div class="admin-table-wrap" tabindex="0" role="region" aria-label="Usage by model table">
            <table class="admin-table" data-testid=testid>
                <thead>
                    <tr>
                        <th>"Model"</th>
                        <TotalsHeaders />
                    </tr>
                </thead>
                <tbody>
                    {models
                        .into_iter()
                        .map(|m| {
                            view! {
                                <tr>
                                    <td>{m.model}</td>
                                    <TotalsCells totals=m.totals money />
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

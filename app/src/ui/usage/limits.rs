//! "Your limits" on the Usage page: each limit that applies and how much of
//! it is used, so that a refusal never comes as a surprise.

use leptos::prelude::*;

use crate::api::limits::my_limits;
use crate::model::limits::LimitStatus;
use crate::model::number::group_thousands;
use crate::ui::form::{loading, or_error};

#[component]
pub fn LimitsCard() -> impl IntoView {
    let status = Resource::new(|| (), |_| my_limits());
    view! {
        <section class="card" aria-labelledby="limits-heading" data-testid="my-limits">
            <h2 id="limits-heading">"Your limits"</h2>
            <Transition fallback=loading>
                {move || {
                    status
                        .get()
                        .map(|result| or_error(result, |status| view! { <LimitList status /> }.into_any()))
                }}
            </Transition>
        </section>
    }
}

#[component]
fn LimitList(status: LimitStatus) -> impl IntoView {
    let (limits, used) = (status.limits, status.used);
    let count = |n: u64| group_thousands(n);
    let rows: Vec<(&str, String)> = [
        limits.messages_per_minute.map(|l| {
            (
                "Messages in the last minute",
                format!("{} of {}", used.messages_last_minute, count(u64::from(l))),
            )
        }),
        limits.messages_per_day.map(|l| {
            (
                "Messages today (UTC)",
                format!("{} of {}", count(used.messages_today), count(u64::from(l))),
            )
        }),
        limits.output_tokens_per_day.map(|l| {
            (
                "Output tokens today (UTC)",
                format!("{} of {}", count(used.output_tokens_today), count(l)),
            )
        }),
        limits.monthly_spend_usd.map(|l| {
            (
                "Spend this month (UTC)",
                format!("${:.2} of ${l:.2}", used.spend_this_month_usd),
            )
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    if rows.is_empty() {
        return view! { <p class="muted">"No limits apply to your account."</p> }.into_any();
    }
    view! {
        <dl class="limits-list">
            {rows
                .into_iter()
                .map(|(label, value)| {
                    view! {
                        <div>
                            <dt>{label}</dt>
                            <dd>{value}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <p class="muted">
            "Every answer asked for (send, regenerate, retry, edit) counts as a message."
        </p>
    }
    .into_any()
}

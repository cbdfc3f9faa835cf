//! Usage per day as an SVG bar chart.

use leptos::prelude::*;

use super::usd;
use crate::model::usage::DayUsage;

/// A bar per day, drawn here as SVG (no chart library to download). Each bar
/// has a tooltip; the figure's label sums it up for screen readers.
#[component]
pub fn DayChart(days: Vec<DayUsage>) -> impl IntoView {
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
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-label=label.clone()
                data-testid="usage-chart"
                preserveAspectRatio="none"
            >
                {days
                    .into_iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let h = if max > 0.0 {
                            (d.totals.cost_usd / max) * (HEIGHT - 4.0)
                        } else {
                            0.0
                        };
                        let tip = format!(
                            "{}: {} ({} answers)",
                            d.day,
                            usd(d.totals.cost_usd),
                            d.totals.answers,
                        );
                        view! {
                            <rect
                                class="usage__bar"
                                x=format!("{:.1}", i as f64 * slot + slot * 0.15)
                                y=format!("{:.1}", HEIGHT - h)
                                width=format!("{:.1}", slot * 0.7)
                                height=format!(
                                    "{:.1}",
                                    h.max(if d.totals.answers > 0 { 1.0 } else { 0.0 }),
                                )
                            >
                                <title>{tip}</title>
                            </rect>
                        }
                    })
                    .collect_view()}
            </svg>
            <figcaption class="usage__axis muted">
                <span>{first}</span>
                <span>{last}</span>
            </figcaption>
        </figure>
    }
}

//! The usage pages' CSV export card.

use leptos::prelude::*;

/// The Export card: downloads the rows behind the figures as CSV from
/// `action` (a plain GET form, so it works before hydration and the router
/// leaves it alone).
#[component]
pub fn CsvDownload(action: &'static str) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="csv-heading">
            <h2 id="csv-heading">"Export"</h2>
            <form class="usage__csv" method="get" action=action data-testid="usage-csv">
                <label class="form__field">
                    <span>"From " <span class="form__optional">"(UTC day)"</span></span>
                    <input type="date" name="from" />
                </label>
                <label class="form__field">
                    <span>"To " <span class="form__optional">"(UTC day)"</span></span>
                    <input type="date" name="to" />
                </label>
                <button class="button" type="submit">
                    "Download CSV"
                </button>
                <p class="muted usage__csv-note">
                    "One row per model and day. Leave the dates empty for the last 30 days; at most 366 days at once."
                </p>
            </form>
        </section>
    }
}

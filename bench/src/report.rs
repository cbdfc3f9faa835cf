//! The results table: one row per figure, with its target and verdict.

use std::fmt::Write;

pub struct Row {
    pub scenario: &'static str,
    pub measure: String,
    pub figure: String,
    pub target: &'static str,
    /// `Some(true)` met, `Some(false)` missed, `None` no target for this row.
    pub met: Option<bool>,
}

#[derive(Default)]
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    pub fn add(
        &mut self,
        scenario: &'static str,
        measure: impl Into<String>,
        figure: impl Into<String>,
        target: &'static str,
        met: Option<bool>,
    ) {
        let row = Row {
            scenario,
            measure: measure.into(),
            figure: figure.into(),
            target,
            met,
        };
        println!(
            "  {} | {} | {} | {}",
            row.scenario, row.measure, row.figure, row.target
        );
        self.rows.push(row);
    }

    /// A markdown table.
    pub fn markdown(&self) -> String {
        let mut out =
            String::from("| # | Measure | Figure | Target | Met |\n|---|---|---|---|---|\n");
        for r in &self.rows {
            let met = match r.met {
                Some(true) => "yes",
                Some(false) => "**no**",
                None => "",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                r.scenario, r.measure, r.figure, r.target, met
            );
        }
        out
    }
}

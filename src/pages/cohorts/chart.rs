//! The geometry of the run chart: cohort size as a line, and per run
//! the people added (above the axis) and removed (below it) as bars.

use sync_model::api::Run;

/// Chart width in SVG units.
pub const WIDTH: f64 = 320.0;
/// Chart height in SVG units.
pub const HEIGHT: f64 = 120.0;

/// One bar of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// What to draw for a list of runs, oldest first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunChart {
    /// Cohort size per run, drawn as a line through dots (so a single
    /// run still shows).
    pub size_points: Vec<(f64, f64)>,
    /// Bars of people added, one per run.
    pub added: Vec<Bar>,
    /// Bars of people removed, one per run.
    pub removed: Vec<Bar>,
    /// Height of the axis between added and removed bars.
    pub axis_y: f64,
}

/// Lays out runs given newest first, as the proxy lists them.
pub fn run_chart(runs_newest_first: &[Run]) -> RunChart {
    let runs: Vec<&Run> = runs_newest_first.iter().rev().collect();
    if runs.is_empty() {
        return RunChart {
            axis_y: HEIGHT / 2.0,
            ..RunChart::default()
        };
    }
    let slot = WIDTH / runs.len() as f64;
    let biggest = runs.iter().map(|r| r.members).max().unwrap_or(0).max(1);
    let most_change = runs
        .iter()
        .map(|r| r.totals.added.max(r.totals.removed))
        .max()
        .unwrap_or(0)
        .max(1);
    let axis_y = HEIGHT / 2.0;
    let half = HEIGHT / 2.0 - 4.0;
    let bar_width = (slot * 0.6).max(1.0);
    let mut chart = RunChart {
        axis_y,
        ..RunChart::default()
    };
    for (i, run) in runs.iter().enumerate() {
        let center = slot * (i as f64 + 0.5);
        let y =
            HEIGHT - 2.0 - (HEIGHT - 4.0) * run.members as f64 / biggest as f64;
        chart.size_points.push((center, y));
        let up = half * run.totals.added as f64 / most_change as f64;
        let down = half * run.totals.removed as f64 / most_change as f64;
        let x = center - bar_width / 2.0;
        chart.added.push(Bar {
            x,
            y: axis_y - up,
            width: bar_width,
            height: up,
        });
        chart.removed.push(Bar {
            x,
            y: axis_y,
            width: bar_width,
            height: down,
        });
    }
    chart
}

impl RunChart {
    /// The `points` attribute of the cohort size polyline.
    pub fn size_line(&self) -> String {
        let points: Vec<String> = self
            .size_points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        points.join(" ")
    }
}

/// The chart in words, for people who cannot see it.
pub fn describe(runs_newest_first: &[Run]) -> String {
    let Some(last) = runs_newest_first.first() else {
        return "No runs yet.".to_owned();
    };
    format!(
        "Cohort size and changes over {} runs. Latest run: {} members, {} \
         added, {} removed.",
        runs_newest_first.len(),
        last.members,
        last.totals.added,
        last.totals.removed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sync_model::api::{RunStatus, RunTotals};
    use sync_model::ExportKind;

    fn run(id: i64, members: u64, added: u64, removed: u64) -> Run {
        Run {
            id,
            sync_id: 1,
            kind: ExportKind::Dynamic,
            started_at: 0,
            finished_at: None,
            status: RunStatus::Succeeded,
            members,
            totals: RunTotals {
                added,
                removed,
                ..RunTotals::default()
            },
            error: None,
        }
    }

    #[test]
    fn runs_are_drawn_oldest_first_scaled_to_the_largest() {
        let chart = run_chart(&[run(2, 50, 10, 20), run(1, 100, 100, 0)]);
        assert_eq!(chart.size_line(), "80.0,2.0 240.0,60.0");
        assert_eq!(chart.size_points, [(80.0, 2.0), (240.0, 60.0)]);
        assert_eq!(chart.added[0].height, 56.0);
        assert_eq!(chart.added[0].y, 4.0);
        assert_eq!(chart.added[1].height, 5.6);
        assert_eq!(chart.removed[1].y, 60.0);
        assert!((chart.removed[1].height - 11.2).abs() < 1e-9);
        assert_eq!(chart.removed[0].height, 0.0);
    }

    #[test]
    fn a_single_run_shows_its_size_as_a_dot() {
        let chart = run_chart(&[run(1, 9, 0, 0)]);
        assert_eq!(chart.size_line(), "160.0,2.0");
        assert_eq!(chart.size_points, [(160.0, 2.0)]);
    }

    #[test]
    fn no_runs_draw_nothing() {
        let chart = run_chart(&[]);
        assert!(chart.size_line().is_empty());
        assert!(chart.size_points.is_empty());
        assert!(chart.added.is_empty());
        assert_eq!(describe(&[]), "No runs yet.");
    }

    #[test]
    fn the_description_names_the_latest_run() {
        assert_eq!(
            describe(&[run(2, 50, 10, 20), run(1, 100, 100, 0)]),
            "Cohort size and changes over 2 runs. Latest run: 50 members, \
             10 added, 20 removed."
        );
    }
}

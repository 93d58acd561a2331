//! The daily Leanplum events chart: stacked bars per day, exempt events on
//! top of the events that count toward MTU, drawn as plain SVG.

use leptos::prelude::*;
use sync_model::mtu::DailyCount;

use crate::format::count;

/// Size of the drawing area, in SVG user units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChartSize {
    /// Width of the plot.
    pub width: f64,
    /// Height of the plot; bars grow up from the bottom.
    pub height: f64,
}

/// One rectangle of a stacked bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// Top edge.
    pub y: f64,
    /// Height; zero when the day had no such events.
    pub height: f64,
}

/// One day's stacked bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DayBar {
    /// Day of the month, from 1.
    pub day: u8,
    /// Left edge.
    pub x: f64,
    /// Bar width.
    pub width: f64,
    /// Events that count toward MTU, at the bottom.
    pub counted: Segment,
    /// Exempt events, stacked on top.
    pub exempt: Segment,
}

/// Share of each day's slot left empty between bars.
const GAP_SHARE: f64 = 0.2;

/// Lays out one stacked bar per day, scaled so the busiest day fills the
/// height. A month without events gets flat bars.
pub fn stacked_bars(daily: &[DailyCount], size: ChartSize) -> Vec<DayBar> {
    let busiest = daily
        .iter()
        .map(|d| d.exempt + d.not_exempt)
        .max()
        .unwrap_or(0);
    let slot = size.width / daily.len().max(1) as f64;
    let scale = if busiest == 0 {
        0.0
    } else {
        size.height / busiest as f64
    };
    daily
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let counted_h = d.not_exempt as f64 * scale;
            let exempt_h = d.exempt as f64 * scale;
            let counted_y = size.height - counted_h;
            DayBar {
                day: d.day,
                x: i as f64 * slot + slot * GAP_SHARE / 2.0,
                width: slot * (1.0 - GAP_SHARE),
                counted: Segment {
                    y: counted_y,
                    height: counted_h,
                },
                exempt: Segment {
                    y: counted_y - exempt_h,
                    height: exempt_h,
                },
            }
        })
        .collect()
}

/// A sentence describing the chart for people who cannot see it.
pub fn chart_summary(month_label: &str, daily: &[DailyCount]) -> String {
    let exempt: u64 = daily.iter().map(|d| d.exempt).sum();
    let counted: u64 = daily.iter().map(|d| d.not_exempt).sum();
    let busiest = daily
        .iter()
        .filter(|d| d.exempt + d.not_exempt > 0)
        .max_by_key(|d| (d.exempt + d.not_exempt, std::cmp::Reverse(d.day)));
    let mut text = format!(
        "Leanplum events per day in {month_label}: {} in all, {} exempt \
         from MTU and {} counting toward it.",
        count(exempt + counted),
        count(exempt),
        count(counted)
    );
    if let Some(d) = busiest {
        text.push_str(&format!(
            " Busiest day: the {}, with {}.",
            ordinal(d.day),
            count(d.exempt + d.not_exempt)
        ));
    }
    text
}

fn ordinal(day: u8) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

const PLOT: ChartSize = ChartSize {
    width: 620.0,
    height: 140.0,
};
const AXIS_ROOM: f64 = 20.0;

/// The chart of one month's Leanplum events per day.
#[component]
pub fn DailyChart(
    /// One entry per day of the month.
    daily: Vec<DailyCount>,
    /// The month in words, for the summary.
    #[prop(into)]
    month_label: String,
) -> impl IntoView {
    let summary = chart_summary(&month_label, &daily);
    let busiest = daily
        .iter()
        .map(|d| d.exempt + d.not_exempt)
        .max()
        .unwrap_or(0);
    let last_day = daily.last().map(|d| d.day).unwrap_or(1);
    let bars = stacked_bars(&daily, PLOT);
    let labels = bars
        .iter()
        .filter(|b| b.day == 1 || b.day % 5 == 0 || b.day == last_day)
        .map(|b| {
            view! {
                <text
                    x=format!("{:.1}", b.x + b.width / 2.0)
                    y=PLOT.height + 15.0
                    text-anchor="middle"
                >
                    {b.day}
                </text>
            }
        })
        .collect_view();
    let rects = bars
        .into_iter()
        .map(|b| {
            let segment = |class: &'static str, part: &Segment| {
                view! {
                    <rect
                        class=class
                        x=format!("{:.1}", b.x)
                        y=format!("{:.1}", part.y)
                        width=format!("{:.1}", b.width)
                        height=format!("{:.1}", part.height)
                    />
                }
            };
            (
                segment("bar-counted", &b.counted),
                segment("bar-exempt", &b.exempt),
            )
        })
        .collect_view();
    let view_box =
        format!("0 -10 {} {}", PLOT.width, PLOT.height + AXIS_ROOM + 10.0);

    view! {
        <figure class="daily-chart">
            <svg viewBox=view_box role="img" aria-label=summary>
                <line
                    class="axis"
                    x1="0"
                    x2=PLOT.width
                    y1=PLOT.height
                    y2=PLOT.height
                />
                <text x="0" y="-1" class="axis-max">
                    {format!("{} per day at most", count(busiest))}
                </text>
                {rects}
                <g class="day-labels" aria-hidden="true">{labels}</g>
            </svg>
            <figcaption>
                <span class="legend legend-counted">"Counts toward MTU"</span>
                <span class="legend legend-exempt">"Exempt from MTU"</span>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: u8, exempt: u64, not_exempt: u64) -> DailyCount {
        DailyCount {
            day,
            exempt,
            not_exempt,
        }
    }

    const SIZE: ChartSize = ChartSize {
        width: 100.0,
        height: 50.0,
    };

    #[test]
    fn the_busiest_day_fills_the_height_with_exempt_on_top() {
        let bars = stacked_bars(&[day(1, 2, 3), day(2, 0, 1)], SIZE);
        assert_eq!(bars.len(), 2);
        assert_eq!(
            bars[0].counted,
            Segment {
                y: 20.0,
                height: 30.0
            }
        );
        assert_eq!(
            bars[0].exempt,
            Segment {
                y: 0.0,
                height: 20.0
            }
        );
        assert_eq!(
            bars[1].counted,
            Segment {
                y: 40.0,
                height: 10.0
            }
        );
        assert_eq!(
            bars[1].exempt,
            Segment {
                y: 40.0,
                height: 0.0
            }
        );
    }

    #[test]
    fn days_share_the_width_with_a_gap_between_bars() {
        let bars = stacked_bars(&[day(1, 1, 0), day(2, 1, 0)], SIZE);
        assert_eq!((bars[0].x, bars[0].width), (5.0, 40.0));
        assert_eq!((bars[1].x, bars[1].width), (55.0, 40.0));
    }

    #[test]
    fn a_month_without_events_has_flat_bars() {
        let bars = stacked_bars(&[day(1, 0, 0)], SIZE);
        assert_eq!(
            bars[0].counted,
            Segment {
                y: 50.0,
                height: 0.0
            }
        );
        assert_eq!(
            bars[0].exempt,
            Segment {
                y: 50.0,
                height: 0.0
            }
        );
        assert!(stacked_bars(&[], SIZE).is_empty());
    }

    #[test]
    fn the_summary_gives_totals_and_the_busiest_day() {
        let daily = [day(1, 2, 3), day(2, 1000, 1), day(3, 0, 0)];
        assert_eq!(
            chart_summary("January 2026", &daily),
            "Leanplum events per day in January 2026: 1,006 in all, 1,002 \
             exempt from MTU and 4 counting toward it. Busiest day: the \
             2nd, with 1,001."
        );
    }

    #[test]
    fn a_quiet_month_has_no_busiest_day() {
        assert_eq!(
            chart_summary("March 2026", &[day(1, 0, 0)]),
            "Leanplum events per day in March 2026: 0 in all, 0 exempt from \
             MTU and 0 counting toward it."
        );
    }

    #[test]
    fn ordinals_read_naturally() {
        let got: Vec<_> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st",
                "22nd", "23rd", "31st"
            ]
        );
    }
}

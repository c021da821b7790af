//! The bar chart of the pending announcements by age, drawn on the server as inline SVG (the
//! pages load no external assets). Ages are in ZAS working days since the day announced; the
//! buckets after 7 lie past the first deadline of N. 3401.

use std::fmt::Write as _;

/// The age buckets: (label, first day, last day).
const BUCKETS: [(&str, i64, i64); 6] = [
    ("0–2", i64::MIN, 2),
    ("3–5", 3, 5),
    ("6–7", 6, 7),
    ("8–10", 8, 10),
    ("11–15", 11, 15),
    ("16+", 16, i64::MAX),
];

/// The last age within the 7 working days of N. 3401.
const DEADLINE: i64 = 7;

const WIDTH: i64 = 560;
const HEIGHT: i64 = 220;
const TOP: i64 = 20;
const BOTTOM: i64 = 40;
const LEFT: i64 = 40;

/// How many ages fall in each bucket.
pub fn counts(ages: &[i64]) -> [usize; BUCKETS.len()] {
    let mut counts = [0; BUCKETS.len()];
    for age in ages {
        if let Some(i) = BUCKETS
            .iter()
            .position(|(_, first, last)| (*first..=*last).contains(age))
        {
            counts[i] += 1;
        }
    }
    counts
}

/// The chart as an `<svg>` element; its text is numbers and fixed labels only.
pub fn svg(ages: &[i64]) -> String {
    let counts = counts(ages);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as i64;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT) / BUCKETS.len() as i64;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg id="pending-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="pending-chart-title"><title id="pending-chart-title">Pending announcements by ZAS working days since announced ({} in all)</title>"#,
        ages.len()
    );
    let base = HEIGHT - BOTTOM;
    let _ = write!(
        out,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{WIDTH}\" y2=\"{base}\" stroke=\"#555\"/>"
    );
    let _ = write!(
        out,
        "<text x=\"4\" y=\"{}\" font-size=\"11\">{max}</text><text x=\"4\" y=\"{base}\" font-size=\"11\">0</text>",
        TOP + 4
    );
    for (i, ((label, first, _), count)) in BUCKETS.iter().zip(counts).enumerate() {
        let height = count as i64 * plot_height / max;
        let x = LEFT + i as i64 * slot + 8;
        let y = base - height;
        let width = slot - 16;
        let (class, fill) = if *first > DEADLINE {
            ("bar late", "#b3261e")
        } else {
            ("bar", "#23395d")
        };
        let _ = write!(
            out,
            "<rect class=\"{class}\" data-bucket=\"{label}\" data-count=\"{count}\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{height}\" fill=\"{fill}\"><title>{label} working days: {count}</title></rect>"
        );
        let middle = x + width / 2;
        let _ = write!(
            out,
            "<text x=\"{middle}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{count}</text><text x=\"{middle}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{label}</text>",
            y - 4,
            base + 16
        );
    }
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">ZAS working days since announced (red: past the 7 of N. 3401)</text></svg>",
        LEFT + (WIDTH - LEFT) / 2,
        HEIGHT - 6
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_age_falls_in_one_bucket() {
        assert_eq!(counts(&[0, 2, 3, 7, 8, 15, 16, 400]), [2, 1, 1, 1, 1, 2]);
    }

    #[test]
    fn the_bars_have_the_counts_and_the_late_ones_are_marked() {
        let svg = svg(&[1, 1, 9]);
        assert!(svg.starts_with("<svg id=\"pending-chart\""));
        assert!(svg.contains(r#"data-bucket="0–2" data-count="2""#), "{svg}");
        assert!(svg.contains(r#"class="bar late" data-bucket="8–10" data-count="1""#));
        assert_eq!(svg.matches("<rect").count(), 6);
        assert!(svg.ends_with("</svg>"));
    }
}

//! A list as the dashboard shows it: headings and rows of text cells, some linking to an
//! announcement. The same table is drawn as HTML and written as CSV, so the two never differ.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

/// One list.
#[derive(Clone, Debug)]
pub struct Table {
    /// The HTML id of its section and the name of its CSV export (`/exports/<name>.csv`).
    pub name: &'static str,
    pub title: &'static str,
    /// What the list holds, in a sentence.
    pub about: &'static str,
    pub headings: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// More rows matched than are listed.
    pub more: bool,
}

/// A cell: its text and, for an announcement, the link to its page.
#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    /// A long text without spaces (a list of ids), which the stylesheet wraps anywhere.
    pub long: bool,
}

impl Cell {
    pub fn text(text: impl ToString) -> Cell {
        Cell {
            text: text.to_string(),
            href: None,
            long: false,
        }
    }

    /// A text that may be long and hold no spaces, wrapped anywhere on the page.
    pub fn long_text(text: impl ToString) -> Cell {
        Cell {
            long: true,
            ..Cell::text(text)
        }
    }

    /// The id of an announcement, linking to its page.
    pub fn announcement(id: i64) -> Cell {
        Cell {
            text: id.to_string(),
            href: Some(format!("/announcements/{id}")),
            long: false,
        }
    }

    /// A time as a Swiss date and time.
    pub fn time(at: DateTime<Utc>) -> Cell {
        Cell::text(swiss_time(at))
    }
}

/// `YYYY-MM-DD HH:MM CET` (or `CEST`): Swiss time, labelled with its zone so that it is not
/// taken for the API's UTC.
pub fn swiss_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&chrono_tz::Europe::Zurich)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

impl Table {
    /// The table as CSV (RFC 4180, formula-looking fields defused by [`crate::csv::row`]).
    pub fn to_csv(&self) -> String {
        let mut out = crate::csv::row(self.headings.iter());
        for row in &self.rows {
            out.push_str(&crate::csv::row(row.iter().map(|c| c.text.as_str())));
        }
        out
    }
}

/// A CSV download named `file`.
pub fn csv_download(file: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_has_the_headings_and_the_cells_of_the_rows() {
        let table = Table {
            name: "t",
            title: "T",
            about: "",
            headings: vec!["Id", "Cause"],
            rows: vec![vec![Cell::announcement(7), Cell::text("code 3, refused")]],
            more: false,
        };
        assert_eq!(table.to_csv(), "Id,Cause\r\n7,\"code 3, refused\"\r\n");
    }

    #[test]
    fn a_time_on_a_page_names_its_zone() {
        let winter = "2026-12-05T06:54:44Z".parse().unwrap();
        assert_eq!(swiss_time(winter), "2026-12-05 07:54 CET");
        let summer = "2026-07-01T06:54:44Z".parse().unwrap();
        assert_eq!(swiss_time(summer), "2026-07-01 08:54 CEST");
    }
}

//! Writing CSV (RFC 4180) for the exports operators open in a spreadsheet.

use chrono::{DateTime, SecondsFormat, Utc};

/// A time in an export: RFC 3339 in UTC with its zone, `2026-12-05T07:55:23Z`. The audit's CSV
/// of the web and of `arcgw audit` write times this one way.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// One CSV line: fields separated by commas, quoted when they hold a comma, a quote or a line
/// break, and formula-looking fields (`=`, `+`, `-`, `@` first) prefixed with `'` so that a
/// spreadsheet does not run them.
pub fn row<I, S>(fields: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut line = fields
        .into_iter()
        .map(|f| field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(
            row(["a", "b,c", "say \"hi\""]),
            "a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(
            row(["=1+2", "-x", "line\nbreak"]),
            "'=1+2,'-x,\"line\nbreak\"\r\n"
        );
    }
}

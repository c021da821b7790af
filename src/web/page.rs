//! What every page shares: the ZAS environment on show, the signed-in person, the navigation and
//! the one stylesheet (inline; the pages load no external assets).

use super::Viewer;
use crate::engine::Environment;

/// The frame around every page, rendered by `templates/base.html`. Every page template has a
/// field `chrome` of this type.
#[derive(Clone, Debug)]
pub struct Chrome {
    /// The environments this instance sends to, `prod`, `abn` or both (`prod, abn`): shown on
    /// every page, since nothing sent to ABN counts for PROD.
    pub environment: String,
    /// `abn` when ABN is the only one (the header turns amber), else `prod`.
    pub environment_class: &'static str,
    /// "ZAS environment: PROD (production)", or both names.
    pub environment_label: String,
    pub viewer: Option<Viewer>,
    /// The navigation: (href, label).
    pub links: Vec<(&'static str, &'static str)>,
    pub stylesheet: &'static str,
}

impl Chrome {
    /// The frame for a page seen by `viewer` (none on the login page).
    pub fn new(environments: &[Environment], viewer: Option<Viewer>) -> Chrome {
        let names = |name: fn(Environment) -> &'static str, separator| {
            environments
                .iter()
                .map(|e| name(*e))
                .collect::<Vec<_>>()
                .join(separator)
        };
        let heading = if environments.len() > 1 {
            "ZAS environments"
        } else {
            "ZAS environment"
        };
        Chrome {
            environment: names(Environment::as_str, ", "),
            environment_class: if environments == [Environment::Abn] {
                "abn"
            } else {
                "prod"
            },
            environment_label: format!("{heading}: {}", names(Environment::label, " · ")),
            viewer,
            links: Vec::new(),
            stylesheet: STYLESHEET,
        }
    }

    /// Adds a navigation link.
    pub fn link(mut self, href: &'static str, label: &'static str) -> Chrome {
        self.links.push((href, label));
        self
    }
}

const STYLESHEET: &str = "\
body{font-family:system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}\
header.top{display:flex;gap:1.5em;align-items:center;padding:.6em 1em;background:#23395d;color:#fff}\
header.env-abn{background:#8a4b00}\
header.top a{color:#fff;margin-right:1em}\
header .environment{font-weight:bold}\
header .logout{margin-left:auto}\
main{padding:1em 1.5em}\
table{border-collapse:collapse;margin:.5em 0 1.5em}\
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}\
td.long{overflow-wrap:anywhere;min-width:24em}\
th{background:#eee}\
.overdue{color:#a00;font-weight:bold}\
.error{color:#a00}\
h2 .count{display:inline-block;min-width:1.6em;padding:0 .4em;border-radius:.8em;background:#23395d;color:#fff;font-size:.8em;text-align:center}\
section#overdue h2 .count{background:#b3261e}\
.about{color:#444}\
.filters{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin-bottom:1em}\
pre{background:#f0f0f0;border:1px solid #ddd;padding:.6em;overflow:auto;max-height:40em}\
figure.chart{margin:.5em 0}\
";

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;
    use crate::domain::{FundNumber, Role};

    #[derive(Template)]
    #[template(
        source = r#"{% extends "base.html" %}{% block content %}<p id="probe">body</p>{% endblock %}"#,
        ext = "html"
    )]
    struct Probe {
        chrome: Chrome,
    }

    #[test]
    fn the_frame_shows_the_environment_and_the_signed_in_person() {
        let viewer = Viewer {
            account_id: 1,
            login: "mrossi".into(),
            display_name: "Maria <Rossi>".into(),
            role: Role::Substitute,
            funds: vec!["001.000".parse::<FundNumber>().unwrap()],
            csrf_token: "tok".into(),
        };
        let chrome = Chrome::new(&[Environment::Abn], Some(viewer)).link("/", "Overview");
        let html = Probe { chrome }.render().unwrap();
        assert!(html.contains("ZAS environment: ABN"));
        assert!(html.contains(r#"<header class="top env-abn">"#));
        assert!(
            html.contains("Maria &#60;Rossi&#62; (substitute)"),
            "{html}"
        );
        assert!(html.contains(r#"name="csrf" value="tok""#));
        assert!(html.contains(r#"<a href="/">Overview</a>"#));
        assert!(html.contains(r#"<p id="probe">body</p>"#));

        let anonymous = Probe {
            chrome: Chrome::new(&[Environment::Prod], None),
        }
        .render()
        .unwrap();
        assert!(anonymous.contains("ZAS environment: PROD (production)"));
        assert!(!anonymous.contains("Sign out"));

        let both = Probe {
            chrome: Chrome::new(&[Environment::Prod, Environment::Abn], None),
        }
        .render()
        .unwrap();
        assert!(
            both.contains("ZAS environments: PROD (production) · ABN (acceptance, test data)"),
            "{both}"
        );
        assert!(both.contains(r#"<header class="top env-prod">"#));
        assert!(both.contains("arcgw (prod, abn)"));
    }
}

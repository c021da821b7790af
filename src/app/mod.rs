//! The HTTP application of `arcgw serve`: what every handler shares (the state with its store,
//! clock, limits, counters, rate limiters and audit; who a request comes from), the layers
//! around every request, and the assembly of the router from the fund API (`crate::api`), the
//! pages (`crate::web`), the operators' endpoints and the OpenAPI document.
//!
//! `api` and `web` use this module and `crate::presentation`, never each other: the guard is
//! the test at the end of this file.

mod deadline_metrics;
mod layers;
mod metrics;
pub(crate) mod openapi;
mod operations;
mod rate_limit;
mod refusals;
mod scrape;
mod state;
mod viewer;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;

pub use openapi::ApiDoc;
pub use rate_limit::client_key;
pub use state::{AppState, Audit};
pub use viewer::{Remote, Viewer};

/// When to try again after [`crate::store::StoreError::Busy`] and
/// [`crate::store::StoreError::WriterBusy`] (`Retry-After`, in seconds), in the API and on the
/// pages.
pub const BUSY_RETRY_AFTER_SECS: u64 = 5;

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let signed_in_area = crate::web::pages().merge(crate::api::accounts::routes());
    let router = Router::new()
        .merge(crate::api::routes(state.clone()))
        .merge(crate::web::behind_session(state.clone(), signed_in_area))
        .route("/healthz", get(operations::healthz))
        .route("/readyz", get(operations::readyz))
        .route("/metrics", get(operations::metrics))
        .route("/api/v1/openapi.json", get(openapi::document))
        .layer(DefaultBodyLimit::max(state.http.max_body_bytes))
        .layer(from_fn_with_state(state.clone(), layers::measure));
    layers::around(router, &state.http).with_state(state)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Whether `source` names the module `name` of the crate's root: `crate::name`,
    /// `arcgw::name`, a chain of `super::` ending in it, or one of these with `name` in a
    /// braced group (`crate::{name, …}`). White space and line breaks do not hide it; comments
    /// count too (a comment naming the other module points the reader there).
    fn names_module(source: &str, name: &str) -> bool {
        let is_ident = |c: char| c.is_alphanumeric() || c == '_';
        // White space kept only where it parts two words (`use crate`), dropped elsewhere
        // (`crate :: api`, a group over several lines).
        let mut text = String::with_capacity(source.len());
        let mut parted = false;
        for c in source.chars() {
            if c.is_whitespace() {
                parted = true;
                continue;
            }
            if parted && is_ident(c) && text.ends_with(is_ident) {
                text.push(' ');
            }
            parted = false;
            text.push(c);
        }
        let starts_with_name = |rest: &str| {
            rest.strip_prefix(name)
                .is_some_and(|after| !after.starts_with(is_ident))
        };
        let in_group = |rest: &str| {
            let Some(group) = rest.strip_prefix('{') else {
                return false;
            };
            let mut depth = 0usize;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => return false,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        item_start = true;
                        continue;
                    }
                    _ => {}
                }
                if item_start && depth == 0 && starts_with_name(&group[i..]) {
                    return true;
                }
                item_start = false;
            }
            false
        };
        ["crate::", "arcgw::", "super::"].iter().any(|root| {
            text.match_indices(root).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                if before.is_some_and(is_ident) {
                    return false;
                }
                let mut rest = &text[at + root.len()..];
                while let Some(more) = rest.strip_prefix("super::") {
                    rest = more;
                }
                starts_with_name(rest) || in_group(rest)
            })
        })
    }

    /// The `.rs` files under `dir`, at any depth.
    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(dir) = todo.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    todo.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    found.push(path);
                }
            }
        }
        found.sort();
        found
    }

    /// The files under `src/<from>/` that name `crate::<to>`.
    fn offenders(from: &str, to: &str) -> (usize, Vec<PathBuf>) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(from);
        let files = sources(&dir);
        let named = files
            .iter()
            .filter(|f| names_module(&std::fs::read_to_string(f).unwrap(), to))
            .cloned()
            .collect();
        (files.len(), named)
    }

    #[test]
    fn the_detector_sees_every_way_of_naming_a_module() {
        for named in [
            "use crate::api::AppState;",
            "use crate::api;",
            "let x = crate :: api :: BUSY;",
            "use crate::{\n    api::{AppState, client_key},\n    store::Store,\n};",
            "use crate::{store::Store, api};",
            "use super::super::api::AppState;",
            "use arcgw::api::router;",
            "/// See [`crate::api::router`].",
        ] {
            assert!(names_module(named, "api"), "{named}");
        }
        for clean in [
            "use crate::app::AppState;",
            "use crate::apis::X;",
            "use crate::presentation::api_like;",
            "use crate::{store::{api, Store}, app};",
            "let route = \"/api/v1/accounts\";",
            "use mycrate::api::X;",
        ] {
            assert!(!names_module(clean, "api"), "{clean}");
        }
    }

    /// `web` (the pages) and `api` (the fund and accounts API) share what both need through
    /// `app` and `presentation`, never through each other: the module cycle between them is
    /// gone and stays gone.
    #[test]
    fn web_never_names_api_and_api_never_names_web() {
        let mut found = Vec::new();
        for (from, to) in [("web", "api"), ("api", "web")] {
            let (files, named) = offenders(from, to);
            assert!(files > 5, "src/{from}/ has only {files} source files");
            found.extend(
                named
                    .iter()
                    .map(|f| format!("{} names crate::{to}", f.display())),
            );
        }
        assert!(found.is_empty(), "{found:#?}");
    }
}

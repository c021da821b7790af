//! Reading a page's query string strictly: every parameter known, none twice, every value
//! valid; otherwise a 400 page naming the parameter and the rule.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;

use super::context::PageError;

/// The query string as (name, value) pairs, each name checked against the page's names.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| PageError::bad("query string", e.body_text()))?;
        Ok(Params(pairs))
    }
}

impl Params {
    /// Refuses names other than `known` and names given twice.
    pub fn only(&self, known: &[&str]) -> Result<(), PageError> {
        for (i, (name, _)) in self.0.iter().enumerate() {
            if !known.contains(&name.as_str()) {
                return Err(PageError::bad(
                    name.clone(),
                    format!("unknown filter; expected one of {}", known.join(", ")),
                ));
            }
            if self.0[..i].iter().any(|(n, _)| n == name) {
                return Err(PageError::bad(name.clone(), "given more than once"));
            }
        }
        Ok(())
    }

    /// The value of `name`, parsed; an empty value counts as not given (an empty form field).
    /// Control characters are refused in every value (PostgreSQL takes no NUL in text).
    pub fn parsed<T, E: std::fmt::Display>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, PageError> {
        match self.0.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, v)) if v.chars().any(char::is_control) => {
                Err(PageError::bad(name, "control characters are not allowed"))
            }
            Some((_, v)) if v.trim().is_empty() => Ok(None),
            Some((_, v)) => parse(v.trim())
                .map(Some)
                .map_err(|e| PageError::bad(name, e.to_string())),
        }
    }
}

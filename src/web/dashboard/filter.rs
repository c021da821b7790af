//! The overview's filters, fund, state and ZAS environment, shared by the page and its CSV
//! exports.

use super::context::PageError;
use super::query::Params;
use crate::domain::{AnnouncementState, Environment, FundNumber};
use crate::store::Scope;
use crate::web::Viewer;

/// Which announcements the overview shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub fund: Option<FundNumber>,
    pub state: Option<AnnouncementState>,
    /// Only this environment's announcements (`None`: both).
    pub environment: Option<Environment>,
}

impl Filter {
    /// Reads `fund`, `state` and `environment`; a fund must be one of the viewer's (art. 7).
    pub fn read(params: &Params, viewer: &Viewer) -> Result<Filter, PageError> {
        params.only(&["fund", "state", "environment"])?;
        let fund = params.parsed("fund", FundNumber::parse)?;
        if let Some(fund) = fund
            && !viewer.may_see(fund)
        {
            return Err(PageError::bad(
                "fund",
                format!("{fund} is not one of your funds"),
            ));
        }
        let state = params.parsed("state", str::parse::<AnnouncementState>)?;
        let environment = params.parsed("environment", str::parse::<Environment>)?;
        Ok(Filter {
            fund,
            state,
            environment,
        })
    }

    /// The funds (see [`Filter::funds`]) and environment the lists read.
    pub fn scope<'a>(&self, funds: &'a [FundNumber]) -> Scope<'a> {
        Scope {
            funds,
            environment: self.environment,
        }
    }

    /// The funds to read: the one chosen, else all of the viewer's.
    pub fn funds(&self, viewer: &Viewer) -> Vec<FundNumber> {
        match self.fund {
            Some(fund) => vec![fund],
            None => viewer.funds.clone(),
        }
    }

    /// The filter as a query string (`?fund=…&state=…&environment=…`, empty without filters),
    /// for the export links. Fund numbers, state and environment names need no escaping.
    pub fn query(&self) -> String {
        let mut pairs = Vec::new();
        if let Some(fund) = self.fund {
            pairs.push(format!("fund={fund}"));
        }
        if let Some(state) = self.state {
            pairs.push(format!("state={state}"));
        }
        if let Some(environment) = self.environment {
            pairs.push(format!("environment={environment}"));
        }
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }
}

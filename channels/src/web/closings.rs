//! The closing checklist over HTTP (spec 1.5): read a company's closing of
//! a month, mark a step done or open again with a note, reopen a completed
//! closing. Closings are started and rescanned by the `closing_checklist`
//! tool; changing one takes the finance or admin role.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::{Extension, Json};
use serde::Deserialize;
use tools::{Identity, Role};

use agent::closing::{Closing, ClosingError, Closings, HumanStatus, StepChange};

use super::error::ApiError;
use super::extract::ApiJson;
use super::state::WebState;

/// `GET /api/closings/{company}/{period}`: the closing with its steps and
/// the latest scan.
pub(crate) async fn show(
    State(state): State<Arc<WebState>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Closing>, ApiError> {
    let (company_id, period) = closing_path(path?.0)?;
    let closings = Closings::new(state.runtime.store().closings());
    Ok(Json(closings.get(company_id, &period).await?))
}

/// The body of `POST /api/closings/{company}/{period}/items/{key}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepBody {
    /// True marks the step done, false open again.
    done: bool,
    /// Required to mark done a step that still has items.
    #[serde(default)]
    note: Option<String>,
}

/// `POST /api/closings/{company}/{period}/items/{key}`: marks one step done
/// or open as the caller, and answers with the closing.
pub(crate) async fn change_step(
    State(state): State<Arc<WebState>>,
    Extension(caller): Extension<Identity>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    ApiJson(body): ApiJson<StepBody>,
) -> Result<Json<Closing>, ApiError> {
    let (company, period, key) = path?.0;
    let (company_id, period) = closing_path((company, period))?;
    may_change(&caller)?;
    let change = StepChange {
        key,
        status: if body.done {
            HumanStatus::Done
        } else {
            HumanStatus::Open
        },
        note: body.note,
        by: caller.id.to_string(),
    };
    let closings = Closings::new(state.runtime.store().closings());
    Ok(Json(
        closings.change_step(company_id, &period, &change).await?,
    ))
}

/// `POST /api/closings/{company}/{period}/reopen`: a completed closing
/// becomes open again (its final review too); an open one is unchanged.
pub(crate) async fn reopen(
    State(state): State<Arc<WebState>>,
    Extension(caller): Extension<Identity>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Closing>, ApiError> {
    let (company_id, period) = closing_path(path?.0)?;
    may_change(&caller)?;
    let closings = Closings::new(state.runtime.store().closings());
    Ok(Json(
        closings
            .reopen(company_id, &period, &caller.id.to_string())
            .await?,
    ))
}

/// Closings are the controllers' work: finance or admin.
fn may_change(caller: &Identity) -> Result<(), ApiError> {
    if caller
        .roles
        .iter()
        .any(|r| matches!(r, Role::Finance | Role::Admin))
    {
        Ok(())
    } else {
        Err(ApiError::NotPermitted {
            code: "not_permitted",
            message: format!(
                "{} may not change closings: it takes the finance or admin role",
                caller.id
            ),
        })
    }
}

/// The company id (a positive integer) and the period (`YYYY-MM`, month
/// 01–12) of the path.
pub(crate) fn closing_path((company, period): (String, String)) -> Result<(i64, String), ApiError> {
    let company_id = company
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError::InvalidClosingPath(format!(
                "company `{company}` is not an Odoo company id (a positive integer)"
            ))
        })?;
    let valid = period.len() == 7
        && period.as_bytes()[4] == b'-'
        && period[..4].bytes().all(|b| b.is_ascii_digit())
        && period[5..].bytes().all(|b| b.is_ascii_digit())
        && period[5..]
            .parse::<u8>()
            .is_ok_and(|month| (1..=12).contains(&month));
    if !valid {
        return Err(ApiError::InvalidClosingPath(format!(
            "period `{period}` is not a month written YYYY-MM (month 01 to 12)"
        )));
    }
    Ok((company_id, period))
}

impl From<ClosingError> for ApiError {
    fn from(err: ClosingError) -> Self {
        let code = err.kind();
        match err {
            ClosingError::NotFound { .. } => Self::ClosingNotFound(err.to_string()),
            ClosingError::UnknownStep { .. } | ClosingError::NoteRequired { .. } => {
                Self::ClosingRefused {
                    code,
                    message: err.to_string(),
                }
            }
            ClosingError::Completed { .. } | ClosingError::Contended { .. } => {
                Self::ClosingConflict {
                    code,
                    message: err.to_string(),
                }
            }
            ClosingError::Store(err) => err.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(company: &str, period: &str) -> Result<(i64, String), String> {
        closing_path((company.to_owned(), period.to_owned())).map_err(|e| e.to_string())
    }

    #[test]
    fn a_company_id_and_a_month_are_accepted() {
        assert_eq!(path("1", "2026-02"), Ok((1, "2026-02".to_owned())));
        assert_eq!(path("42", "2026-12"), Ok((42, "2026-12".to_owned())));
    }

    #[test]
    fn other_companies_and_periods_are_refused_naming_the_part() {
        for company in ["0", "-3", "acme", ""] {
            assert!(path(company, "2026-02").unwrap_err().contains("company"));
        }
        for period in [
            "2026-13",
            "2026-00",
            "2026-2",
            "26-02",
            "2026/02",
            "2026-02-01",
            "2026-+2",
        ] {
            assert!(
                path("1", period).unwrap_err().contains("period"),
                "{period}"
            );
        }
    }
}

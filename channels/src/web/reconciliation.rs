//! `POST /api/reconciliation/confirmations`: a person confirms that a bank
//! statement line settles an entry (spec 2.8). The line and the entry are
//! read again from Odoo as the caller's Odoo user, and the rule the match
//! teaches is stored for the line's journal; nothing is written to Odoo.
//! Runs as the identity of the presented API key, which must hold the
//! finance or admin role.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tools::automations::bank_reconciliation::{
    ConfirmError, Confirmation, StoredRule, confirm_match,
};
use tools::odoo_client::OdooError;
use tools::{FINANCE, Identity, permitted};

use super::error::ApiError;
use super::extract::ApiJson;
use super::state::WebState;

/// The body: which line settles which entry, in which company.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfirmationBody {
    /// Odoo id of the company the line and the entry belong to.
    company_id: i64,
    /// `account.bank.statement.line` id.
    statement_line_id: i64,
    /// `account.move` id of the invoice, bill or refund the line settles.
    move_id: i64,
}

/// The stored rule, as answered.
#[derive(Debug, Serialize)]
pub(crate) struct RuleBody {
    id: i64,
    company_id: i64,
    journal_id: i64,
    bank_text: Option<String>,
    bank_partner: Option<String>,
    entry_ref: Option<String>,
    entry_partner: Option<String>,
    use_count: u64,
    created_at: DateTime<Utc>,
}

impl From<StoredRule> for RuleBody {
    fn from(stored: StoredRule) -> Self {
        Self {
            id: stored.rule.id,
            company_id: stored.company_id,
            journal_id: stored.journal_id,
            bank_text: stored.rule.bank_text,
            bank_partner: stored.rule.bank_partner,
            entry_ref: stored.rule.entry_ref,
            entry_partner: stored.rule.entry_partner,
            use_count: stored.use_count,
            created_at: stored.created_at,
        }
    }
}

/// `POST /api/reconciliation/confirmations`: 201 with the rule (the same
/// rule again when the match teaches nothing new).
pub(crate) async fn confirm(
    State(state): State<Arc<WebState>>,
    Extension(caller): Extension<Identity>,
    ApiJson(body): ApiJson<ConfirmationBody>,
) -> Result<(StatusCode, Json<RuleBody>), ApiError> {
    if !permitted(&caller, FINANCE) {
        return Err(ApiError::NotPermitted {
            code: "not_permitted",
            message: format!(
                "{} may not confirm bank matches: it takes the finance or admin role",
                caller.id
            ),
        });
    }
    for (field, value) in [
        ("company_id", body.company_id),
        ("statement_line_id", body.statement_line_id),
        ("move_id", body.move_id),
    ] {
        if value <= 0 {
            return Err(ApiError::BadRequest(format!(
                "{field}: expected a positive Odoo id, got {value}"
            )));
        }
    }
    let odoo = state.runtime.odoo().ok_or_else(|| {
        ApiError::OdooUnavailable(
            "this server has no Odoo connection, so matches cannot be confirmed".to_owned(),
        )
    })?;
    let client = odoo
        .connector
        .client_for(&caller)
        .await
        .map_err(odoo_error)?;
    let confirmation = Confirmation {
        company_id: body.company_id,
        statement_line_id: body.statement_line_id,
        move_id: body.move_id,
    };
    let rule = confirm_match(
        &client,
        state.runtime.rules().as_ref(),
        confirmation,
        Utc::now(),
    )
    .await
    .map_err(confirm_error)?;
    Ok((StatusCode::CREATED, Json(RuleBody::from(rule))))
}

fn confirm_error(err: ConfirmError) -> ApiError {
    let code = err.kind();
    let message = err.to_string();
    match err {
        ConfirmError::LineNotFound(_) | ConfirmError::MoveNotFound(_) => {
            ApiError::RecordNotFound(message)
        }
        ConfirmError::OtherCompany { .. } | ConfirmError::NothingToLearn { .. } => {
            ApiError::MatchRefused { code, message }
        }
        ConfirmError::Odoo(err) => odoo_error(err),
        ConfirmError::BadRecord(_) | ConfirmError::Store(_) => ApiError::Internal {
            kind: code,
            detail: message,
        },
    }
}

fn odoo_error(err: OdooError) -> ApiError {
    match err {
        OdooError::UnmappedIdentity { .. } => ApiError::NotPermitted {
            code: "no_odoo_user",
            message: err.to_string(),
        },
        OdooError::AccessDenied { .. } => ApiError::NotPermitted {
            code: "odoo_access_denied",
            message: err.to_string(),
        },
        other => ApiError::OdooUnavailable(other.to_string()),
    }
}

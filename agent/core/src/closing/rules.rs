//! The rules of spec 1.5, on plain values: a scan starts or refreshes a
//! closing without reopening what a person marked done; a step with items
//! needs a note to be marked done; `final_review` is never resolved by a
//! scan; the closing completes when every step is done or resolved, and
//! only an explicit reopen changes a completed closing.

use chrono::{DateTime, Utc};
use serde_json::Value;
use tools::automations::CompanyRef;
use tools::automations::month_end_closing_scan::{CheckKey, ClosingData, Status};

use super::types::{
    Closing, ClosingError, ClosingStatus, HumanStatus, Step, StepChange, StepState,
};

/// A scan to record: whose books, what was found (also as JSON, kept with
/// the closing), for whom, and when Odoo was read.
pub struct Scan<'a> {
    pub company: &'a CompanyRef,
    pub data: &'a ClosingData,
    pub data_json: Value,
    pub by: &'a str,
    pub at: DateTime<Utc>,
}

/// A new closing holding `scan`, every step open for people.
pub(crate) fn start(scan: &Scan<'_>, now: DateTime<Utc>) -> Closing {
    let mut closing = Closing {
        company_id: scan.company.id,
        company_name: scan.company.name.clone(),
        period: scan.data.period.clone(),
        status: ClosingStatus::Open,
        completed_by: None,
        completed_at: None,
        readiness: 0,
        risk_level: scan.data.risk_level,
        scanned_at: scan.at,
        scanned_by: String::new(),
        steps: Vec::new(),
        scan: Value::Null,
        version: 0,
        created_at: now,
        updated_at: now,
    };
    refresh(&mut closing, scan, now);
    closing
}

/// Takes the counts, amounts and statuses of `scan` into an open closing;
/// what people set stays. A check the closing has no step for yet gets
/// one. Returns false, changing nothing, when the closing is completed.
pub(crate) fn refresh(closing: &mut Closing, scan: &Scan<'_>, now: DateTime<Utc>) -> bool {
    if closing.status == ClosingStatus::Completed {
        return false;
    }
    for check in &scan.data.checks {
        let index = match closing.steps.iter().position(|s| s.key == check.key) {
            Some(index) => index,
            None => {
                closing.steps.push(Step {
                    key: check.key,
                    label: check.label.clone(),
                    severity: check.severity,
                    scan_status: check.status,
                    item_count: 0,
                    amount: None,
                    state: StepState::Open,
                    human_status: HumanStatus::Open,
                    changed_by: None,
                    changed_at: None,
                    note: None,
                });
                closing.steps.len() - 1
            }
        };
        let step = &mut closing.steps[index];
        step.label.clone_from(&check.label);
        step.severity = check.severity;
        step.scan_status = check.status;
        step.item_count = check.item_count;
        step.amount = check.amount;
        step.state = state_of(step);
    }
    closing.steps.sort_by_key(|s| s.key.order());
    closing.company_name.clone_from(&scan.company.name);
    closing.readiness = scan.data.readiness;
    closing.risk_level = scan.data.risk_level;
    closing.scanned_at = scan.at;
    closing.scanned_by = scan.by.to_owned();
    closing.scan = scan.data_json.clone();
    closing.updated_at = now;
    true
}

/// Applies a person's change to one step, and completes the closing when
/// no step is left open.
pub(crate) fn change_step(
    closing: &mut Closing,
    change: &StepChange,
    now: DateTime<Utc>,
) -> Result<(), ClosingError> {
    if closing.status == ClosingStatus::Completed {
        return Err(ClosingError::Completed {
            company_id: closing.company_id,
            period: closing.period.clone(),
        });
    }
    let key = CheckKey::parse(&change.key).ok_or_else(|| ClosingError::UnknownStep {
        key: change.key.clone(),
        valid: CheckKey::ALL
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let Some(step) = closing.steps.iter_mut().find(|s| s.key == key) else {
        return Err(ClosingError::UnknownStep {
            key: change.key.clone(),
            valid: closing
                .steps
                .iter()
                .map(|s| s.key.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    if change.status == HumanStatus::Done && step.item_count > 0 && note.is_none() {
        return Err(ClosingError::NoteRequired {
            key: key.as_str().to_owned(),
            items: step.item_count,
        });
    }
    step.human_status = change.status;
    step.changed_by = Some(change.by.clone());
    step.changed_at = Some(now);
    step.note = note.map(str::to_owned);
    step.state = state_of(step);
    closing.updated_at = now;
    if closing.steps.iter().all(|s| s.state != StepState::Open) {
        closing.status = ClosingStatus::Completed;
        closing.completed_by = Some(change.by.clone());
        closing.completed_at = Some(now);
    }
    Ok(())
}

/// Reopens a completed closing so it can be rescanned and changed. Its
/// final review goes back to open: the closing was completed on that
/// review, which no longer holds. An open closing is left as it is.
pub(crate) fn reopen(closing: &mut Closing, by: &str, now: DateTime<Utc>) {
    if closing.status == ClosingStatus::Open {
        return;
    }
    closing.status = ClosingStatus::Open;
    closing.completed_by = None;
    closing.completed_at = None;
    if let Some(review) = closing
        .steps
        .iter_mut()
        .find(|s| s.key == CheckKey::FinalReview)
    {
        review.human_status = HumanStatus::Open;
        review.changed_by = Some(by.to_owned());
        review.changed_at = Some(now);
        review.note = Some("closing reopened".to_owned());
        review.state = state_of(review);
    }
    closing.updated_at = now;
}

/// Done when a person says so; else resolved when the scan found nothing
/// to do, except the final review, which only a person completes.
fn state_of(step: &Step) -> StepState {
    match step.human_status {
        HumanStatus::Done => StepState::Done,
        HumanStatus::Open => {
            let clean = matches!(step.scan_status, Status::Ok | Status::NotApplicable);
            if clean && step.key != CheckKey::FinalReview {
                StepState::Resolved
            } else {
                StepState::Open
            }
        }
    }
}

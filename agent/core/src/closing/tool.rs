//! `closing_checklist`: scans a month with `month_end_closing_scan` and
//! records the result in the month's closing, then answers with the
//! checklist: each step's state, counts and who marked it done. Marking
//! steps is for people (the HTTP API), never for the model.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tools::automations::events::{
    EventKind, EventSeverity, ProductEvent, ProductEvents, record_all,
};
use tools::automations::month_end_closing_scan::{
    CheckKey, MonthEndClosingScan, MonthEndClosingScanArgs, RiskLevel, Severity, Status,
};
use tools::automations::{Envelope, MAX_SUMMARY_CHARS, clip};
use tools::{OdooAccess, Tool, ToolCtx, ToolError, ToolKind};

use super::rules::Scan;
use super::service::Closings;
use super::store::ClosingStore;
use super::types::{Closing, ClosingError, ClosingStatus, Step, StepState};

/// Semver of the checklist's answer; bump when its content changes.
pub const TOOL_VERSION: &str = "1.0.0";

/// Scans a month and keeps the closing's checklist up to date.
pub struct ClosingChecklist {
    scan: MonthEndClosingScan,
    closings: Arc<dyn ClosingStore>,
    /// Where checks turning to attention on a rescan are recorded.
    events: Option<Arc<dyn ProductEvents>>,
}

impl ClosingChecklist {
    pub fn new(scan: MonthEndClosingScan, closings: Arc<dyn ClosingStore>) -> Self {
        Self {
            scan,
            closings,
            events: None,
        }
    }

    /// Records in `events` each check a rescan finds needing attention
    /// that the previous scan found clean (spec 7.2 `anomalies`).
    pub fn with_events(mut self, events: Arc<dyn ProductEvents>) -> Self {
        self.events = Some(events);
        self
    }
}

/// The checks of `after` needing attention whose status in `before` was
/// anything else; a first scan has nothing to turn from.
pub fn turned_to_attention<'a>(before: &Closing, after: &'a Closing) -> Vec<&'a Step> {
    after
        .steps
        .iter()
        .filter(|step| step.scan_status == Status::Attention)
        .filter(|step| {
            before
                .steps
                .iter()
                .any(|b| b.key == step.key && b.scan_status != Status::Attention)
        })
        .collect()
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosingChecklistArgs {
    /// The month being closed, written YYYY-MM (year 2000–2100, month
    /// 01–12), not later than the current month. Example: "2026-02"
    pub period: String,
    /// Odoo id of the company. Omit for the user's current company.
    #[serde(default)]
    pub company_id: Option<i64>,
}

/// The checklist as the tool answers it (spec 1.5), in the envelope of
/// spec 0.1 taken from the scan it ran.
pub type ClosingChecklistOutput = Envelope<ChecklistData>;

/// The tool's `data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistData {
    pub company_id: i64,
    pub period: String,
    pub status: ClosingStatus,
    /// False when the closing is completed: the scan was not recorded, and
    /// a person has to reopen the closing first.
    pub rescanned: bool,
    pub completed_by: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub readiness: u32,
    pub risk_level: RiskLevel,
    pub scanned_at: DateTime<Utc>,
    pub steps: Vec<StepLine>,
}

/// One step of the checklist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepLine {
    pub key: CheckKey,
    pub label: String,
    pub state: StepState,
    pub item_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub done_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ChecklistData {
    fn new(closing: &Closing, rescanned: bool) -> Self {
        Self {
            company_id: closing.company_id,
            period: closing.period.clone(),
            status: closing.status,
            rescanned,
            completed_by: closing.completed_by.clone(),
            completed_at: closing.completed_at,
            readiness: closing.readiness,
            risk_level: closing.risk_level,
            scanned_at: closing.scanned_at,
            steps: closing
                .steps
                .iter()
                .map(|s| {
                    let done = s.state == StepState::Done;
                    StepLine {
                        key: s.key,
                        label: s.label.clone(),
                        state: s.state,
                        item_count: s.item_count,
                        amount: s.amount,
                        done_by: s.changed_by.clone().filter(|_| done),
                        done_at: s.changed_at.filter(|_| done),
                        note: s.note.clone(),
                    }
                })
                .collect(),
        }
    }
}

/// `Closing 2026-02 (Harbourline): open, readiness 65/100; open:
/// bank_unreconciled (12), final_review; done: draft_entries; 7 resolved.`
pub fn checklist_summary(data: &ChecklistData, company: &str) -> String {
    let keys = |state: StepState| -> Vec<String> {
        data.steps
            .iter()
            .filter(|s| s.state == state)
            .map(|s| {
                if s.item_count > 0 {
                    format!("{} ({})", s.key.as_str(), s.item_count)
                } else {
                    s.key.as_str().to_owned()
                }
            })
            .collect()
    };
    let open = keys(StepState::Open);
    let done = keys(StepState::Done);
    let resolved = data
        .steps
        .iter()
        .filter(|s| s.state == StepState::Resolved)
        .count();
    let mut text = format!(
        "Closing {} ({company}): {}, readiness {}/100",
        data.period,
        data.status.as_str(),
        data.readiness
    );
    if !data.rescanned {
        text.push_str(" (completed: not rescanned; a person must reopen it first)");
    }
    for (label, list) in [("open", &open), ("done", &done)] {
        if !list.is_empty() {
            text.push_str(&format!("; {label}: {}", list.join(", ")));
        }
    }
    text.push_str(&format!("; {resolved} resolved."));
    clip(&text, MAX_SUMMARY_CHARS)
}

/// `Closing 2026-02: Unreconciled bank lines needs attention (12 items)`,
/// keyed by period, check and scan time, so a check that turns again after
/// being fixed is reported again.
fn attention_event(closing: &Closing, step: &Step, by: &str) -> ProductEvent {
    let severity = match step.severity {
        Severity::Critical | Severity::High => EventSeverity::High,
        Severity::Medium => EventSeverity::Medium,
        Severity::Low => EventSeverity::Low,
    };
    ProductEvent {
        company_id: closing.company_id,
        kind: EventKind::ClosingAttention,
        key: format!(
            "{}/{}/{}",
            closing.period,
            step.key.as_str(),
            closing.scanned_at.to_rfc3339()
        ),
        severity,
        description: format!(
            "Closing {}: {} needs attention ({} items; rescan by {by})",
            closing.period, step.label, step.item_count
        ),
        source: ClosingChecklist::NAME.to_owned(),
        occurred_at: closing.scanned_at,
    }
}

impl Tool for ClosingChecklist {
    const NAME: &'static str = "closing_checklist";
    const KIND: ToolKind = ToolKind::Read;
    type Args = ClosingChecklistArgs;
    type Output = ClosingChecklistOutput;

    fn description(&self) -> &'static str {
        "Starts or refreshes the closing checklist of one month (YYYY-MM): runs the month-end \
         closing scan, records it, and answers with each step's state (open, done by a person \
         with who, when and note, or resolved when the scan finds nothing left), the readiness \
         and whether the closing is completed. Steps a person marked done stay done. Use it \
         when someone works through a month-end close; people mark steps done themselves."
    }

    fn access(&self) -> &'static [OdooAccess] {
        self.scan.access()
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let scanned = self
            .scan
            .call(
                ctx,
                MonthEndClosingScanArgs {
                    period: args.period,
                    company_id: args.company_id,
                    stale_after_days: None,
                    checks: None,
                    detail_limit: None,
                    narrative: Some(false),
                    export: None,
                },
            )
            .await?;
        let data_json = serde_json::to_value(&scanned.data)
            .map_err(|err| ToolError::Internal(format!("cannot serialise the scan: {err}")))?;
        let by = ctx.identity.id.to_string();
        let scan = Scan {
            company: &scanned.company,
            data: &scanned.data,
            data_json,
            by: &by,
            at: scanned.as_of,
        };
        let before = match &self.events {
            Some(_) => self
                .closings
                .closing(scanned.company.id, &scanned.data.period)
                .await
                .unwrap_or_else(|err| {
                    tracing::warn!(error = %err, "cannot read the closing before the rescan");
                    None
                }),
            None => None,
        };
        let (closing, rescanned) = Closings::new(self.closings.as_ref())
            .record_scan(&scan)
            .await
            .map_err(|err| match err {
                ClosingError::Store(err) => {
                    tracing::error!(error = %err, "storing the closing failed");
                    ToolError::Internal("storing the closing failed".to_owned())
                }
                other => ToolError::Internal(other.to_string()),
            })?;
        if let (Some(events), Some(before), true) = (&self.events, &before, rescanned) {
            let turned: Vec<ProductEvent> = turned_to_attention(before, &closing)
                .into_iter()
                .map(|step| attention_event(&closing, step, &by))
                .collect();
            record_all(events.as_ref(), &turned).await;
        }
        let data = ChecklistData::new(&closing, rescanned);
        let summary = checklist_summary(&data, &scanned.company.name);
        Ok(Envelope {
            tool: Self::NAME.to_owned(),
            tool_version: TOOL_VERSION.to_owned(),
            company: scanned.company,
            odoo_version: scanned.odoo_version,
            as_of: scanned.as_of,
            timezone: scanned.timezone,
            data,
            warnings: scanned.warnings,
            truncated: scanned.truncated,
            summary,
            proposals: Vec::new(),
            files: Vec::new(),
        })
    }
}

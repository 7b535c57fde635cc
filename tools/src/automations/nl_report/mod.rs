//! `nl_report` (spec section 6): a free-text reporting question answered
//! with a table computed by Odoo, exportable as CSV or XLSX.
//!
//! The question becomes a typed [`ReportPlan`] over the fixed `catalog`
//! (from the model, or from `keywords` without one); `plan` checks it,
//! `period` resolves named periods against today in the company's zone,
//! `resolve` binds it to this Odoo's models and fields, `execute` runs the
//! grouped reads (with `convert` adding documents in another currency at
//! their date's rate), `compose` joins a comparison and builds the table, and
//! `tool` wraps it in the envelope. Only search, read, grouped read and
//! count calls are made: the tool cannot change Odoo (spec 6.7).

mod catalog;
mod compose;
mod convert;
mod execute;
mod keywords;
mod output;
mod period;
mod plan;
mod resolve;
mod tool;

pub use catalog::{Dataset, DimensionKey, MeasureKey};
pub use execute::CURRENCY_CONVERSION;
pub use keywords::{EXAMPLES, KeywordPlan, plan_from_keywords};
pub use output::{ComparedPeriod, Interpretation, NlReportData, NlReportOutput, PlanSource};
pub use period::{PeriodExpr, PeriodRange};
pub use plan::{
    Agg, Compare, DEFAULT_MAX_ROWS, DimensionSpec, FilterField, FilterOp, FilterSpec, Granularity,
    MAX_ROWS, MeasureSpec, NlReportArgs, OrderSpec, PeriodSpec, ReportFormat, ReportPlan,
};
pub use resolve::FALLBACK;
pub use tool::{DEFAULT_SCAN_CAP, IGNORED, NlReport, SavedRun, TOOL_VERSION, run_saved_plan};

//! `cash_flow_forecast` (spec section 5): the company's bank balance
//! projected day by day from its opening balance, open receivables and
//! payables, the weighted pipeline, orders not yet invoiced and recurring
//! vendor bills, with an uncertainty band, cash gaps and typed what-if
//! scenarios.
//!
//! `read` takes one snapshot from Odoo; `compute` dates its items and
//! projects the balance (pure); `recurring` finds vendors whose bills
//! recur; `scenario` applies adjustments to a copy of the same items;
//! `accuracy` scores stored predictions against actual balances (spec
//! 5.8) and `history` keeps them; `tool` runs a call and builds the envelope. The tool never
//! changes Odoo.

mod accuracy;
mod args;
mod compute;
mod config;
mod history;
mod output;
mod read;
mod recurring;
mod scenario;
mod tool;

pub use accuracy::{BucketAccuracy, LeadBucket, Observation, Prediction, accuracy, predictions};
pub use args::CashFlowForecastArgs;
pub use compute::{
    Assumptions, Beyond, DayBalance, Flow, FlowItem, Flows, Gaps, Granularity, OpenDocument,
    OpenOrder, Opportunity, Overdue, PartnerRef, Point, Projection, ProjectionParams, RecordRef,
    Snapshot, Source, VendorBill, flow_items, project,
};
pub use config::{ForecastConfig, ForecastConfigError};
pub use history::{
    ForecastHistory, ForecastHistoryError, ForecastRun, MemoryForecastHistory, StoredForecast,
};
pub use output::{AssumptionsOut, CitedItem, ForecastData, Impact, JournalRef, ScenarioResult};
pub use recurring::{Cadence, Detection, RecurringSeries, detect, occurrences};
pub use scenario::{Adjustment, AdjustmentArg, apply};
pub use tool::{CashFlowForecast, Clock, RecordedBalance, TOOL_VERSION};

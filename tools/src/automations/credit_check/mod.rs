//! `credit_check` (spec section 3): a customer's credit score from its
//! payment behaviour and exposure, and whether a new order should be
//! allowed, warned or blocked; or, in portfolio mode, the riskiest
//! customers with open receivables.
//!
//! `compute` is pure (facts in, assessment out); `read` gathers the facts
//! from Odoo with grouped reads; `tool` validates arguments and builds the
//! envelope. The tool never changes Odoo: the hold facts in its output are
//! what a later `block_sales`/`unblock_sales` proposal needs.

mod compute;
mod config;

pub use compute::{
    Assessment, Band, Buckets, Component, Components, Exposure, LimitFacts, LimitSource, OpenItems,
    OrderCheck, OrderFacts, Overdue, PaidInvoice, PartnerFacts, PastDue, PaymentFacts, Reason,
    Verdict, assess,
};
pub use config::{
    BandThresholds, CreditCheckConfig, CreditConfigError, MAX_TOP, ScoringConfig, Steps, Weights,
};

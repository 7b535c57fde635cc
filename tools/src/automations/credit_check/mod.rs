//! `credit_check` (spec section 3): a customer's credit score from its
//! payment behaviour and exposure, and whether a new order should be
//! allowed, warned or blocked; or, in portfolio mode, the riskiest
//! customers with open receivables.
//!
//! `compute` is pure (facts in, assessment out); `read` gathers the facts
//! from Odoo with grouped reads; `args` checks the arguments; `tool` runs a
//! call and builds the envelope. The tool never changes Odoo: the hold
//! facts in its output are what a later `block_sales`/`unblock_sales`
//! proposal (spec 3.8) needs.

mod args;
mod compute;
mod config;
mod output;
mod read;
mod tool;

pub use args::{CreditCheckArgs, CreditMode};
pub use compute::{
    AgeInputs, Assessment, Band, Buckets, Component, Components, Exposure, LimitFacts, LimitSource,
    OpenItems, OrderCheck, OrderFacts, Overdue, OverdueInputs, PaidInvoice, PartnerFacts, PastDue,
    PaymentFacts, PaymentInputs, Reason, Verdict, VolumeInputs, assess,
};
pub use config::{
    BandThresholds, CreditCheckConfig, CreditConfigError, MAX_TOP, ScoringConfig, Steps, Weights,
};
pub use output::{
    CreditData, HoldAction, HoldFacts, Link, OrderInput, PartnerCredit, PartnerRef,
    PortfolioCredit, PortfolioRow,
};
pub use tool::{CreditCheck, TOOL_VERSION};

// Shared with the other automations that convert or display money.
pub(crate) use read::{rate_history, rate_on};

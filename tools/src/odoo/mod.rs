//! Talking to Odoo: typed search domains, an in-memory evaluator with
//! Odoo's semantics for the fake server, and typed reading of field values.
//!
//! Domains are built and checked here so that no caller assembles a domain
//! from strings; nothing in this module sends a request.

mod domain;
mod error;
mod eval;
mod op;
mod parse;
mod scalar;
mod values;

pub use domain::{Domain, Leaf};
pub use error::DomainError;
pub use eval::{RecordView, matches};
pub use op::Op;
pub use values::{Ref, ValueError, date, datetime, many2one, money, text};

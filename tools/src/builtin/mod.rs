//! Small tools that need no Odoo: the date and time in a zone, and exact
//! decimal arithmetic (models are poor at both).

mod calculate;
mod datetime;

pub use calculate::{Calculate, CalculateArgs, CalculateOutput};
pub use datetime::{Clock, CurrentDatetime, CurrentDatetimeArgs, CurrentDatetimeOutput};

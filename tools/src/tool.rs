//! The `Tool` contract every automation implements.

use std::future::Future;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::attachment::Attachment;
use crate::proposals::Proposal;
use crate::{Identity, Role, ToolError};

/// Every role, the default of [`Tool::roles`].
pub const ALL_ROLES: [Role; 4] = [Role::Finance, Role::Sales, Role::Warehouse, Role::Admin];

/// Finance and administrators: tools over the books.
pub const FINANCE: &[Role] = &[Role::Finance, Role::Admin];

/// Whether `identity` may use a tool open to `roles`: it holds one of
/// them, or it is an administrator.
pub fn permitted(identity: &Identity, roles: &[Role]) -> bool {
    identity
        .roles
        .iter()
        .any(|held| *held == Role::Admin || roles.contains(held))
}

/// Whether a tool only reads, or proposes a change that a person must approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    Read,
    Write,
}

/// What a tool does with an Odoo model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OdooOperation {
    Read,
    Write,
}

/// One Odoo model a tool needs access to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OdooAccess {
    pub model: &'static str,
    pub operation: OdooOperation,
}

impl OdooAccess {
    pub const fn read(model: &'static str) -> Self {
        Self {
            model,
            operation: OdooOperation::Read,
        }
    }
}

/// The short text the model sees instead of the full output.
pub trait Summarize {
    fn summary(&self) -> String;

    /// The write proposals attached to the output (spec 0.6); most outputs
    /// have none.
    fn proposals(&self) -> Vec<Proposal> {
        Vec::new()
    }

    /// Files produced by the call (CSV/XLSX exports), handed to the server
    /// outside the JSON output so their bytes never reach the model.
    fn attachments(&self) -> Vec<Attachment> {
        Vec::new()
    }
}

/// Everything a tool call may use: who asks, until when, and how to notice
/// cancellation. Tools never reach for globals.
#[derive(Debug, Clone)]
pub struct ToolCtx {
    pub identity: Identity,
    /// When the turn must end; tool calls are cut off at this point.
    pub deadline: tokio::time::Instant,
    pub cancel: CancellationToken,
    /// Who made the call: a model in a turn, or a saved job.
    pub origin: CallOrigin,
}

/// Who made a tool call. Tools that report where their input came from
/// (`nl_report`'s plan source) read it, so that a saved report run by the
/// scheduler is never labelled as planned by a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOrigin {
    /// A model's tool call in a turn (and tests standing in for one).
    Model,
    /// A saved job (a report or digest schedule) run by the scheduler: its
    /// arguments were saved by a person, no model is involved.
    Schedule,
}

/// A typed tool. Registered in a [`crate::ToolRegistry`], which erases it
/// into a [`crate::DynTool`].
pub trait Tool: Send + Sync + 'static {
    /// snake_case, verb first: `check_credit`.
    const NAME: &'static str;
    const KIND: ToolKind;
    type Args: DeserializeOwned + JsonSchema + Send;
    type Output: Serialize + Summarize + Send;

    /// Written for the model: what the tool answers and when to use it.
    fn description(&self) -> &'static str;

    /// The Odoo models the tool reads or writes.
    fn access(&self) -> &'static [OdooAccess];

    /// The roles whose holders may use the tool; an administrator may use
    /// every tool. Every role by default: tools that read one department's
    /// figures (closing, forecasts) narrow it.
    fn roles(&self) -> &'static [Role] {
        &ALL_ROLES
    }

    fn call(
        &self,
        ctx: &ToolCtx,
        args: Self::Args,
    ) -> impl Future<Output = Result<Self::Output, ToolError>> + Send;
}

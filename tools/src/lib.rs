//! The `Tool` contract, the `ToolRegistry` that dispatches model tool calls,
//! and the tools themselves.
//!
//! This crate knows nothing of chat channels or LLM providers: it turns a tool
//! name plus raw JSON arguments into a typed call and a model-facing result.

pub mod attachment;
pub mod automations;
pub mod builtin;
pub mod demo;
mod error;
pub mod exports;
mod identity;
pub mod odoo;
pub mod odoo_client;
pub mod proposals;
pub mod records;
mod registry;
mod schema;
mod tool;

pub use error::ToolError;
pub use identity::{Identity, IdentityId, Role};
pub use registry::{
    DispatchOutcome, DynTool, RegistryError, ToolRegistry, ToolRegistryBuilder, ToolSpec,
    ToolSuccess,
};
pub use schema::{SchemaError, tool_schema};
pub use tool::{
    ALL_ROLES, CallOrigin, FINANCE, OdooAccess, OdooOperation, Summarize, Tool, ToolCtx, ToolKind,
    permitted,
};

#[cfg(any(test, feature = "testing"))]
pub mod stub_report;

/// A context for unit tests: the local operator, a 30 s deadline, never
/// cancelled.
#[cfg(any(test, feature = "testing"))]
pub fn testing_ctx() -> ToolCtx {
    ToolCtx {
        identity: Identity::local_operator(),
        deadline: tokio::time::Instant::now() + std::time::Duration::from_secs(30),
        cancel: tokio_util::sync::CancellationToken::new(),
        origin: CallOrigin::Model,
    }
}

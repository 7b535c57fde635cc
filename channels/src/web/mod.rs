//! The HTTP API and the web chat: `GET /` (the chat page, see `page`),
//! `GET /health`, `POST /api/chat` (JSON or Server-Sent Events),
//! `GET /api/threads/{id}`, `GET /api/attachments/{id}` (the files tool
//! calls produced), the proposal decisions, the closing checklist under
//! `/api/closings/{company}/{period}`, bank match confirmations under
//! `/api/reconciliation/confirmations`, plus serving with graceful shutdown.
//!
//! `/api/*` takes a bearer key compared in constant time. Every error is
//! JSON, `{"error": {"code", "message"}}`. The module knows the runtime's
//! public API only: turns run in the runtime's own tasks, so a client that
//! disconnects never cuts a turn short.

mod api;
mod attachments;
mod auth;
mod closings;
mod error;
mod extract;
mod page;
mod proposals;
mod reconciliation;
mod router;
mod schedules;
mod serve;
mod sse;
mod state;

pub use error::ApiError;
pub use router::router;
pub use serve::{serve, shutdown_signal};
pub use state::WebState;

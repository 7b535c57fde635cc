//! Chat channels and the HTTP API: how people reach the agent.
//!
//! Each channel turns a platform's requests into [`agent::turn::TurnRequest`]s
//! for the shared [`agent::Runtime`] and renders what comes back. Channels
//! know their platform's wire format, authentication and limits; they know
//! nothing of providers, tools or storage beyond the runtime's API.

pub mod web;

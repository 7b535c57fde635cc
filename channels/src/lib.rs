//! Chat channels and the HTTP API: how people reach the agent.
//!
//! Each chat channel verifies its platform's requests, resolves the sender
//! to an identity and stores the message with [`agent::ingress::Ingress`]
//! before acknowledging; the ingress workers run the turn and hand the
//! [`agent::ingress::Reply`] back to the channel's sink, which renders it
//! natively ([`render`]). The HTTP API ([`web`]) runs turns directly for
//! API clients and the web chat. Channels know their platform's wire
//! format, authentication and limits; they know nothing of providers,
//! tools or storage beyond the runtime's API.

pub mod decide;
mod delivery;
pub mod discuss;
mod mount;
mod multipart;
pub mod render;
pub mod slack;
pub mod telegram;
pub mod verify;
pub mod web;
pub mod whatsapp;

pub use mount::{ChannelContext, MountError, Mounted, mount};

//! Integration tests of the channels crate: one binary, one module per area.
//! Servers run on `127.0.0.1:0` with the real SQLite store (in memory) and a
//! scripted provider.

mod api;
mod attachments;
mod auth;
mod browser;
mod channel_server;
mod closings;
mod discuss;
mod health;
mod page;
mod proposals;
mod reconciliation;
mod schedules;
mod shutdown;
mod slack;
mod slack_cards;
mod slack_commands;
mod slack_fake;
mod slack_setup;
mod slack_socket;
mod stream;
mod support;
mod telegram;
mod trace;
mod webchat_fixture;
mod whatsapp;
mod whatsapp_fake;

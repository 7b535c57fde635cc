//! Anthropic Messages API provider, on plain reqwest.
//!
//! It builds the request (with prompt-caching breakpoints on the system
//! prompt and the tool list), parses the server-sent event stream into
//! chat events and classifies failures into provider errors. It does not
//! retry: the retry policy does. It never logs the API key or the request
//! and response content, only their sizes.

mod client;
mod stream;
mod wire;

pub use client::AnthropicProvider;

//! The agent: configuration, the turn loop, LLM providers, conversation
//! storage and prompt rendering.
//!
//! It knows nothing of chat platforms: channels call [`Runtime`] and render
//! what it returns.

mod crypto;
pub mod provider;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

pub use crypto::init_crypto;

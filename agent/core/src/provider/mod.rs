//! LLM providers behind one streaming contract.
//!
//! A provider turns a [`ChatRequest`] into a stream of [`ChatEvent`]s. It does
//! not retry on its own: [`RetryPolicy`] is the one place that does.

mod anthropic;
mod cassette;
mod openai_compat;
mod record;
mod replay;
mod retry;
mod types;

pub use anthropic::AnthropicProvider;
pub use cassette::{Cassette, Interaction, Matching, RecordedRequest, RecordedTool};
pub use openai_compat::OpenAiCompatProvider;
pub use record::{REDACTED, RecordingProvider, Scrubber};
pub use replay::{ReplayError, ReplayProvider};
pub use retry::RetryPolicy;
pub use types::{
    Answer, Capabilities, ChatEvent, ChatRequest, ChatStream, ContentBlock, Message, MessageRole,
    ProviderError, StopReason, ToolCall, Usage, collect,
};

use async_trait::async_trait;

/// One LLM backend.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Stable name: `anthropic`, `openai`, `replay`; used as `gen_ai.system`.
    fn name(&self) -> &str;
    fn capabilities(&self) -> Capabilities;
    /// Starts one streamed chat call. Errors before the first event (HTTP
    /// status, connection) are returned here; later ones arrive in the stream.
    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError>;
}

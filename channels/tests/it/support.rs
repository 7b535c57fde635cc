//! Shared fixtures: a scripted provider, a runtime on an in-memory SQLite
//! store, and a server on a real loopback socket.
//!
//! Helpers panic on failure: a test cannot go on without its fixture.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream;
use secrecy::SecretString;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

use agent::Runtime;
use agent::config::HttpConfig;
use agent::provider::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, ContentBlock, MessageRole, Provider,
    ProviderError, StopReason, ToolCall, Usage,
};
use agent::store::Store;
use channels::web::{self, WebState};

/// Every wait in these tests is bounded by this.
/// One answer every chat renderer's snapshot is taken of: a heading,
/// emphasis, a link with brackets in its URL, inline code, characters the
/// platforms escape (`<`, `&`, `*`, `_`, `#`, `!`, `.`), lists, a table and
/// a code block.
pub const RENDER_SAMPLE: &str = "## Overdue (3)\n\nCustomers **over the limit** by *more* than 10%: \
    see [Harbour B.V.](https://erp.example/odoo/res.partner/7?a=(1)) and `credit_check`, \
    https://erp.example/odoo.\n\n\
    - Bakery <Zoet> & Co: 1,250.00 EUR!\n- Café #2 [closed] snake_case\n\n1. first\n2. second\n\n\
    | Customer | Overdue |\n|---|---:|\n| Harbour | 1,250.00 |\n| Zoet `x` | 80.00 |\n\n\
    ```\nlet a = b\\c;\n```";

pub const WAIT: Duration = Duration::from_secs(10);

pub const API_KEY: &str = "test-key-0123456789abcdef";

/// Tokens the scripted provider reports per call.
pub const CALL_USAGE: Usage = Usage {
    input_tokens: 100,
    output_tokens: 20,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
};

/// Holds each model call until the test releases it.
#[derive(Default)]
pub struct Gate {
    entered: Notify,
    release: Notify,
}

impl Gate {
    /// Waits until a model call is being held.
    pub async fn entered(&self) {
        tokio::time::timeout(WAIT, self.entered.notified())
            .await
            .expect("the model was never called");
    }

    /// Lets the held call (or the next one) answer.
    pub fn release(&self) {
        self.release.notify_one();
    }
}

/// Answers like a model would, decided by the last message:
/// - a tool result: "The result is <summary>." in two text deltas;
/// - user text "calculate <expr>": a `calculate` tool call;
/// - any other text: "You said: <text>".
#[derive(Default)]
pub struct ScriptedProvider {
    gate: Option<Arc<Gate>>,
}

#[async_trait]
impl Provider for ScriptedProvider {
    fn name(&self) -> &str {
        "scripted"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, request: ChatRequest) -> Result<ChatStream, ProviderError> {
        if let Some(gate) = &self.gate {
            gate.entered.notify_one();
            gate.release.notified().await;
        }
        let last = request.messages.last().expect("a request has messages");
        assert_eq!(last.role, MessageRole::User);
        let tool_result = last.content.iter().find_map(|block| match block {
            ContentBlock::ToolResult { content, .. } => Some(content.clone()),
            ContentBlock::Text { .. } | ContentBlock::ToolUse { .. } => None,
        });
        let mut events = match tool_result {
            Some(content) => {
                let content: Value = serde_json::from_str(&content).expect("tool results are JSON");
                let summary = content["summary"].as_str().expect("a summary").to_owned();
                vec![
                    ChatEvent::TextDelta {
                        text: "The result is ".to_owned(),
                    },
                    ChatEvent::TextDelta {
                        text: format!("{summary}."),
                    },
                ]
            }
            None => match last.text().strip_prefix("calculate ") {
                Some(expression) => vec![ChatEvent::ToolCall {
                    call: ToolCall {
                        id: "call_1".to_owned(),
                        name: "calculate".to_owned(),
                        arguments: json!({ "expression": expression }).to_string(),
                    },
                }],
                None => vec![ChatEvent::TextDelta {
                    text: format!("You said: {}", last.text()),
                }],
            },
        };
        let stop_reason = if matches!(events[0], ChatEvent::ToolCall { .. }) {
            StopReason::ToolUse
        } else {
            StopReason::EndTurn
        };
        events.push(ChatEvent::Usage { usage: CALL_USAGE });
        events.push(ChatEvent::Done { stop_reason });
        Ok(Box::pin(stream::iter(events.into_iter().map(Ok))))
    }
}

/// How a test server is set up.
pub struct Setup {
    pub api_key: Option<&'static str>,
    pub max_body_bytes: usize,
    pub gate: Option<Arc<Gate>>,
    pub store: Option<Arc<dyn Store>>,
    /// How long shutdown waits for in-flight turns.
    pub grace: Duration,
    /// People known by their own API keys.
    pub identities: agent::config::Identities,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            api_key: Some(API_KEY),
            max_body_bytes: 64 * 1024,
            gate: None,
            store: None,
            grace: WAIT,
            identities: agent::config::Identities::default(),
        }
    }
}

pub async fn runtime(gate: Option<Arc<Gate>>, store: Option<Arc<dyn Store>>) -> Runtime {
    let store = match store {
        Some(store) => store,
        None => Arc::new(agent::testing::sqlite_store().await),
    };
    agent::testing::runtime(Arc::new(ScriptedProvider { gate }), store)
}

/// A server on a loopback socket, stopped through [`TestServer::shutdown`].
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub runtime: Runtime,
    api_key: Option<&'static str>,
    stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start(setup: Setup) -> Self {
        let runtime = runtime(setup.gate.clone(), setup.store.clone()).await;
        Self::start_with(setup, runtime).await
    }

    /// A server on `runtime` (the setup's gate and store are not used).
    pub async fn start_with(setup: Setup, runtime: Runtime) -> Self {
        agent::init_crypto();
        let config = HttpConfig {
            bind: "127.0.0.1:0".parse().expect("an address"),
            api_key: setup.api_key.map(|key| SecretString::from(key.to_owned())),
            max_body_bytes: setup.max_body_bytes,
            shutdown_grace: setup.grace,
        };
        let listener = TcpListener::bind(config.bind).await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let router = web::router(
            WebState::new(runtime.clone(), &config).with_identities(setup.identities.clone()),
        );
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(web::serve(
            listener,
            router,
            runtime.clone(),
            config.shutdown_grace,
            async move {
                let _ = stopped.await;
            },
        ));
        Self {
            base,
            client: reqwest::Client::new(),
            runtime,
            api_key: setup.api_key,
            stop: Some(stop),
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A POST to `/api/chat` with the right key (if any) and a JSON body.
    pub fn chat(&self, body: &Value) -> reqwest::RequestBuilder {
        self.authorized(self.client.post(self.url("/api/chat")))
            .header("content-type", "application/json")
            .body(body.to_string())
    }

    /// A request with the right key (if any) and, when given, a JSON body.
    pub fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let request = self.authorized(self.client.request(method, self.url(path)));
        match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body.to_string()),
            None => request,
        }
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.authorized(self.client.get(self.url(path)))
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// Resolves the server's shutdown future.
    pub fn trigger_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Status and JSON body of a response.
pub async fn json_response(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|err| panic!("body is not JSON ({err}): {text}"));
    (status, body)
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub event: String,
    pub data: Value,
}

/// Parses the complete events of a `text/event-stream` body; comments
/// (keep-alives) are skipped.
pub fn parse_sse(body: &str) -> Vec<SseEvent> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut event = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event:") {
                    event = Some(name.trim().to_owned());
                } else if let Some(chunk) = line.strip_prefix("data:") {
                    data.push_str(chunk.strip_prefix(' ').unwrap_or(chunk));
                }
            }
            let event = event?;
            let data = serde_json::from_str(&data)
                .unwrap_or_else(|err| panic!("`{event}` data is not JSON ({err}): {data}"));
            Some(SseEvent { event, data })
        })
        .collect()
}

/// The body with the ids of a turn replaced, so that two turns can be
/// compared as whole values.
pub fn without_ids(mut body: Value) -> Value {
    for key in ["thread_id", "turn_id"] {
        if let Some(id) = body.get_mut(key) {
            assert!(
                id.as_str().is_some_and(|s| s.parse::<uuid::Uuid>().is_ok()),
                "{key} is a UUID"
            );
            *id = json!("<id>");
        }
    }
    body
}

/// Reads the stream until its first event and returns its name and data.
pub async fn first_event(response: &mut reqwest::Response) -> (String, Value) {
    let mut body = String::new();
    loop {
        let chunk = tokio::time::timeout(WAIT, response.chunk())
            .await
            .expect("an event in time")
            .unwrap()
            .expect("the stream stays open");
        body.push_str(std::str::from_utf8(&chunk).unwrap());
        let complete = body.rfind("\n\n").map_or("", |end| &body[..end + 2]);
        if let Some(event) = parse_sse(complete).into_iter().next() {
            return (event.event, event.data);
        }
    }
}

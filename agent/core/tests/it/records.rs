//! The record tools in the turn loop: an allow-list refusal reaches the
//! model as an error tool result naming the field, and the corrected call
//! succeeds against a mock Odoo.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use agent::config::TurnLimits;
use agent::provider::{ChatEvent, ContentBlock, StopReason, ToolCall, Usage};
use agent::store::Store;
use agent::testing::{ScriptedProvider, Step};
use agent::turn::TurnRequest;
use pretty_assertions::assert_eq;
use secrecy::SecretString;
use serde_json::{Value, json};
use tools::odoo_client::{OdooClientConfig, OdooDirectory};
use tools::records::{RecordToolsConfig, register_record_tools};
use tools::{Identity, ToolRegistry};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

/// Matches a JSON-RPC call by its `common` method or its `execute_kw`
/// model method.
struct Method(&'static str);

impl Match for Method {
    fn matches(&self, request: &Request) -> bool {
        serde_json::from_slice::<Value>(&request.body).is_ok_and(|body| {
            let params = &body["params"];
            params["method"] == self.0 || params["args"][4] == self.0
        })
    }
}

/// Answers with `result` in Odoo's JSON-RPC envelope.
struct Reply(Value);

impl Respond for Reply {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = serde_json::from_slice::<Value>(&request.body).map(|b| b["id"].clone());
        ResponseTemplate::new(200).set_body_json(
            json!({"jsonrpc": "2.0", "id": id.unwrap_or(Value::Null), "result": self.0}),
        )
    }
}

async fn mock_odoo() -> MockServer {
    agent::init_crypto();
    let server = MockServer::start().await;
    let answers = [
        (
            "version",
            json!({"server_version": "18.0", "server_version_info": [18, 0, 0, "final", 0, ""]}),
        ),
        ("authenticate", json!(7)),
        (
            "fields_get",
            json!({"name": {"type": "char"}, "login": {"type": "char"},
                   "email": {"type": "char"}}),
        ),
        (
            "read",
            json!([{"id": 2, "name": "Mitchell Admin", "login": "admin"}]),
        ),
    ];
    for (method, result) in answers {
        Mock::given(Method(method))
            .respond_with(Reply(result))
            .mount(&server)
            .await;
    }
    server
}

fn registry(server: &MockServer) -> ToolRegistry {
    let connector = Arc::new(OdooDirectory::new(OdooClientConfig {
        url: server.uri().parse().unwrap(),
        db: "acme".to_owned(),
        login: "ops@acme.test".to_owned(),
        api_key: SecretString::from("key"),
        timeout: Duration::from_secs(5),
        max_concurrent_calls: NonZeroUsize::new(2).unwrap(),
        protocol: tools::odoo_client::ProtocolChoice::Auto,
    }));
    let config = RecordToolsConfig::new("https://acme.odoo.example".parse().unwrap());
    register_record_tools(ToolRegistry::builder(), config, connector)
        .unwrap()
        .build()
        .unwrap()
}

fn call_step(id: &str, arguments: Value) -> Step {
    Step::Events(vec![
        ChatEvent::ToolCall {
            call: ToolCall {
                id: id.into(),
                name: "get_record".into(),
                arguments: arguments.to_string(),
            },
        },
        ChatEvent::Usage {
            usage: Usage::default(),
        },
        ChatEvent::Done {
            stop_reason: StopReason::ToolUse,
        },
    ])
}

/// The tool results in the last message of a request, as (content, is_error).
fn last_results(request: &agent::provider::ChatRequest) -> Vec<(Value, bool)> {
    let last = request.messages.last().unwrap();
    last.content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::ToolResult {
                content, is_error, ..
            } => Some((serde_json::from_str(content).unwrap(), *is_error)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_refused_field_reaches_the_model_which_corrects_its_call() {
    let server = mock_odoo().await;
    let provider = ScriptedProvider::new(vec![
        call_step(
            "c1",
            json!({"model": "res.users", "id": 2, "fields": ["name", "password"]}),
        ),
        call_step(
            "c2",
            json!({"model": "res.users", "id": 2, "fields": ["name", "login"]}),
        ),
        Step::Events(vec![
            ChatEvent::TextDelta {
                text: "User 2 is Mitchell Admin (admin).".into(),
            },
            ChatEvent::Done {
                stop_reason: StopReason::EndTurn,
            },
        ]),
    ]);
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        store,
        registry(&server),
        TurnLimits::default(),
    );

    let result = runtime
        .run_turn(TurnRequest {
            thread_id: None,
            channel: "test".into(),
            identity: Identity::local_operator(),
            message: "Who is user 2?".into(),
        })
        .await
        .unwrap();

    assert_eq!(result.reply, "User 2 is Mitchell Admin (admin).");
    let requests = provider.requests();
    assert_eq!(requests.len(), 3);

    let refused = last_results(&requests[1]);
    assert_eq!(refused.len(), 1);
    let (content, is_error) = &refused[0];
    assert!(is_error);
    assert_eq!(content["error"]["kind"], "invalid_args");
    let message = content["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("fields[1]: field password of res.users is not allowed"),
        "{message}"
    );
    assert!(message.contains("login"), "lists allowed fields: {message}");

    let answered = last_results(&requests[2]);
    let (content, is_error) = &answered[0];
    assert!(!is_error);
    assert_eq!(
        content["data"]["record"],
        json!({
            "id": 2,
            "link": "https://acme.odoo.example/web#id=2&model=res.users&view_type=form",
            "name": "Mitchell Admin",
            "login": "admin"
        })
    );

    // Only the corrected call reached Odoo: one read, never of `password`.
    let reads: Vec<Value> = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<Value>(&r.body).ok())
        .filter(|body| body["params"]["args"][4] == "read")
        .map(|body| body["params"]["args"][6].clone())
        .collect();
    assert_eq!(reads, vec![json!({"fields": ["name", "login"]})]);
}

//! Files produced by tool calls: the `AttachmentStore` contract on both
//! backends, then the turn loop storing a tool's files, describing them to
//! the model without their bytes, and refusing files over the size limit.

use std::sync::Arc;

use agent::config::TurnLimits;
use agent::provider::{ChatEvent, ContentBlock, StopReason, ToolCall, Usage};
use agent::store::{
    AttachmentId, AttachmentRecord, NewAttachment, Store, StoreError, ThreadId, TurnId, TurnStatus,
    sha256_hex,
};
use agent::testing::{ScriptedProvider, Step};
use agent::turn::{AttachmentView, TurnEvent, TurnRequest};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use tools::attachment::{Attachment, CSV_MEDIA_TYPE, ExportText};
use tools::{Identity, IdentityId, Role, ToolRegistry};

macro_rules! attachment_suite {
    ($backend:ident, $make:path) => {
        mod $backend {
            attachment_suite!(@tests $make;
                a_stored_file_reads_back_with_its_bytes_size_and_sha256,
                an_unknown_id_reads_as_nothing,
                an_empty_file_round_trips,
                saving_an_id_twice_conflicts_and_keeps_the_first,
                a_turn_lists_its_own_files_in_the_order_they_were_stored,
            );
        }
    };
    (@tests $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $name() {
                super::$name($make().await).await;
            }
        )*
    };
}

attachment_suite!(sqlite, agent::testing::sqlite_store);
attachment_suite!(postgres, agent::testing::postgres_store);

fn new_file(
    turn_id: TurnId,
    call_id: &str,
    ordinal: u32,
    name: &str,
    bytes: &[u8],
) -> NewAttachment {
    NewAttachment {
        id: AttachmentId::new(),
        owner: "slack:U042".to_owned(),
        thread_id: ThreadId::new(),
        turn_id,
        call_id: call_id.to_owned(),
        ordinal,
        file: Attachment {
            file_name: name.to_owned(),
            media_type: CSV_MEDIA_TYPE.to_owned(),
            bytes: bytes.to_vec(),
        },
    }
}

async fn a_stored_file_reads_back_with_its_bytes_size_and_sha256(store: impl Store) {
    let csv = "partner,amount\nHarbourline,1200.00\n".as_bytes();
    let new = new_file(TurnId::new(), "call_7", 0, "aged.csv", csv);

    let record = store
        .attachments()
        .save_attachment(new.clone())
        .await
        .unwrap();
    let read = store
        .attachments()
        .attachment(new.id)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        record,
        AttachmentRecord {
            id: new.id,
            owner: "slack:U042".to_owned(),
            thread_id: new.thread_id,
            turn_id: new.turn_id,
            call_id: "call_7".to_owned(),
            ordinal: 0,
            file_name: "aged.csv".to_owned(),
            media_type: CSV_MEDIA_TYPE.to_owned(),
            size: csv.len() as u64,
            sha256: sha256_hex(csv),
            created_at: record.created_at,
        }
    );
    assert_eq!(record.sha256.len(), 64);
    assert_eq!(read.record, record);
    assert_eq!(read.bytes, csv);
}

async fn an_unknown_id_reads_as_nothing(store: impl Store) {
    assert_eq!(
        store
            .attachments()
            .attachment(AttachmentId::new())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .attachments()
            .turn_attachments(TurnId::new())
            .await
            .unwrap(),
        Vec::new()
    );
}

async fn an_empty_file_round_trips(store: impl Store) {
    let new = new_file(TurnId::new(), "call_1", 0, "empty.csv", b"");
    store
        .attachments()
        .save_attachment(new.clone())
        .await
        .unwrap();
    let read = store
        .attachments()
        .attachment(new.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((read.record.size, read.bytes), (0, Vec::new()));
    assert_eq!(read.record.sha256, sha256_hex(b""));
}

async fn saving_an_id_twice_conflicts_and_keeps_the_first(store: impl Store) {
    let first = new_file(TurnId::new(), "call_1", 0, "first.csv", b"1");
    let mut second = new_file(TurnId::new(), "call_2", 0, "second.csv", b"22");
    second.id = first.id;

    store
        .attachments()
        .save_attachment(first.clone())
        .await
        .unwrap();
    let err = store
        .attachments()
        .save_attachment(second)
        .await
        .unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let kept = store
        .attachments()
        .attachment(first.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (kept.record.file_name.as_str(), kept.bytes),
        ("first.csv", b"1".to_vec())
    );
}

async fn a_turn_lists_its_own_files_in_the_order_they_were_stored(store: impl Store) {
    let turn = TurnId::new();
    let files = [
        new_file(turn, "call_b", 0, "b0.csv", b"b0"),
        new_file(turn, "call_b", 1, "b1.xlsx", b"b1"),
        new_file(turn, "call_a", 0, "a0.csv", b"a0"),
    ];
    let other = new_file(TurnId::new(), "call_b", 0, "other.csv", b"x");
    for file in files.iter().chain([&other]) {
        store
            .attachments()
            .save_attachment(file.clone())
            .await
            .unwrap();
    }

    let listed = store.attachments().turn_attachments(turn).await.unwrap();

    let names: Vec<&str> = listed.iter().map(|r| r.file_name.as_str()).collect();
    assert_eq!(names, ["b0.csv", "b1.xlsx", "a0.csv"]);
}

// ------------------------------------------------------------ turn loop

fn export_call(id: &str, file_name: &str, text: &str) -> ChatEvent {
    ChatEvent::ToolCall {
        call: ToolCall {
            id: id.to_owned(),
            name: "export_text".to_owned(),
            arguments: json!({"file_name": file_name, "text": text}).to_string(),
        },
    }
}

fn step(mut events: Vec<ChatEvent>, stop_reason: StopReason) -> Step {
    events.push(ChatEvent::Usage {
        usage: Usage {
            input_tokens: 100,
            output_tokens: 10,
            ..Usage::default()
        },
    });
    events.push(ChatEvent::Done { stop_reason });
    Step::Events(events)
}

fn finance_person() -> Identity {
    Identity {
        id: IdentityId("slack:U042".to_owned()),
        display_name: "Ann".to_owned(),
        roles: vec![Role::Finance],
    }
}

fn export_tools() -> ToolRegistry {
    ToolRegistry::builder()
        .register(ExportText)
        .build()
        .unwrap()
}

/// The tool results the model received in its second request.
fn results_sent_back(provider: &ScriptedProvider) -> Vec<(Value, bool)> {
    let requests = provider.requests();
    let last = requests[1].messages.last().unwrap();
    last.content
        .iter()
        .filter_map(|block| match block {
            ContentBlock::ToolResult {
                content, is_error, ..
            } => Some((serde_json::from_str(content).unwrap(), *is_error)),
            ContentBlock::Text { .. } | ContentBlock::ToolUse { .. } => None,
        })
        .collect()
}

#[tokio::test]
async fn a_tools_files_are_stored_for_the_asker_and_reported_without_their_bytes() {
    let secret_cell = "SECRET-CELL-CONTENT";
    let csv = format!("partner,note\nHarbourline,{secret_cell}\n");
    let provider = ScriptedProvider::new(vec![
        step(
            vec![
                export_call("call_1", "one.csv", &csv),
                export_call("call_2", "two.csv", "a\n"),
            ],
            StopReason::ToolUse,
        ),
        step(
            vec![ChatEvent::TextDelta {
                text: "Here are the files.".to_owned(),
            }],
            StopReason::EndTurn,
        ),
    ]);
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        Arc::clone(&store),
        export_tools(),
        TurnLimits::default(),
    );

    let mut handle = runtime
        .start_turn(TurnRequest {
            thread_id: None,
            channel: "test".to_owned(),
            identity: finance_person(),
            message: "export".to_owned(),
        })
        .unwrap();
    let mut events = Vec::new();
    while let Some(event) = handle.events.recv().await {
        events.push(event);
    }
    let result = handle.outcome().await.unwrap();

    // The turn result lists both files with their download URLs.
    let stored = store
        .attachments()
        .turn_attachments(result.turn_id)
        .await
        .unwrap();
    let expected: Vec<AttachmentView> = stored.iter().map(AttachmentView::from).collect();
    assert_eq!(result.attachments, expected);
    let described: Vec<(&str, &str, u64)> = result
        .attachments
        .iter()
        .map(|a| (a.call_id.as_str(), a.file_name.as_str(), a.bytes))
        .collect();
    assert_eq!(
        described,
        [
            ("call_1", "one.csv", csv.len() as u64),
            ("call_2", "two.csv", 2)
        ]
    );
    for file in &result.attachments {
        assert_eq!(file.download_url, format!("/api/attachments/{}", file.id));
    }

    // Stored for the asker, in the turn's thread, with the exact bytes.
    let first = store
        .attachments()
        .attachment(result.attachments[0].id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.bytes, csv.as_bytes());
    assert_eq!(
        (
            first.record.owner.as_str(),
            first.record.thread_id,
            first.record.turn_id
        ),
        ("slack:U042", result.thread_id, result.turn_id)
    );

    // Each file is announced before its call's `ToolFinished`.
    let order: Vec<String> = events
        .iter()
        .filter_map(|e| match e {
            TurnEvent::AttachmentStored {
                call_id,
                attachment,
            } => Some(format!("file {call_id} {}", attachment.file_name)),
            TurnEvent::ToolFinished { call_id, .. } => Some(format!("finished {call_id}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            "file call_1 one.csv",
            "finished call_1",
            "file call_2 two.csv",
            "finished call_2"
        ]
    );

    // The model reads id, name, type, size and URL; never the content.
    let results = results_sent_back(&provider);
    assert_eq!(
        results[0].0["attachments"],
        json!([{
            "id": result.attachments[0].id,
            "file_name": "one.csv",
            "media_type": CSV_MEDIA_TYPE,
            "bytes": csv.len(),
            "download_url": result.attachments[0].download_url,
        }])
    );
    let requests = provider.requests();
    let sent = serde_json::to_string(requests[1].messages.last().unwrap()).unwrap();
    assert!(sent.contains("one.csv"), "{sent}");
    assert!(
        !sent.contains(secret_cell),
        "file content reached the model: {sent}"
    );
    // The audit records what the model was sent.
    let audit = store.tool_calls(result.turn_id).await.unwrap();
    assert_eq!(audit[0].result, results[0].0);
}

#[tokio::test]
async fn a_file_over_the_limit_is_not_stored_and_the_call_fails_with_limit_exceeded() {
    let provider = ScriptedProvider::new(vec![
        step(
            vec![
                export_call("call_big", "big.csv", "0123456789A"),
                export_call("call_ok", "ok.csv", "0123456789"),
            ],
            StopReason::ToolUse,
        ),
        step(
            vec![ChatEvent::TextDelta {
                text: "One file was too large.".to_owned(),
            }],
            StopReason::EndTurn,
        ),
    ]);
    let store: Arc<dyn Store> = Arc::new(agent::testing::sqlite_store().await);
    let limits = TurnLimits {
        max_attachment_bytes: 10,
        ..TurnLimits::default()
    };
    let runtime = agent::testing::runtime_with(
        Arc::clone(&provider) as _,
        Arc::clone(&store),
        export_tools(),
        limits,
    );

    let result = runtime
        .run_turn(TurnRequest {
            thread_id: None,
            channel: "test".to_owned(),
            identity: finance_person(),
            message: "export".to_owned(),
        })
        .await
        .unwrap();

    assert_eq!(result.status, TurnStatus::Completed);
    let stored = store
        .attachments()
        .turn_attachments(result.turn_id)
        .await
        .unwrap();
    let names: Vec<&str> = stored.iter().map(|r| r.file_name.as_str()).collect();
    assert_eq!(
        names,
        ["ok.csv"],
        "the file at the limit is kept, the larger one is not"
    );
    assert_eq!(result.attachments.len(), 1);

    let results = results_sent_back(&provider);
    let (error, is_error) = &results[0];
    assert!(*is_error);
    assert_eq!(error["error"]["code"], "LIMIT_EXCEEDED");
    assert_eq!(error["error"]["retryable"], false);
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("big.csv is 11 bytes, over the limit of 10 bytes"),
        "{message}"
    );
    assert!(error.get("attachments").is_none());
    assert!(!results[1].1);

    let audit = store.tool_calls(result.turn_id).await.unwrap();
    let outcomes: Vec<&str> = audit.iter().map(|c| c.outcome.as_str()).collect();
    assert_eq!(outcomes, ["limit_exceeded", "ok"]);
    assert!(result.tool_calls[0].is_error);
}

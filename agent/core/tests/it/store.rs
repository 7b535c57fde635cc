//! The `Store` contract, run against both backends: `store_suite!` expands
//! every test below once for SQLite (in memory) and once for PostgreSQL (a
//! fresh database per test). Backend-specific behaviour (files, reconnects,
//! corrupt rows) is tested after the suite.

// The shared bodies are plain async fns called from the generated tests, so
// clippy's allowances for `#[test]` functions do not reach them.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use agent::prompt::PromptRef;
use agent::provider::{ContentBlock, Message, MessageRole, Usage};
use agent::store::{
    CompletedTurn, NewThread, Store, StoreError, ThreadId, ToolCallRecord, TurnId, TurnRecord,
    TurnStatus,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use pretty_assertions::assert_eq;
use serde_json::json;

macro_rules! store_suite {
    ($backend:ident, $make:path) => {
        mod $backend {
            store_suite!(@tests $make;
                creates_and_reads_a_thread,
                unknown_ids_read_as_nothing,
                creating_a_thread_twice_conflicts,
                messages_are_numbered_in_order_across_turns,
                messages_round_trip_exactly,
                turn_records_round_trip_oldest_first,
                tool_calls_round_trip_in_the_order_they_were_made,
                recording_a_turn_bumps_the_thread_updated_at,
                recording_on_a_missing_thread_is_not_found_and_writes_nothing,
                a_failing_turn_leaves_nothing_behind,
                recording_the_same_turn_twice_conflicts_and_keeps_the_first,
                concurrent_turns_on_one_thread_get_contiguous_seqs,
                a_first_turn_creates_its_thread_in_the_same_write,
                a_new_thread_whose_id_is_taken_conflicts_and_writes_nothing,
                a_first_turn_that_fails_leaves_no_thread,
                ping_answers,
                migrate_is_idempotent,
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

store_suite!(sqlite, agent::testing::sqlite_store);
store_suite!(postgres, agent::testing::postgres_store);

async fn creates_and_reads_a_thread(store: impl Store) {
    let with_ref = new_thread(Some("C042:1700000000.000100"));
    let without_ref = new_thread(None);

    let created = store.create_thread(with_ref.clone()).await.unwrap();
    let created_bare = store.create_thread(without_ref.clone()).await.unwrap();

    assert_eq!(created.id, with_ref.id);
    assert_eq!(created.channel, "slack");
    assert_eq!(
        created.external_ref.as_deref(),
        Some("C042:1700000000.000100")
    );
    assert_eq!(created.created_at, created.updated_at);
    assert_eq!(store.thread(with_ref.id).await.unwrap(), Some(created));
    assert_eq!(
        store.thread(without_ref.id).await.unwrap(),
        Some(created_bare)
    );
}

async fn unknown_ids_read_as_nothing(store: impl Store) {
    let thread = ThreadId::new();

    assert_eq!(store.thread(thread).await.unwrap(), None);
    assert_eq!(store.messages(thread).await.unwrap(), vec![]);
    assert_eq!(store.turns(thread).await.unwrap(), vec![]);
    assert_eq!(store.tool_calls(TurnId::new()).await.unwrap(), vec![]);
}

async fn creating_a_thread_twice_conflicts(store: impl Store) {
    let new = new_thread(None);
    store.create_thread(new.clone()).await.unwrap();

    let err = store.create_thread(new).await.unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
}

async fn messages_are_numbered_in_order_across_turns(store: impl Store) {
    let thread = thread(&store).await;
    let first = completed(thread, vec![user("one"), assistant("two")], vec![]);
    let second = completed(
        thread,
        vec![user("three"), assistant("four"), assistant("five")],
        vec![],
    );

    store.record_turn(first.clone()).await.unwrap();
    store.record_turn(second.clone()).await.unwrap();

    let stored: Vec<_> = store
        .messages(thread)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.seq, m.turn_id, m.thread_id, m.message.text()))
        .collect();
    let (a, b) = (first.turn.id, second.turn.id);
    assert_eq!(
        stored,
        vec![
            (0, a, thread, "one".to_owned()),
            (1, a, thread, "two".to_owned()),
            (2, b, thread, "three".to_owned()),
            (3, b, thread, "four".to_owned()),
            (4, b, thread, "five".to_owned()),
        ]
    );
}

async fn messages_round_trip_exactly(store: impl Store) {
    let thread = thread(&store).await;
    let messages = vec![
        user("Is ACME GmbH over its credit limit? Grüße 👋"),
        Message {
            role: MessageRole::Assistant,
            content: vec![
                ContentBlock::Text {
                    text: "Let me check.".to_owned(),
                },
                ContentBlock::ToolUse {
                    id: "toolu_01".to_owned(),
                    name: "check_credit".to_owned(),
                    input: json!({
                        "partner": "ACME GmbH",
                        "days_overdue": 30,
                        "threshold": 0.75,
                        "filters": {"company_ids": [1, 2], "include_draft": false, "tag": null},
                    }),
                },
                ContentBlock::ToolUse {
                    id: "toolu_02".to_owned(),
                    name: "find_partner".to_owned(),
                    // Invalid JSON from the model is kept as a string.
                    input: json!("{\"name\": \"ACME"),
                },
            ],
        },
        Message {
            role: MessageRole::User,
            content: vec![
                ContentBlock::ToolResult {
                    tool_use_id: "toolu_01".to_owned(),
                    content: "ACME GmbH: 12 400.00 EUR open, limit 10 000.00 EUR".to_owned(),
                    is_error: false,
                },
                ContentBlock::ToolResult {
                    tool_use_id: "toolu_02".to_owned(),
                    content: "invalid arguments: EOF while parsing a string".to_owned(),
                    is_error: true,
                },
            ],
        },
        assistant("ACME GmbH is 2 400.00 EUR over its limit."),
    ];

    store
        .record_turn(completed(thread, messages.clone(), vec![]))
        .await
        .unwrap();

    let stored: Vec<Message> = store
        .messages(thread)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.message)
        .collect();
    assert_eq!(stored, messages);
}

async fn turn_records_round_trip_oldest_first(store: impl Store) {
    let thread = thread(&store).await;
    let first = completed(thread, vec![user("hi"), assistant("hello")], vec![]);
    let mut second = completed(thread, vec![user("and now?")], vec![]);
    second.turn = TurnRecord {
        status: TurnStatus::Failed,
        stop_reason: "provider_error".to_owned(),
        usage: Usage {
            input_tokens: 7_000_000_001,
            output_tokens: 0,
            cache_creation_input_tokens: 3,
            cache_read_input_tokens: 4_294_967_296,
        },
        iterations: u32::MAX,
        // Earlier than the first turn: turns read back in recording order.
        started_at: at(-60),
        finished_at: at(-59),
        error: Some("anthropic server error 529: overloaded".to_owned()),
        // A turn whose prompt failed to render names none.
        prompts: Vec::new(),
        ..second.turn
    };
    let mut third = completed(thread, vec![], vec![]);
    third.turn.status = TurnStatus::LimitReached;
    third.turn.stop_reason = "max_iterations".to_owned();

    for turn in [&first, &second, &third] {
        store.record_turn(turn.clone()).await.unwrap();
    }

    assert_eq!(
        store.turns(thread).await.unwrap(),
        vec![first.turn, second.turn, third.turn]
    );
}

async fn tool_calls_round_trip_in_the_order_they_were_made(store: impl Store) {
    let thread = thread(&store).await;
    let mut turn = completed(thread, vec![user("check ACME")], vec![]);
    // Ids out of alphabetical order, so sorting by them would show.
    turn.tool_calls = ["call_c", "call_a", "call_b"]
        .into_iter()
        .enumerate()
        .map(|(i, id)| tool_call(&turn.turn, id, i as i64))
        .collect();
    turn.tool_calls[1].outcome = "invalid_args".to_owned();
    turn.tool_calls[1].result = json!({"error": "partner must not be empty"});
    let other = completed(thread, vec![], vec![]);
    let other_calls = vec![tool_call(&other.turn, "call_z", 9)];
    let other = CompletedTurn {
        tool_calls: other_calls.clone(),
        ..other
    };

    store.record_turn(turn.clone()).await.unwrap();
    store.record_turn(other.clone()).await.unwrap();

    assert_eq!(
        store.tool_calls(turn.turn.id).await.unwrap(),
        turn.tool_calls
    );
    assert_eq!(store.tool_calls(other.turn.id).await.unwrap(), other_calls);
}

async fn recording_a_turn_bumps_the_thread_updated_at(store: impl Store) {
    let created = store.create_thread(new_thread(None)).await.unwrap();

    store
        .record_turn(completed(created.id, vec![user("hi")], vec![]))
        .await
        .unwrap();

    let updated = store.thread(created.id).await.unwrap().unwrap();
    assert_eq!(updated.created_at, created.created_at);
    assert!(
        updated.updated_at > created.updated_at,
        "{} is not after {}",
        updated.updated_at,
        created.updated_at
    );
}

async fn recording_on_a_missing_thread_is_not_found_and_writes_nothing(store: impl Store) {
    let missing = ThreadId::new();
    let mut turn = completed(missing, vec![user("hello?")], vec![]);
    turn.tool_calls = vec![tool_call(&turn.turn, "call_1", 0)];

    let err = store.record_turn(turn.clone()).await.unwrap_err();

    match err {
        StoreError::NotFound { what, id } => {
            assert_eq!((what, id), ("thread", missing.to_string()));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(store.messages(missing).await.unwrap(), vec![]);
    assert_eq!(store.turns(missing).await.unwrap(), vec![]);
    assert_eq!(store.tool_calls(turn.turn.id).await.unwrap(), vec![]);
}

async fn a_failing_turn_leaves_nothing_behind(store: impl Store) {
    let created = store.create_thread(new_thread(None)).await.unwrap();
    let mut turn = completed(created.id, vec![user("a"), assistant("b")], vec![]);
    // The last write of the transaction fails: two calls share an id.
    turn.tool_calls = vec![
        tool_call(&turn.turn, "call_1", 0),
        tool_call(&turn.turn, "call_1", 1),
    ];

    let err = store.record_turn(turn.clone()).await.unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.messages(created.id).await.unwrap(), vec![]);
    assert_eq!(store.turns(created.id).await.unwrap(), vec![]);
    assert_eq!(store.tool_calls(turn.turn.id).await.unwrap(), vec![]);
    assert_eq!(
        store.thread(created.id).await.unwrap(),
        Some(created.clone())
    );

    // The rolled-back turn took no positions.
    store
        .record_turn(completed(created.id, vec![user("c")], vec![]))
        .await
        .unwrap();
    let seqs: Vec<i64> = store
        .messages(created.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(seqs, vec![0]);
}

async fn recording_the_same_turn_twice_conflicts_and_keeps_the_first(store: impl Store) {
    let thread = thread(&store).await;
    let first = completed(thread, vec![user("first")], vec![]);
    store.record_turn(first.clone()).await.unwrap();
    let again = CompletedTurn {
        messages: vec![user("second"), assistant("reply")],
        ..first.clone()
    };

    let err = store.record_turn(again).await.unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let texts: Vec<String> = store
        .messages(thread)
        .await
        .unwrap()
        .iter()
        .map(|m| m.message.text())
        .collect();
    assert_eq!(texts, vec!["first".to_owned()]);
    assert_eq!(store.turns(thread).await.unwrap(), vec![first.turn]);
}

async fn concurrent_turns_on_one_thread_get_contiguous_seqs<S: Store + 'static>(store: S) {
    let store = Arc::new(store);
    let thread = thread(store.as_ref()).await;
    let turns: Vec<CompletedTurn> = (0..10)
        .map(|i| {
            completed(
                thread,
                vec![user(format!("q{i}")), assistant(format!("a{i}"))],
                vec![],
            )
        })
        .collect();

    let tasks: Vec<_> = turns
        .iter()
        .cloned()
        .map(|turn| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.record_turn(turn).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    let messages = store.messages(thread).await.unwrap();
    let seqs: Vec<i64> = messages.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, (0..20).collect::<Vec<i64>>());
    // Each turn's two messages are adjacent: turns never interleave.
    for pair in messages.chunks(2) {
        assert_eq!(pair[0].turn_id, pair[1].turn_id);
        let i = pair[0].message.text().trim_start_matches('q').to_owned();
        assert_eq!(pair[1].message.text(), format!("a{i}"));
    }
    let mut recorded: Vec<TurnId> = store
        .turns(thread)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    let in_message_order: Vec<TurnId> = messages.chunks(2).map(|pair| pair[0].turn_id).collect();
    assert_eq!(recorded, in_message_order);
    recorded.sort_by_key(|id| id.0);
    let mut expected: Vec<TurnId> = turns.iter().map(|t| t.turn.id).collect();
    expected.sort_by_key(|id| id.0);
    assert_eq!(recorded, expected);
}

async fn a_first_turn_creates_its_thread_in_the_same_write(store: impl Store) {
    let new = new_thread(Some("C042/1700000000.000100"));
    let mut first = completed(new.id, vec![user("hello"), assistant("hi")], vec![]);
    first.new_thread = Some(new.clone());
    first.tool_calls = vec![tool_call(&first.turn, "call_1", 0)];
    store.record_turn(first.clone()).await.unwrap();

    let thread = store
        .thread(new.id)
        .await
        .unwrap()
        .expect("the thread was created");
    assert_eq!(
        (thread.channel.as_str(), thread.external_ref.as_deref()),
        ("slack", new.external_ref.as_deref())
    );
    assert_eq!(
        store.tool_calls(first.turn.id).await.unwrap(),
        first.tool_calls
    );
    let next = completed(new.id, vec![user("again"), assistant("yes")], vec![]);
    store.record_turn(next).await.unwrap();
    let seqs: Vec<i64> = store
        .messages(new.id)
        .await
        .unwrap()
        .iter()
        .map(|m| m.seq)
        .collect();
    assert_eq!(seqs, vec![0, 1, 2, 3]);
    let turn_seqs: Vec<String> = store
        .turns(new.id)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id.to_string())
        .collect();
    assert_eq!(turn_seqs.len(), 2);
    assert_eq!(turn_seqs[0], first.turn.id.to_string());
}

async fn a_new_thread_whose_id_is_taken_conflicts_and_writes_nothing(store: impl Store) {
    let existing = thread(&store).await;
    let mut turn = completed(existing, vec![user("hijack")], vec![]);
    turn.new_thread = Some(NewThread {
        id: existing,
        channel: "api".into(),
        external_ref: None,
    });
    let err = store.record_turn(turn.clone()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert!(store.messages(existing).await.unwrap().is_empty());
    assert!(store.turns(existing).await.unwrap().is_empty());
}

async fn a_first_turn_that_fails_leaves_no_thread(store: impl Store) {
    let new = new_thread(None);
    let mut turn = completed(new.id, vec![user("hello")], vec![]);
    turn.new_thread = Some(new.clone());
    // Two calls with one id violate the audit's unique key, failing the write.
    turn.tool_calls = vec![
        tool_call(&turn.turn, "dup", 0),
        tool_call(&turn.turn, "dup", 1),
    ];
    let err = store.record_turn(turn).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(store.thread(new.id).await.unwrap(), None);
}

async fn ping_answers(store: impl Store) {
    store.ping().await.unwrap();
}

async fn migrate_is_idempotent(store: impl Store) {
    // The helper migrated once already.
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();

    let thread = thread(&store).await;
    store
        .record_turn(completed(thread, vec![user("still works")], vec![]))
        .await
        .unwrap();
    assert_eq!(store.messages(thread).await.unwrap().len(), 1);
}

mod sqlite_file {
    //! The SQLite file store: what only a real file shows.

    use agent::store::SqliteStore;
    use pretty_assertions::assert_eq;

    use super::*;

    async fn open(path: &std::path::Path) -> SqliteStore {
        let store = SqliteStore::open(path).await.unwrap();
        store.migrate().await.unwrap();
        store
    }

    #[tokio::test]
    async fn a_turn_survives_closing_and_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        // A folder that does not exist yet: `open` creates it.
        let path = dir.path().join("data").join("agent.db");
        let store = open(&path).await;
        let thread = thread(&store).await;
        let mut turn = completed(thread, vec![user("remember me"), assistant("sure")], vec![]);
        turn.tool_calls = vec![tool_call(&turn.turn, "call_1", 0)];
        store.record_turn(turn.clone()).await.unwrap();
        let before = store.thread(thread).await.unwrap();
        let messages = store.messages(thread).await.unwrap();
        drop(store);

        let reopened = open(&path).await;

        assert_eq!(reopened.thread(thread).await.unwrap(), before);
        assert_eq!(reopened.messages(thread).await.unwrap(), messages);
        assert_eq!(
            reopened.turns(thread).await.unwrap(),
            vec![turn.turn.clone()]
        );
        assert_eq!(
            reopened.tool_calls(turn.turn.id).await.unwrap(),
            turn.tool_calls
        );
    }

    /// The in-memory store has one connection, so only a file store has
    /// writers racing for the lock.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_turns_on_a_file_get_contiguous_seqs() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir.path().join("agent.db")).await;

        super::concurrent_turns_on_one_thread_get_contiguous_seqs(store).await;
    }

    #[tokio::test]
    async fn an_undecodable_message_is_reported_as_corrupt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.db");
        let store = open(&path).await;
        let thread = thread(&store).await;
        store
            .record_turn(completed(thread, vec![user("hi")], vec![]))
            .await
            .unwrap();
        let mut raw = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
            "sqlite://{}",
            path.display()
        ))
        .await
        .unwrap();
        sqlx::query("update messages set content = '{\"role\": \"robot\"}'")
            .execute(&mut raw)
            .await
            .unwrap();

        let err = store.messages(thread).await.unwrap_err();

        let StoreError::Corrupt(detail) = err else {
            panic!("expected Corrupt, got {err:?}");
        };
        assert!(
            detail.starts_with(&format!("messages row thread {thread} seq 0: ")),
            "{detail}"
        );
    }
}

mod postgres_server {
    //! The PostgreSQL store: what only a server shows.

    use agent::store::PostgresStore;
    use pretty_assertions::assert_eq;

    use super::*;

    #[tokio::test]
    async fn a_turn_survives_reconnecting() {
        let url = agent::testing::postgres_url().await;
        let store = PostgresStore::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        let thread = thread(&store).await;
        let mut turn = completed(thread, vec![user("remember me"), assistant("sure")], vec![]);
        turn.tool_calls = vec![tool_call(&turn.turn, "call_1", 0)];
        store.record_turn(turn.clone()).await.unwrap();
        let before = store.thread(thread).await.unwrap();
        let messages = store.messages(thread).await.unwrap();
        drop(store);

        let reconnected = PostgresStore::connect(&url, 2).await.unwrap();

        assert_eq!(reconnected.thread(thread).await.unwrap(), before);
        assert_eq!(reconnected.messages(thread).await.unwrap(), messages);
        assert_eq!(
            reconnected.turns(thread).await.unwrap(),
            vec![turn.turn.clone()]
        );
        assert_eq!(
            reconnected.tool_calls(turn.turn.id).await.unwrap(),
            turn.tool_calls
        );
    }

    #[tokio::test]
    async fn an_undecodable_message_is_reported_as_corrupt() {
        let url = agent::testing::postgres_url().await;
        let store = PostgresStore::connect(&url, 2).await.unwrap();
        store.migrate().await.unwrap();
        let thread = thread(&store).await;
        store
            .record_turn(completed(thread, vec![user("hi")], vec![]))
            .await
            .unwrap();
        let mut raw = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .unwrap();
        sqlx::query("update messages set content = '{\"role\": \"robot\"}'")
            .execute(&mut raw)
            .await
            .unwrap();

        let err = store.messages(thread).await.unwrap_err();

        let StoreError::Corrupt(detail) = err else {
            panic!("expected Corrupt, got {err:?}");
        };
        assert!(
            detail.starts_with(&format!("messages row thread {thread} seq 0: ")),
            "{detail}"
        );
    }
}

// ---------------------------------------------------------------- fixtures --

/// A fixed instant `seconds` from a base, with microseconds: the precision
/// both backends store.
fn at(seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap()
        + Duration::seconds(seconds)
        + Duration::microseconds(589_793)
}

fn new_thread(external_ref: Option<&str>) -> NewThread {
    NewThread {
        id: ThreadId::new(),
        channel: "slack".to_owned(),
        external_ref: external_ref.map(str::to_owned),
    }
}

async fn thread(store: &impl Store) -> ThreadId {
    store.create_thread(new_thread(None)).await.unwrap().id
}

fn user(text: impl Into<String>) -> Message {
    Message::user_text(text)
}

fn assistant(text: impl Into<String>) -> Message {
    Message::assistant_text(text)
}

fn completed(
    thread: ThreadId,
    messages: Vec<Message>,
    tool_calls: Vec<ToolCallRecord>,
) -> CompletedTurn {
    CompletedTurn {
        turn: TurnRecord {
            id: TurnId::new(),
            thread_id: thread,
            identity_id: "slack:U042".to_owned(),
            channel: "slack".to_owned(),
            provider: "anthropic".to_owned(),
            model: "claude-sonnet-4-5".to_owned(),
            status: TurnStatus::Completed,
            stop_reason: "end_turn".to_owned(),
            usage: Usage {
                input_tokens: 1_234,
                output_tokens: 56,
                cache_creation_input_tokens: 789,
                cache_read_input_tokens: 1_011,
            },
            iterations: 2,
            started_at: at(0),
            finished_at: at(3),
            error: None,
            prompts: vec![
                PromptRef {
                    name: "system/agent".to_owned(),
                    version: 2,
                    sha256: "ab".repeat(32),
                },
                PromptRef {
                    name: "channels/slack".to_owned(),
                    version: 1,
                    sha256: "cd".repeat(32),
                },
            ],
        },
        new_thread: None,
        messages,
        tool_calls,
    }
}

fn tool_call(turn: &TurnRecord, call_id: &str, n: i64) -> ToolCallRecord {
    ToolCallRecord {
        call_id: call_id.to_owned(),
        turn_id: turn.id,
        thread_id: turn.thread_id,
        identity_id: turn.identity_id.clone(),
        tool: "check_credit".to_owned(),
        arguments: json!({"partner": "ACME GmbH", "days_overdue": 30 + n}),
        outcome: "ok".to_owned(),
        result: json!({"open": "12400.00", "limit": "10000.00", "over": true}),
        duration_ms: 120 + n as u64,
        created_at: at(1 + n),
    }
}

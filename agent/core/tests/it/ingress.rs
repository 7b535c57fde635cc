//! The durable ingress queue on both SQL backends, and its workers end to
//! end: duplicates dropped, one answer per message, conversation order,
//! retries, and a restart after a crash answering exactly once.

use std::sync::Arc;
use std::time::Duration;

use agent::config::{ChannelUser, Platform};
use agent::ingress::{
    Enqueued, InboundMessage, Ingress, IngressSettings, JobState, NewJob, Reply, ReplyKind, Sender,
    Sinks, StoreQueue, TurnQueue, start_workers,
};
use agent::schedule::DeliveryError;
use agent::store::Store;
use agent::testing::{EchoProvider, RecordingSink};
use chrono::{Duration as Span, Utc};
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tools::Identity;

#[derive(Clone, Copy)]
enum Sql {
    Sqlite,
    Postgres,
}

impl Sql {
    async fn store(self) -> Arc<dyn Store> {
        match self {
            Self::Sqlite => Arc::new(agent::testing::sqlite_store().await) as Arc<dyn Store>,
            Self::Postgres => Arc::new(agent::testing::postgres_store().await),
        }
    }
}

/// One `#[tokio::test]` per SQL backend for each `async fn name(sql: Sql)`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
              async fn $name() { super::$name(super::Sql::Sqlite).await; })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
              async fn $name() { super::$name(super::Sql::Postgres).await; })*
        }
    };
}

on_both_backends!(
    a_second_delivery_of_an_event_is_a_duplicate_within_the_window,
    a_conversation_is_answered_in_order_one_job_at_a_time,
    a_retry_waits_and_holds_back_its_conversation,
    jobs_left_running_by_a_dead_process_are_put_back_with_their_reply,
    concurrent_claims_never_share_a_job_or_break_conversation_order,
    workers_answer_every_message_once_in_conversation_order,
    a_failed_delivery_is_retried_with_the_same_reply,
    a_restart_after_a_crash_answers_exactly_once,
    an_unknown_sender_gets_a_refusal_and_no_turn,
    a_delivery_the_platform_forbids_fails_at_once,
);

fn person() -> Identity {
    Identity {
        id: tools::IdentityId("anna".to_owned()),
        display_name: "Anita".to_owned(),
        roles: vec![tools::Role::Finance],
    }
}

fn message(conversation: &str, text: &str) -> InboundMessage {
    InboundMessage {
        channel: "test".to_owned(),
        conversation_key: conversation.to_owned(),
        user: ChannelUser {
            platform: Platform::Slack,
            user_id: "U1".to_owned(),
            email: None,
            display_name: None,
        },
        sender: Sender::Known { identity: person() },
        text: text.to_owned(),
        route: json!({"channel": conversation}),
        received_at: Utc::now(),
    }
}

fn job(key: &str, conversation: &str, text: &str) -> NewJob {
    NewJob {
        dedupe_key: key.to_owned(),
        message: message(conversation, text),
    }
}

fn long_ago() -> chrono::DateTime<Utc> {
    Utc::now() - Span::days(7)
}

async fn stored(queue: &dyn TurnQueue, new: NewJob) -> agent::ingress::JobId {
    match queue.enqueue(new, long_ago()).await.unwrap() {
        Enqueued::Stored(id) => id,
        Enqueued::Duplicate => panic!("expected a new job"),
    }
}

async fn claimed_text(queue: &dyn TurnQueue) -> Option<String> {
    queue
        .claim(Utc::now())
        .await
        .unwrap()
        .map(|job| job.message.text)
}

async fn a_second_delivery_of_an_event_is_a_duplicate_within_the_window(sql: Sql) {
    let store = sql.store().await;
    let queue = store.ingress();
    stored(queue, job("slack:T1:Ev1", "c1", "hello")).await;
    let again = queue.enqueue(job("slack:T1:Ev1", "c1", "hello"), long_ago());
    assert_eq!(again.await.unwrap(), Enqueued::Duplicate);
    // Another team's event with the same id is another message.
    stored(queue, job("slack:T2:Ev1", "c2", "hello")).await;
    // Past the window the key is free again.
    let later = queue.enqueue(
        job("slack:T1:Ev1", "c1", "hello"),
        Utc::now() + Span::seconds(1),
    );
    assert!(matches!(later.await.unwrap(), Enqueued::Stored(_)));
    // Purging forgets the keys and finished jobs only.
    assert!(queue.purge(Utc::now() + Span::seconds(1)).await.unwrap() >= 2);
    assert_eq!(claimed_text(queue).await.as_deref(), Some("hello"));
}

async fn a_conversation_is_answered_in_order_one_job_at_a_time(sql: Sql) {
    let store = sql.store().await;
    let queue = store.ingress();
    let a1 = stored(queue, job("e1", "A", "a1")).await;
    stored(queue, job("e2", "A", "a2")).await;
    stored(queue, job("e3", "B", "b1")).await;
    assert_eq!(claimed_text(queue).await.as_deref(), Some("a1"));
    // a2 waits for a1; b1 runs beside it.
    assert_eq!(claimed_text(queue).await.as_deref(), Some("b1"));
    assert_eq!(claimed_text(queue).await, None);
    queue.complete(a1).await.unwrap();
    let a2 = queue.claim(Utc::now()).await.unwrap().unwrap();
    assert_eq!(a2.message.text, "a2");
    assert_eq!((a2.state, a2.attempts), (JobState::Running, 1));
    assert_eq!(queue.job(a1).await.unwrap().unwrap().state, JobState::Done);
}

async fn a_retry_waits_and_holds_back_its_conversation(sql: Sql) {
    let store = sql.store().await;
    let queue = store.ingress();
    let a1 = stored(queue, job("e1", "A", "a1")).await;
    stored(queue, job("e2", "A", "a2")).await;
    queue.claim(Utc::now()).await.unwrap().unwrap();
    let retry_at = Utc::now() + Span::seconds(60);
    queue
        .release(a1, "503 from the platform", retry_at)
        .await
        .unwrap();
    // Neither a1 (not due) nor a2 (behind a1) may run now.
    assert_eq!(claimed_text(queue).await, None);
    let due = queue
        .claim(retry_at + Span::seconds(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((due.message.text.as_str(), due.attempts), ("a1", 2));
    assert_eq!(due.error.as_deref(), Some("503 from the platform"));
    queue.fail(a1, "gave up").await.unwrap();
    assert_eq!(claimed_text(queue).await.as_deref(), Some("a2"));
    assert_eq!(
        queue.job(a1).await.unwrap().unwrap().state,
        JobState::Failed
    );
}

async fn jobs_left_running_by_a_dead_process_are_put_back_with_their_reply(sql: Sql) {
    let store = sql.store().await;
    let queue = store.ingress();
    let id = stored(queue, job("e1", "A", "a1")).await;
    let running = queue.claim(Utc::now()).await.unwrap().unwrap();
    let reply = Reply::refusal(running.message.thread_id(), "slack");
    queue.answered(id, &reply).await.unwrap();
    // Within the lease nothing is taken back; past it, the job is.
    assert_eq!(
        queue
            .requeue_running(Utc::now() - Span::minutes(30))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        queue
            .requeue_running(Utc::now() + Span::seconds(1))
            .await
            .unwrap(),
        1
    );
    let again = queue.claim(Utc::now()).await.unwrap().unwrap();
    assert_eq!(again.id, id);
    assert_eq!(again.attempts, 2);
    assert_eq!(again.reply, Some(reply));
}

async fn concurrent_claims_never_share_a_job_or_break_conversation_order(sql: Sql) {
    let store = sql.store().await;
    for n in 0..10 {
        for conversation in ["A", "B", "C"] {
            let text = format!("{conversation}{n:02}");
            stored(store.ingress(), job(&text, conversation, &text)).await;
        }
    }
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let store = Arc::clone(&store);
        let log = Arc::clone(&log);
        workers.spawn(async move {
            let mut idle = 0;
            while idle < 50 {
                match store.ingress().claim(Utc::now()).await.unwrap() {
                    Some(job) => {
                        idle = 0;
                        log.lock().unwrap().push(job.message.text.clone());
                        tokio::task::yield_now().await;
                        store.ingress().complete(job.id).await.unwrap();
                    }
                    None => {
                        idle += 1;
                        tokio::time::sleep(Duration::from_millis(2)).await;
                    }
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 30, "{log:?}");
    for conversation in ["A", "B", "C"] {
        let order: Vec<_> = log.iter().filter(|t| t.starts_with(conversation)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            order, sorted,
            "conversation {conversation} out of order or repeated"
        );
    }
}

struct Harness {
    store: Arc<dyn Store>,
    ingress: Ingress,
    sink: Arc<RecordingSink>,
    cancel: CancellationToken,
    workers: tokio::task::JoinSet<()>,
}

fn settings() -> IngressSettings {
    IngressSettings {
        workers: 3,
        retry_delay: Duration::from_millis(20),
        poll: Duration::from_millis(20),
        ..IngressSettings::default()
    }
}

impl Harness {
    async fn start(store: Arc<dyn Store>, sink: RecordingSink) -> Self {
        let sink = Arc::new(sink);
        let runtime = agent::testing::runtime(
            Arc::new(EchoProvider {
                delay: Duration::from_millis(5),
            }),
            Arc::clone(&store),
        );
        let queue: Arc<dyn TurnQueue> = Arc::new(StoreQueue(Arc::clone(&store)));
        let ingress = Ingress::new(queue, settings());
        let cancel = CancellationToken::new();
        let sinks = Sinks::default().with("test", Arc::clone(&sink) as _);
        let workers = start_workers(runtime, ingress.clone(), sinks, true, cancel.clone())
            .await
            .unwrap();
        Self {
            store,
            ingress,
            sink,
            cancel,
            workers,
        }
    }

    async fn stop(mut self) -> Arc<dyn Store> {
        self.cancel.cancel();
        while self.workers.join_next().await.is_some() {}
        self.store
    }
}

async fn workers_answer_every_message_once_in_conversation_order(sql: Sql) {
    let harness = Harness::start(sql.store().await, RecordingSink::default()).await;
    for n in 0..4 {
        for conversation in ["A", "B"] {
            let text = format!("{conversation}{n}");
            let outcome = harness
                .ingress
                .submit(job(&text, conversation, &text))
                .await;
            assert!(matches!(outcome.unwrap(), Enqueued::Stored(_)));
        }
    }
    // A platform retry of an answered message changes nothing.
    let retry = harness.ingress.submit(job("A0", "A", "A0")).await.unwrap();
    assert_eq!(retry, Enqueued::Duplicate);
    harness.sink.wait_for(8).await;
    let delivered = harness.sink.delivered();
    for conversation in ["A", "B"] {
        let answers: Vec<String> = delivered
            .iter()
            .filter(|(key, _)| key == conversation)
            .map(|(_, reply)| reply.text.clone())
            .collect();
        let expected: Vec<String> = (0..4).map(|n| format!("echo: {conversation}{n}")).collect();
        assert_eq!(answers, expected);
    }
    // Each conversation is one agent thread holding its turns in order.
    let thread = message("A", "").thread_id();
    let turns = harness.store.turns(thread).await.unwrap();
    assert_eq!(turns.len(), 4);
    let record = harness.store.thread(thread).await.unwrap().unwrap();
    assert_eq!(record.external_ref.as_deref(), Some("A"));
    assert_eq!(harness.sink.working().len(), 8);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(harness.sink.delivered().len(), 8);
    harness.stop().await;
}

/// The job once it is done; panics after 20 s.
async fn done(store: &dyn Store, id: agent::ingress::JobId) -> agent::ingress::IngressJob {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let job = store.ingress().job(id).await.unwrap().unwrap();
        if job.state == JobState::Done {
            return job;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{job:?} never finished"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn a_failed_delivery_is_retried_with_the_same_reply(sql: Sql) {
    let harness = Harness::start(sql.store().await, RecordingSink::failing(2)).await;
    let Enqueued::Stored(id) = harness.ingress.submit(job("e1", "A", "hi")).await.unwrap() else {
        panic!("stored");
    };
    harness.sink.wait_for(1).await;
    // The job is marked done just after the delivery returns.
    let job = done(harness.store.as_ref(), id).await;
    assert_eq!(job.attempts, 3);
    // The turn ran once; the retries delivered its stored reply.
    let turns = harness
        .store
        .turns(message("A", "").thread_id())
        .await
        .unwrap();
    assert_eq!(turns.len(), 1);
    assert_eq!(harness.sink.delivered()[0].1.text, "echo: hi");
    harness.stop().await;
}

async fn a_restart_after_a_crash_answers_exactly_once(sql: Sql) {
    let store = sql.store().await;
    // A process stored two messages, claimed both, ran the first one's turn
    // and kept its reply, then died before delivering either.
    let queue = store.ingress();
    let first = stored(queue, job("e1", "A", "first")).await;
    stored(queue, job("e2", "B", "second")).await;
    let claimed = queue.claim(Utc::now()).await.unwrap().unwrap();
    queue.claim(Utc::now()).await.unwrap().unwrap();
    let kept = Reply {
        text: "kept answer".to_owned(),
        ..Reply::refusal(claimed.message.thread_id(), "slack")
    };
    queue.answered(first, &kept).await.unwrap();
    // The restarted server picks both up: the first is delivered from its
    // kept reply without a new turn, the second's turn runs once.
    let harness = Harness::start(store, RecordingSink::default()).await;
    harness.sink.wait_for(2).await;
    let mut texts: Vec<String> = harness
        .sink
        .delivered()
        .into_iter()
        .map(|(_, reply)| reply.text)
        .collect();
    texts.sort();
    assert_eq!(texts, ["echo: second", "kept answer"]);
    let store = harness.stop().await;
    assert!(
        store
            .turns(message("A", "").thread_id())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .turns(message("B", "").thread_id())
            .await
            .unwrap()
            .len(),
        1
    );
}

async fn an_unknown_sender_gets_a_refusal_and_no_turn(sql: Sql) {
    let harness = Harness::start(sql.store().await, RecordingSink::default()).await;
    let mut refused = job("e1", "A", "show me every invoice");
    refused.message.sender = Sender::Refused;
    harness.ingress.submit(refused).await.unwrap();
    harness.sink.wait_for(1).await;
    let (_, reply) = &harness.sink.delivered()[0];
    assert_eq!(reply.kind, ReplyKind::Refusal);
    assert!(
        reply.text.contains("do not know your slack account"),
        "{}",
        reply.text
    );
    assert!(harness.sink.working().is_empty());
    let store = harness.stop().await;
    assert!(
        store
            .thread(message("A", "").thread_id())
            .await
            .unwrap()
            .is_none()
    );
}

/// Refuses every answer the way WhatsApp does outside its 24-hour window.
#[derive(Default)]
struct ForbiddingSink {
    deliveries: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl agent::ingress::ReplySink for ForbiddingSink {
    async fn working(&self, _message: &InboundMessage) -> Result<(), DeliveryError> {
        Ok(())
    }

    async fn deliver(&self, message: &InboundMessage, _reply: &Reply) -> Result<(), DeliveryError> {
        self.deliveries
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Err(DeliveryError::NotAllowed {
            channel: message.channel.clone(),
            reason: "the messaging window is closed".to_owned(),
        })
    }
}

async fn a_delivery_the_platform_forbids_fails_at_once(sql: Sql) {
    let store = sql.store().await;
    let sink = Arc::new(ForbiddingSink::default());
    let runtime = agent::testing::runtime(
        Arc::new(EchoProvider {
            delay: Duration::ZERO,
        }),
        Arc::clone(&store),
    );
    let ingress = Ingress::new(Arc::new(StoreQueue(Arc::clone(&store))), settings());
    let cancel = CancellationToken::new();
    let sinks = Sinks::default().with("test", Arc::clone(&sink) as _);
    let mut workers = start_workers(runtime, ingress.clone(), sinks, true, cancel.clone())
        .await
        .unwrap();
    let Enqueued::Stored(id) = ingress.submit(job("w1", "A", "hi")).await.unwrap() else {
        panic!("stored");
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let failed = loop {
        let job = store.ingress().job(id).await.unwrap().unwrap();
        if job.state == JobState::Failed {
            break job;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{job:?} never failed"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // No retries: one attempt, one delivery, the reason kept.
    assert_eq!(failed.attempts, 1);
    assert_eq!(
        failed.error.as_deref(),
        Some("test does not allow this message: the messaging window is closed")
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(sink.deliveries.load(std::sync::atomic::Ordering::SeqCst), 1);
    cancel.cancel();
    while workers.join_next().await.is_some() {}
}

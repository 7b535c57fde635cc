//! RetryPolicy with a scripted fake provider on paused time, plus one
//! end-to-end retry through the Anthropic provider.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use agent::provider::{
    Capabilities, ChatEvent, ChatRequest, ChatStream, Provider, ProviderError, RetryPolicy,
    StopReason, Usage,
};
use async_trait::async_trait;
use pretty_assertions::assert_eq;
use tokio::time::Instant;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

use crate::anthropic::{
    drain, error_response, ev_message_start, ev_stop, ev_text, provider, request, sse,
    stream_response,
};

// ---- a scripted provider ----

/// What one call of [`Scripted`] answers.
enum Attempt {
    /// `stream` itself fails.
    Fail(ProviderError),
    /// `stream` succeeds with these items.
    Stream(Vec<Result<ChatEvent, ProviderError>>),
}

/// Answers each call with the next scripted attempt and records when each
/// call was made (in tokio's, possibly paused, time).
struct Scripted {
    script: Mutex<VecDeque<Attempt>>,
    calls: Mutex<Vec<Instant>>,
}

impl Scripted {
    fn new(script: impl IntoIterator<Item = Attempt>) -> Self {
        Self {
            script: Mutex::new(script.into_iter().collect()),
            calls: Mutex::new(Vec::new()),
        }
    }

    fn attempts(&self) -> usize {
        lock(&self.calls).len()
    }

    /// Time between consecutive calls.
    fn gaps(&self) -> Vec<Duration> {
        let calls = lock(&self.calls);
        calls.windows(2).map(|pair| pair[1] - pair[0]).collect()
    }

    fn unused(&self) -> usize {
        lock(&self.script).len()
    }
}

#[async_trait]
impl Provider for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            tools: true,
            prompt_caching: false,
        }
    }

    async fn stream(&self, _request: ChatRequest) -> Result<ChatStream, ProviderError> {
        lock(&self.calls).push(Instant::now());
        let next = lock(&self.script).pop_front();
        match next {
            Some(Attempt::Fail(err)) => Err(err),
            Some(Attempt::Stream(items)) => Ok(Box::pin(futures::stream::iter(items))),
            // Not retryable, so a policy that calls too often fails the test.
            None => Err(ProviderError::Protocol {
                provider: "scripted".to_owned(),
                message: "more calls than scripted".to_owned(),
            }),
        }
    }
}

/// A poisoned lock only means another assertion already failed.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

// ---- vocabulary ----

fn rate_limited(retry_after: Option<Duration>) -> ProviderError {
    ProviderError::RateLimited {
        provider: "scripted".to_owned(),
        message: "slow down".to_owned(),
        retry_after,
    }
}

fn overloaded() -> ProviderError {
    ProviderError::Overloaded {
        provider: "scripted".to_owned(),
        message: "Overloaded".to_owned(),
        retry_after: None,
    }
}

fn server_error(message: &str) -> ProviderError {
    ProviderError::Server {
        provider: "scripted".to_owned(),
        status: 500,
        message: message.to_owned(),
        retry_after: None,
    }
}

fn invalid_request() -> ProviderError {
    ProviderError::InvalidRequest {
        provider: "scripted".to_owned(),
        status: 400,
        message: "bad request".to_owned(),
    }
}

fn auth() -> ProviderError {
    ProviderError::Auth {
        provider: "scripted".to_owned(),
        status: 401,
        message: "invalid key".to_owned(),
    }
}

fn text(text: &str) -> ChatEvent {
    ChatEvent::TextDelta {
        text: text.to_owned(),
    }
}

fn answer() -> Vec<ChatEvent> {
    vec![
        text("Acme is "),
        text("within its limit."),
        ChatEvent::Usage {
            usage: Usage {
                input_tokens: 10,
                output_tokens: 5,
                ..Usage::default()
            },
        },
        ChatEvent::Done {
            stop_reason: StopReason::EndTurn,
        },
    ]
}

fn success() -> Attempt {
    Attempt::Stream(answer().into_iter().map(Ok).collect())
}

fn policy() -> RetryPolicy {
    RetryPolicy::default()
}

async fn run(policy: &RetryPolicy, provider: &Scripted) -> Result<Vec<ChatEvent>, ProviderError> {
    let stream = policy.stream(provider, &request()).await?;
    match drain(stream).await {
        (events, None) => Ok(events),
        (_, Some(err)) => Err(err),
    }
}

// ---- tests ----

#[tokio::test(start_paused = true)]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let provider = Scripted::new([
        Attempt::Fail(rate_limited(Some(Duration::from_secs(7)))),
        success(),
    ]);
    let started = Instant::now();

    let events = run(&policy(), &provider).await.unwrap();

    assert_eq!(events, answer());
    assert_eq!(provider.attempts(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn overloaded_is_retried() {
    let provider = Scripted::new([Attempt::Fail(overloaded()), success()]);

    let events = run(&policy(), &provider).await.unwrap();

    assert_eq!(events, answer());
    assert_eq!(provider.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn two_server_errors_then_success_takes_three_attempts() {
    let provider = Scripted::new([
        Attempt::Fail(server_error("first")),
        Attempt::Fail(server_error("second")),
        success(),
    ]);

    let events = run(&policy(), &provider).await.unwrap();

    assert_eq!(events, answer());
    assert_eq!(provider.attempts(), 3);
}

#[tokio::test(start_paused = true)]
async fn invalid_request_is_not_retried() {
    let provider = Scripted::new([Attempt::Fail(invalid_request()), success()]);

    let err = run(&policy(), &provider).await.unwrap_err();

    assert_eq!(err.kind(), "invalid_request");
    assert_eq!(provider.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn auth_error_is_not_retried() {
    let provider = Scripted::new([Attempt::Fail(auth()), success()]);

    let err = run(&policy(), &provider).await.unwrap_err();

    assert_eq!(err.kind(), "auth");
    assert_eq!(provider.attempts(), 1);
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_return_the_last_error() {
    let policy = policy();
    let failures = (1..=policy.max_retries + 1)
        .map(|n| Attempt::Fail(server_error(&format!("failure {n}"))))
        .collect::<Vec<_>>();
    let provider = Scripted::new(failures);

    let err = run(&policy, &provider).await.unwrap_err();

    assert_eq!(provider.attempts(), 5);
    assert!(
        matches!(&err, ProviderError::Server { message, .. } if message == "failure 5"),
        "{err:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn error_in_the_stream_before_content_is_retried() {
    let provider = Scripted::new([Attempt::Stream(vec![Err(overloaded())]), success()]);

    let events = run(&policy(), &provider).await.unwrap();

    assert_eq!(events, answer());
    assert_eq!(provider.attempts(), 2);
}

#[tokio::test(start_paused = true)]
async fn events_before_the_first_content_are_replayed_in_order() {
    let usage = ChatEvent::Usage {
        usage: Usage::default(),
    };
    let done = ChatEvent::Done {
        stop_reason: StopReason::EndTurn,
    };
    let provider = Scripted::new([Attempt::Stream(vec![
        Ok(usage.clone()),
        Ok(text("Hello")),
        Ok(text(" there")),
        Ok(done.clone()),
    ])]);

    let events = run(&policy(), &provider).await.unwrap();

    assert_eq!(events, [usage, text("Hello"), text(" there"), done]);
}

#[tokio::test(start_paused = true)]
async fn error_after_text_is_passed_through_not_retried() {
    let provider = Scripted::new([
        Attempt::Stream(vec![Ok(text("Acme is ")), Err(server_error("broken"))]),
        success(),
    ]);

    let stream = policy().stream(&provider, &request()).await.unwrap();
    let (events, err) = drain(stream).await;

    assert_eq!(events, [text("Acme is ")]);
    assert_eq!(err.expect("the stream error").kind(), "server_error");
    assert_eq!(provider.attempts(), 1);
    assert_eq!(provider.unused(), 1);
}

#[tokio::test(start_paused = true)]
async fn backoff_delays_never_exceed_max_delay() {
    let policy = RetryPolicy {
        max_retries: 8,
        base_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
    };
    let mut script: Vec<Attempt> = (0..8).map(|_| Attempt::Fail(overloaded())).collect();
    script.push(success());
    let provider = Scripted::new(script);

    run(&policy, &provider).await.unwrap();

    let gaps = provider.gaps();
    assert_eq!(gaps.len(), 8);
    // Paused time jumps exactly to each timer, rounded up to tokio's 1 ms tick.
    let cap = policy.max_delay + Duration::from_millis(1);
    assert!(gaps.iter().all(|gap| *gap <= cap), "{gaps:?}");
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_but_capped_at_a_minute() {
    let provider = Scripted::new([
        Attempt::Fail(rate_limited(Some(Duration::from_secs(600)))),
        success(),
    ]);

    run(&policy(), &provider).await.unwrap();

    let gaps = provider.gaps();
    assert!(
        gaps[0] >= Duration::from_secs(60) && gaps[0] <= Duration::from_millis(60_001),
        "{gaps:?}"
    );
}

#[tokio::test]
async fn anthropic_529_then_stream_succeeds_through_retry() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(error_response(529, "overloaded_error", "Overloaded"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(stream_response(sse(&[
            ev_message_start(10, 0, 0),
            ev_text(&["Hello"]),
            ev_stop("end_turn", 2),
        ])))
        .expect(1)
        .mount(&server)
        .await;
    // Real time here (wiremock does real IO), so keep the backoff tiny.
    let policy = RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
    };

    let stream = policy.stream(&provider(&server), &request()).await.unwrap();
    let (events, err) = drain(stream).await;

    assert!(err.is_none(), "{err:?}");
    assert_eq!(events[0], text("Hello"));
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

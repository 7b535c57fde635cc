//! The one retry policy for every provider, plus the HTTP error classification
//! the providers share so that [`RetryPolicy`] sees the same error kinds from
//! each of them.
//!
//! Providers never retry on their own. A call is retried only until the
//! first text or tool-call event has arrived: after that the person may
//! already have seen part of the answer, and a second attempt would show it
//! twice.

use std::time::Duration;

use futures::StreamExt;
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::{ChatEvent, ChatRequest, ChatStream, Provider, ProviderError};

/// Longest `retry-after` we honour. A server asking for more is capped here,
/// so one turn never hangs for minutes behind a single call.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Retries retryable provider errors with exponential backoff and jitter,
/// honouring `retry-after`.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// Backoff of the first retry before jitter; doubles with each retry.
    pub base_delay: Duration,
    /// Upper bound of the exponential backoff (not of a server's `retry-after`).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Opens a stream, retrying errors that happen before the first text or
    /// tool-call event.
    ///
    /// Events that arrive before the first content event are held back and
    /// replayed in front of the rest of the stream. Errors after the first
    /// content event are passed through and never retried. When retries are
    /// exhausted the last error is returned.
    pub async fn stream(
        &self,
        provider: &dyn Provider,
        request: &ChatRequest,
    ) -> Result<ChatStream, ProviderError> {
        let mut attempt: u32 = 0;
        loop {
            let err = match open_until_content(provider, request).await {
                Ok(stream) => return Ok(stream),
                Err(err) => err,
            };
            if !err.is_retryable() || attempt >= self.max_retries {
                return Err(err);
            }
            let delay = self.delay(attempt, &err);
            attempt += 1;
            tracing::warn!(
                provider = provider.name(),
                error.kind = err.kind(),
                attempt,
                retry_in_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "provider call failed; retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// How long to wait before retry number `attempt + 1`: the server's
    /// `retry-after` (capped at [`MAX_RETRY_AFTER`]) when it sent one,
    /// otherwise exponential backoff with full jitter, capped at `max_delay`.
    fn delay(&self, attempt: u32, err: &ProviderError) -> Duration {
        if let Some(retry_after) = err.retry_after() {
            return retry_after.min(MAX_RETRY_AFTER);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(2_u32.saturating_pow(attempt))
            .min(self.max_delay);
        // Full jitter spreads the retries of many turns that failed together,
        // so they do not hit the provider again in lockstep.
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=ceiling_ms))
    }
}

/// Opens one attempt and reads it up to its first content event, so that an
/// error arriving early in the stream can still be retried.
async fn open_until_content(
    provider: &dyn Provider,
    request: &ChatRequest,
) -> Result<ChatStream, ProviderError> {
    let mut stream = provider.stream(request.clone()).await?;
    let mut held_back = Vec::new();
    loop {
        match stream.next().await {
            Some(Ok(event)) => {
                let is_content = is_content(&event);
                held_back.push(Ok(event));
                if is_content {
                    break;
                }
            }
            Some(Err(err)) => return Err(err),
            // The stream is finished: polling it again is not allowed, so the
            // held-back events are all there is.
            None => return Ok(Box::pin(futures::stream::iter(held_back))),
        }
    }
    Ok(Box::pin(futures::stream::iter(held_back).chain(stream)))
}

/// Whether the person may already see this event: text or a tool call.
fn is_content(event: &ChatEvent) -> bool {
    match event {
        ChatEvent::TextDelta { .. } | ChatEvent::ToolCall { .. } => true,
        ChatEvent::Usage { .. } | ChatEvent::Done { .. } => false,
    }
}

/// Classifies a failed HTTP response by its status, as every provider does.
/// Status 0 marks a request rejected before it was sent.
pub(super) fn error_from_status(
    provider: &str,
    status: u16,
    message: String,
    retry_after: Option<Duration>,
) -> ProviderError {
    let provider = provider.to_owned();
    match status {
        429 => ProviderError::RateLimited {
            provider,
            message,
            retry_after,
        },
        // Anthropic's "overloaded"; not a standard status, so it comes before 5xx.
        529 => ProviderError::Overloaded {
            provider,
            message,
            retry_after,
        },
        401 | 403 => ProviderError::Auth {
            provider,
            status,
            message,
        },
        500..=599 => ProviderError::Server {
            provider,
            status,
            message,
            retry_after,
        },
        0 | 400..=499 => ProviderError::InvalidRequest {
            provider,
            status,
            message,
        },
        _ => ProviderError::Protocol {
            provider,
            message: format!("unexpected http status {status}: {message}"),
        },
    }
}

/// The delay a server asked for, from `retry-after-ms` (sent by OpenAI) or
/// `retry-after` in seconds. An HTTP-date `retry-after` is rare for LLM APIs
/// and is ignored, which falls back to our own backoff.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = |name: &str, scale: f64| {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite() && *value >= 0.0)
            .and_then(|value| Duration::try_from_secs_f64(value / scale).ok())
    };
    seconds("retry-after-ms", 1000.0).or_else(|| seconds(RETRY_AFTER.as_str(), 1.0))
}

/// At most `max` characters of a response body, for error messages: enough to
/// recognise a proxy's error page without copying all of it into logs.
pub(super) fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn retry_after_reads_seconds_and_milliseconds() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[
                ("retry-after-ms", "1500"),
                ("retry-after", "9")
            ])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            None
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn statuses_map_to_what_the_caller_does_next() {
        let kind = |status| error_from_status("p", status, String::new(), None).kind();
        assert_eq!(kind(429), "rate_limited");
        assert_eq!(kind(529), "overloaded");
        assert_eq!(kind(500), "server_error");
        assert_eq!(kind(503), "server_error");
        assert_eq!(kind(401), "auth");
        assert_eq!(kind(403), "auth");
        assert_eq!(kind(400), "invalid_request");
        assert_eq!(kind(404), "invalid_request");
        assert_eq!(kind(302), "protocol");
    }

    #[test]
    fn backoff_stays_within_its_ceiling() {
        let policy = RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(700),
        };
        let err = error_from_status("p", 500, String::new(), None);
        for attempt in 0..10 {
            let ceiling = Duration::from_millis(100 * 2_u64.pow(attempt)).min(policy.max_delay);
            for _ in 0..50 {
                assert!(policy.delay(attempt, &err) <= ceiling);
            }
        }
    }

    #[test]
    fn retry_after_wins_over_backoff_but_is_capped() {
        let policy = RetryPolicy::default();
        let asked =
            |secs| error_from_status("p", 429, String::new(), Some(Duration::from_secs(secs)));
        assert_eq!(policy.delay(0, &asked(45)), Duration::from_secs(45));
        assert_eq!(policy.delay(3, &asked(600)), MAX_RETRY_AFTER);
    }

    #[test]
    fn snippet_cuts_long_bodies_on_a_char_boundary() {
        assert_eq!(snippet(b"  short  ", 10), "short");
        assert_eq!(snippet("ééééé".as_bytes(), 3), "ééé…");
    }
}

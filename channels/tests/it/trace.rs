//! The `http_request` span: method and route template, never the URI.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use tracing::Subscriber;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::support::{Setup, TestServer};

type Fields = BTreeMap<String, String>;

/// Records the fields of every `http_request` span.
#[derive(Clone, Default)]
struct RequestSpans(Arc<Mutex<Vec<Fields>>>);

impl<S: Subscriber> Layer<S> for RequestSpans {
    fn on_new_span(&self, attrs: &Attributes<'_>, _id: &Id, _ctx: Context<'_, S>) {
        if attrs.metadata().name() == "http_request" {
            let mut fields = FieldMap::default();
            attrs.record(&mut fields);
            // A poisoned lock means a test already failed; keep recording.
            let mut spans = self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            spans.push(fields.0);
        }
    }
}

#[derive(Default)]
struct FieldMap(Fields);

impl Visit for FieldMap {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// The spans of every test in this binary. Installed as the global
/// subscriber: a thread-scoped one races with tracing's per-callsite
/// interest cache when other tests run in parallel.
#[allow(clippy::expect_used)] // a fixture; the test cannot run without it
fn request_spans() -> &'static RequestSpans {
    static SPANS: OnceLock<RequestSpans> = OnceLock::new();
    SPANS.get_or_init(|| {
        let spans = RequestSpans::default();
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(spans.clone()))
            .expect("no other global subscriber in this test binary");
        spans
    })
}

#[tokio::test]
async fn requests_are_traced_with_the_method_and_route_template() {
    let spans = request_spans();
    let server = TestServer::start(Setup::default()).await;
    let id = uuid::Uuid::new_v4();

    server
        .get(&format!("/api/threads/{id}"))
        .send()
        .await
        .unwrap();
    server
        .client
        .get(server.url("/health"))
        .send()
        .await
        .unwrap();

    // Other tests add their own spans; these two must be among them.
    let recorded = spans.0.lock().unwrap().clone();
    let traced = |method: &str, path: &str| {
        Fields::from([
            ("matched_path".to_owned(), path.to_owned()),
            ("method".to_owned(), method.to_owned()),
        ])
    };
    assert!(
        recorded.contains(&traced("GET", "/api/threads/{id}")),
        "{recorded:?}"
    );
    assert!(recorded.contains(&traced("GET", "/health")), "{recorded:?}");
    let id = id.to_string();
    assert!(
        recorded
            .iter()
            .flat_map(|fields| fields.values())
            .all(|value| !value.contains(&id)),
        "a span holds the requested id: {recorded:?}"
    );
}

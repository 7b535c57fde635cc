//! `FakeOdoo`: the dataset behind a lock, served over HTTP on a loopback
//! port by an in-process axum server that stops when the handle is dropped.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use serde_json::{Map, Value};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

use crate::demo::Dataset;

use super::engine::{Method, execute, execute_read};
use super::fault::Fault;
use super::record::{Failure, Injection, Matcher, RecordedCall, take};
use super::{json2, jsonrpc};

/// A running fake Odoo server.
///
/// `start` binds `127.0.0.1:0`; [`FakeOdoo::url`] is the base url to give a
/// client (`/jsonrpc` and `/json/2/..` hang below it). Dropping the handle
/// stops the server; [`FakeOdoo::stop`] also waits until it has stopped.
pub struct FakeOdoo {
    state: Arc<State>,
    addr: SocketAddr,
    url: Url,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// What the handlers share.
pub(crate) struct State {
    dataset: RwLock<Dataset>,
    calls: Mutex<Vec<RecordedCall>>,
    injections: Mutex<Vec<Injection>>,
    /// Nanoseconds spent running ORM calls, so benchmarks can tell the
    /// fake's own work from the caller's.
    engine_nanos: AtomicU64,
}

impl FakeOdoo {
    /// Serves `dataset` on a fresh loopback port.
    pub async fn start(mut dataset: Dataset) -> std::io::Result<FakeOdoo> {
        super::wizard::install(&mut dataset);
        let state = Arc::new(State {
            dataset: RwLock::new(dataset),
            calls: Mutex::new(Vec::new()),
            injections: Mutex::new(Vec::new()),
            engine_nanos: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let url = Url::parse(&format!("http://{addr}/"))
            .map_err(|err| std::io::Error::new(std::io::ErrorKind::InvalidData, err))?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let app = router(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(err) = serving.await {
                tracing::warn!(error = %err, "fake odoo server stopped with an error");
            }
        });
        Ok(FakeOdoo {
            state,
            addr,
            url,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The base url, e.g. `http://127.0.0.1:41234/`.
    pub fn url(&self) -> Url {
        self.url.clone()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every call received so far, in arrival order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.state.calls().clone()
    }

    /// Forgets the calls received so far and resets [`FakeOdoo::engine_time`].
    pub fn clear_calls(&self) {
        self.state.calls().clear();
        self.state.engine_nanos.store(0, Ordering::Relaxed);
    }

    /// Time spent executing ORM calls (search, read, grouping, writes) since
    /// start or the last [`FakeOdoo::clear_calls`]: what a real Odoo's own
    /// work stands for, without HTTP and JSON.
    pub fn engine_time(&self) -> Duration {
        Duration::from_nanos(self.state.engine_nanos.load(Ordering::Relaxed))
    }

    /// Makes the next `times` calls matching `matcher` fail with `failure`
    /// (each matching call uses one). Injections are tried in the order given.
    pub fn inject(&self, matcher: Matcher, failure: Failure, times: usize) {
        if times == 0 {
            return;
        }
        self.state
            .injections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Injection {
                matcher,
                failure,
                remaining: times,
            });
    }

    /// Reads the dataset as it is now (after the writes received so far).
    pub fn with_dataset<R>(&self, read: impl FnOnce(&Dataset) -> R) -> R {
        read(
            &self
                .state
                .dataset
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Changes the dataset between calls, e.g. to set up a test case.
    pub fn with_dataset_mut<R>(&self, change: impl FnOnce(&mut Dataset) -> R) -> R {
        change(
            &mut self
                .state
                .dataset
                .write()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    /// Stops accepting requests, lets those in flight finish, and waits.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeOdoo {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

impl std::fmt::Debug for FakeOdoo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeOdoo")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/jsonrpc", post(jsonrpc::handle))
        .route("/json/2/{model}/{method}", post(json2::handle))
        .with_state(state)
}

impl State {
    fn calls(&self) -> std::sync::MutexGuard<'_, Vec<RecordedCall>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn record(&self, call: RecordedCall) {
        self.calls().push(call);
    }

    /// The failure to inject into this call, if one is waiting.
    pub(crate) fn injected(&self, model: &str, method: &str) -> Option<Failure> {
        take(
            &mut self
                .injections
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            model,
            method,
        )
    }

    /// Reads the dataset under the shared lock.
    pub(crate) fn read<R>(&self, read: impl FnOnce(&Dataset) -> R) -> R {
        read(&self.dataset.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs an ORM call, under the exclusive lock only when it writes.
    pub(crate) fn run(
        &self,
        uid: i64,
        model: &str,
        method: &str,
        args: Vec<Value>,
        kwargs: Map<String, Value>,
    ) -> Result<Value, Fault> {
        let started = Instant::now();
        let result = if Method::parse(method).is_some_and(Method::writes) {
            let mut dataset = self.dataset.write().unwrap_or_else(PoisonError::into_inner);
            execute(&mut dataset, uid, model, method, args, kwargs)
        } else {
            self.read(|dataset| execute_read(dataset, uid, model, method, args, kwargs))
        };
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.engine_nanos.fetch_add(nanos, Ordering::Relaxed);
        result
    }
}

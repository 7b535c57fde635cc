//! Routes and the middleware around them.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::Request;
use axum::middleware;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

use super::error::ApiError;
use super::state::WebState;
use super::{api, attachments, auth, closings, page, proposals, reconciliation, schedules};

/// The HTTP API. Merge it into the server's router and serve it with
/// [`super::serve`]. Only `/api` has its own fallbacks (JSON 404 and 405):
/// axum refuses to merge two routers that both set a top-level one, so that
/// is left to the server.
pub fn router(state: WebState) -> Router {
    let state = Arc::new(state);
    let api = Router::new()
        .route("/chat", post(api::chat))
        .route("/threads/{id}", get(api::thread))
        .route("/proposals/{id}", get(proposals::show))
        .route("/proposals/{id}/approve", post(proposals::approve))
        .route("/proposals/{id}/reject", post(proposals::reject))
        .route("/schedules", post(schedules::create).get(schedules::list))
        .route(
            "/schedules/{id}",
            get(schedules::show).patch(schedules::update),
        )
        .route(
            "/reconciliation/confirmations",
            post(reconciliation::confirm),
        )
        .route("/attachments/{id}", get(attachments::download))
        .route("/closings/{company}/{period}", get(closings::show))
        .route(
            "/closings/{company}/{period}/items/{key}",
            post(closings::change_step),
        )
        .route(
            "/closings/{company}/{period}/reopen",
            post(closings::reopen),
        )
        // With its own fallback under the key check, unknown `/api` paths
        // need the key too, so probing without it learns nothing.
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_api_key,
        ));
    Router::new()
        // The web chat is public; what it does goes through `/api` and its key.
        .route("/", get(page::index))
        .route(page::SCRIPT_PATH, get(page::script))
        .route(page::MARKDOWN_PATH, get(page::markdown_script))
        .route(page::STYLE_PATH, get(page::style))
        .route("/health", get(api::health))
        .nest("/api", api)
        .layer(DefaultBodyLimit::max(state.max_body_bytes))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                // The route template keeps span cardinality low and ids out of
                // the logs; unmatched requests leave it empty.
                let matched_path = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map(MatchedPath::as_str);
                tracing::info_span!("http_request", method = %request.method(), matched_path)
            }),
        )
        .with_state(state)
}

async fn no_route() -> ApiError {
    ApiError::NoRoute
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

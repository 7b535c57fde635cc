//! The web chat: `GET /` and its script and style under `/assets/`, built
//! into the binary so the page works offline, with no front-end framework
//! and nothing loaded from elsewhere.
//!
//! The page is public; everything it does goes through `/api/*` with the
//! same bearer key as any other client. It only needs to know whether to
//! ask for that key up front, which `data-auth` on its `<body>` tells it:
//! `key` when the server has an API key, `open` on a loopback server
//! without one (configuration refuses other binds without a key).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::state::WebState;

const INDEX_HTML: &str = include_str!("assets/index.html");
const CHAT_JS: &str = include_str!("assets/chat.js");
const MARKDOWN_JS: &str = include_str!("assets/markdown.js");
const CHAT_CSS: &str = include_str!("assets/chat.css");

/// Where the page finds its script and style.
pub(crate) const SCRIPT_PATH: &str = "/assets/chat.js";
pub(crate) const MARKDOWN_PATH: &str = "/assets/markdown.js";
pub(crate) const STYLE_PATH: &str = "/assets/chat.css";

/// Replaced in `index.html` by the authentication mode.
const AUTH_PLACEHOLDER: &str = "{{auth}}";

/// Only this origin's script, style and API; no inline code, no frames, no
/// plugins. Model and Odoo text is inserted as text by the script, and this
/// is the second line: even injected markup could run nothing.
pub(crate) const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// `GET /`: the chat page.
pub(crate) async fn index(State(state): State<Arc<WebState>>) -> Response {
    let mode = if state.api_key.is_some() {
        "key"
    } else {
        "open"
    };
    let html = INDEX_HTML.replace(AUTH_PLACEHOLDER, mode);
    let mut response = asset("text/html; charset=utf-8", html);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // Older browsers ignore `frame-ancestors`.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// `GET /assets/chat.js`.
pub(crate) async fn script() -> Response {
    asset("text/javascript; charset=utf-8", CHAT_JS)
}

/// `GET /assets/markdown.js`.
pub(crate) async fn markdown_script() -> Response {
    asset("text/javascript; charset=utf-8", MARKDOWN_JS)
}

/// `GET /assets/chat.css`.
pub(crate) async fn style() -> Response {
    asset("text/css; charset=utf-8", CHAT_CSS)
}

fn asset(media_type: &'static str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media_type)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Revalidate every time, so a new version of the server never
            // runs with the previous version's script.
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                HeaderValue::from_static("same-origin"),
            ),
        ],
        body.into(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_its_own_assets_and_nothing_inline() {
        assert!(INDEX_HTML.contains(&format!("src=\"{SCRIPT_PATH}\"")));
        assert!(INDEX_HTML.contains(&format!("src=\"{MARKDOWN_PATH}\"")));
        assert!(INDEX_HTML.contains(&format!("href=\"{STYLE_PATH}\"")));
        assert!(INDEX_HTML.contains(AUTH_PLACEHOLDER));
        // The policy forbids inline code; any would silently not run.
        assert!(!INDEX_HTML.contains("<script>"), "inline script");
        assert!(!INDEX_HTML.contains("<style"), "inline style");
        assert!(!INDEX_HTML.contains(" style="), "inline style attribute");
        assert!(!has_event_handler(INDEX_HTML), "inline event handler");
        assert!(!INDEX_HTML.contains("http://") && !INDEX_HTML.contains("https://"));
    }

    /// Whether `html` has an attribute like ` onclick=`.
    fn has_event_handler(html: &str) -> bool {
        html.match_indices(" on").any(|(at, _)| {
            let rest = &html[at + 3..];
            let name_len = rest.chars().take_while(char::is_ascii_lowercase).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        })
    }

    #[test]
    fn event_handler_attributes_are_found_but_words_are_not() {
        assert!(has_event_handler("<a onclick=\"x()\">"));
        assert!(!has_event_handler("<p>Based on your data</p>"));
    }

    #[test]
    fn the_script_never_writes_html() {
        // Model and Odoo text goes in as text; these would parse it as HTML.
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
        ] {
            assert!(!CHAT_JS.contains(sink), "chat.js uses {sink}");
        }
        assert!(!CHAT_JS.contains("eval("), "chat.js uses eval");
    }
}

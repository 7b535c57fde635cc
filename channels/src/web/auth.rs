//! Bearer-key authentication of `/api/*`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;
use tools::Identity;

use super::error::ApiError;
use super::state::WebState;

/// Lets the request through when no key is configured or when it carries
/// `Authorization: Bearer <key>` with the configured key, as the identity
/// that key stands for (an `Identity` request extension handlers read).
pub(crate) async fn require_api_key(
    State(state): State<Arc<WebState>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(expected) = &state.api_key {
        let presented = bearer_token(request.headers()).ok_or(ApiError::Unauthorized(
            "missing bearer token: send `Authorization: Bearer <api key>`",
        ))?;
        if !keys_match(presented, expected.expose_secret()) {
            tracing::warn!("request with a wrong API key refused");
            return Err(ApiError::Unauthorized("invalid API key"));
        }
    }
    // One key for the whole API, so every caller acts as the operator,
    // unless a layer of the server in front has already said who it is.
    if request.extensions().get::<Identity>().is_none() {
        request.extensions_mut().insert(Identity::local_operator());
    }
    Ok(next.run(request).await)
}

/// The token of an `Authorization: Bearer <token>` header; the scheme is
/// case-insensitive (RFC 7235).
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Constant-time in the content, so response timing does not reveal how
/// much of a guess was right. Only the length can leak, which says little
/// about a long random key.
fn keys_match(presented: &str, expected: &str) -> bool {
    presented.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer_token(&headers("bearer abc")), Some("abc"));
        assert_eq!(bearer_token(&headers("Bearer abc")), Some("abc"));
    }

    #[test]
    fn other_schemes_and_empty_tokens_are_not_bearer_tokens() {
        assert_eq!(bearer_token(&headers("Basic abc")), None);
        assert_eq!(bearer_token(&headers("Bearer ")), None);
        assert_eq!(bearer_token(&headers("Bearer")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }

    #[test]
    fn keys_match_only_when_equal() {
        assert!(keys_match("secret-key", "secret-key"));
        assert!(!keys_match("secret-kex", "secret-key"));
        assert!(!keys_match("secret", "secret-key"));
    }
}

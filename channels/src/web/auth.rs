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

/// Lets the request through as the identity its bearer key stands for: a
/// configured identity's own key (`ODOO_AGENT_IDENTITIES`), or the single
/// API key (or no key on a loopback server without one) as the local
/// operator. The identity becomes an `Identity` request extension that
/// handlers read.
pub(crate) async fn require_api_key(
    State(state): State<Arc<WebState>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let presented = bearer_token(request.headers());
    if let Some(identity) = presented.and_then(|key| state.identities.by_api_key(key)) {
        let identity = identity.clone();
        request.extensions_mut().insert(identity);
        return Ok(next.run(request).await);
    }
    if let Some(expected) = &state.api_key {
        let presented = presented.ok_or(ApiError::Unauthorized(
            "missing bearer token: send `Authorization: Bearer <api key>`",
        ))?;
        if !keys_match(presented, expected.expose_secret()) {
            tracing::warn!("request with a wrong API key refused");
            return Err(ApiError::Unauthorized("invalid API key"));
        }
    } else if presented.is_some() && !state.identities.is_empty() {
        // Someone meant to be a configured identity but the key is wrong.
        tracing::warn!("request with an unknown identity key refused");
        return Err(ApiError::Unauthorized("invalid API key"));
    }
    // The single key acts as the operator, unless a layer of the server in
    // front has already said who is asking.
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

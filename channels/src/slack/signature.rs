//! Slack's request signing: `v0=` + hex HMAC-SHA256 of
//! `v0:{timestamp}:{raw body}` keyed with the signing secret, and a
//! timestamp within five minutes of now (so a captured request cannot be
//! replayed later).

use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};

use crate::verify::{hex_matches, hmac_sha256};

/// How far a request's timestamp may be from now.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing X-Slack-Signature or X-Slack-Request-Timestamp")]
    Missing,
    #[error("X-Slack-Request-Timestamp is not within five minutes of now")]
    Stale,
    #[error("X-Slack-Signature does not match the body")]
    Mismatch,
}

/// Checks the signature headers of a request whose raw body is `body`.
pub fn verify(
    secret: &SecretString,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), SignatureError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (
        header("x-slack-signature"),
        header("x-slack-request-timestamp"),
    ) else {
        return Err(SignatureError::Missing);
    };
    let at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::Stale)?;
    if (now - at).abs() > MAX_SKEW_SECS {
        return Err(SignatureError::Stale);
    }
    let Some(hex) = signature.strip_prefix("v0=") else {
        return Err(SignatureError::Mismatch);
    };
    let expected = sign_parts(secret, timestamp.trim(), body);
    if hex_matches(hex, &expected) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn sign_parts(secret: &SecretString, timestamp: &str, body: &[u8]) -> [u8; 32] {
    hmac_sha256(
        secret.expose_secret().as_bytes(),
        &[b"v0:", timestamp.as_bytes(), b":", body],
    )
}

/// The `X-Slack-Signature` value Slack would send for `body` at
/// `timestamp`; for tests, benchmarks and fakes.
pub fn signature_header(secret: &SecretString, timestamp: i64, body: &[u8]) -> String {
    format!(
        "v0={}",
        hex::encode(sign_parts(secret, &timestamp.to_string(), body))
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(signature: Option<&str>, timestamp: Option<&str>) -> HeaderMap {
        let mut map = HeaderMap::new();
        if let Some(s) = signature {
            map.insert("x-slack-signature", s.parse().unwrap());
        }
        if let Some(t) = timestamp {
            map.insert("x-slack-request-timestamp", t.parse().unwrap());
        }
        map
    }

    #[test]
    fn matches_slacks_documented_example() {
        // The worked example of Slack's "Verifying requests" page.
        let secret = SecretString::from("8f742231b10e8888abcd99yyyzzz85a5");
        let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        let h = headers(Some(sig), Some("1531420618"));
        assert_eq!(verify(&secret, &h, body, 1_531_420_618 + 10), Ok(()));
        assert_eq!(signature_header(&secret, 1_531_420_618, body), sig);
        assert_eq!(
            verify(&secret, &h, b"tampered", 1_531_420_618),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secret, &h, body, 1_531_420_618 + 301),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(
                &secret,
                &headers(None, Some("1531420618")),
                body,
                1_531_420_618
            ),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify(&secret, &headers(Some(sig), None), body, 1_531_420_618),
            Err(SignatureError::Missing)
        );
    }
}

//! Request signatures shared by the webhooks: HMAC-SHA256 of the raw body
//! (Slack, WhatsApp, the Odoo addon) and constant-time comparison of
//! secrets (Telegram's header, WhatsApp's verify token).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA256 over the concatenation of `parts`, keyed with `secret`.
pub fn hmac_sha256(secret: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // Any key length is valid for HMAC; the error case cannot happen.
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Whether `given_hex` (as sent, any case) is the hex of `expected`,
/// compared in constant time. Malformed hex is a mismatch.
pub fn hex_matches(given_hex: &str, expected: &[u8; 32]) -> bool {
    match hex::decode(given_hex.trim()) {
        Ok(given) => given.len() == expected.len() && bool::from(given.ct_eq(expected)),
        Err(_) => false,
    }
}

/// Whether two secrets are equal, in constant time for equal lengths.
pub fn secrets_match(given: &str, expected: &str) -> bool {
    given.len() == expected.len() && bool::from(given.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_rfc_4231_vector_and_rejects_changes() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", &[b"what do ya want ", b"for nothing?"]);
        let hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert!(hex_matches(hex, &mac));
        assert!(hex_matches(&hex.to_uppercase(), &mac));
        assert!(!hex_matches(&hex.replace('5', "6"), &mac));
        assert!(!hex_matches("", &mac));
        assert!(!hex_matches("zz", &mac));
        assert!(secrets_match("abc", "abc"));
        assert!(!secrets_match("abc", "abd"));
        assert!(!secrets_match("abc", "abcd"));
    }
}

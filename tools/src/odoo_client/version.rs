//! The Odoo server version, as reported by `common.version`.

use std::fmt;

use serde_json::Value;

/// The version an Odoo server reports, reduced to what the client branches on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerVersion {
    /// The text Odoo reports, e.g. `17.0` or `saas~18.3`.
    pub raw: String,
    /// The major release: `saas~18.3` counts as 18, since it behaves as 18
    /// with later features, not as 19.
    pub major: u16,
    /// The minor release: 0 for on-premise majors, 1–4 for saas releases.
    pub minor: u16,
    /// Whether this is an Odoo Online (saas) release.
    pub saas: bool,
}

impl ServerVersion {
    /// Reads the `common.version` result. `None` when neither
    /// `server_version_info` nor `server_version` can be understood.
    pub fn from_version_result(result: &Value) -> Option<Self> {
        Self::from_keys(result, "server_version", "server_version_info")
    }

    /// Reads the answer of `GET /web/version` (`{"version": "19.0",
    /// "version_info": [19, 0, 0, "final", 0, ""]}`), the probe that outlives
    /// `/jsonrpc`.
    pub fn from_web_version(result: &Value) -> Option<Self> {
        Self::from_keys(result, "version", "version_info")
    }

    fn from_keys(result: &Value, text_key: &str, info_key: &str) -> Option<Self> {
        let raw = result.get(text_key).and_then(Value::as_str)?.to_owned();
        let saas = raw.starts_with("saas~");
        // `server_version_info` is `[17, 0, 0, "final", 0, ""]` on-premise but
        // `["saas~18", 3, 0, "final", 0, ""]` on saas, so its first element is
        // either a number or a prefixed string; the text form is the fallback.
        let info = result.get(info_key).and_then(Value::as_array);
        let from_info = info.and_then(|info| {
            let major = match info.first()? {
                Value::Number(n) => u16::try_from(n.as_u64()?).ok()?,
                Value::String(s) => s.trim_start_matches("saas~").parse().ok()?,
                _ => return None,
            };
            let minor = u16::try_from(info.get(1)?.as_u64()?).ok()?;
            Some((major, minor))
        });
        let (major, minor) = match from_info {
            Some(pair) => pair,
            None => parse_text(&raw)?,
        };
        Some(Self {
            raw,
            major,
            minor,
            saas,
        })
    }

    /// Whether this client was built and tested against this major release.
    pub fn is_supported(&self) -> bool {
        (17..=19).contains(&self.major)
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Parses `17.0`, `saas~18.3` or `19.0+e` into (major, minor).
fn parse_text(raw: &str) -> Option<(u16, u16)> {
    let text = raw.trim_start_matches("saas~");
    let mut parts = text.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor_digits: String = parts
        .next()
        .unwrap_or("0")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let minor = minor_digits.parse().unwrap_or(0);
    Some((major, minor))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn text_fallback_handles_saas_and_suffixes() {
        let v = ServerVersion::from_version_result(&json!({"server_version": "saas~18.3"}));
        assert_eq!(v.map(|v| (v.major, v.minor, v.saas)), Some((18, 3, true)));
        let v = ServerVersion::from_version_result(&json!({"server_version": "19.0+e"}));
        assert_eq!(v.map(|v| (v.major, v.minor, v.saas)), Some((19, 0, false)));
    }

    #[test]
    fn web_version_answer_is_understood() {
        let v = ServerVersion::from_web_version(
            &json!({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}),
        );
        assert_eq!(v.map(|v| (v.major, v.minor, v.saas)), Some((19, 0, false)));
    }

    #[test]
    fn missing_server_version_is_none() {
        assert_eq!(ServerVersion::from_version_result(&json!({})), None);
    }
}

//! Which wire protocol a client speaks: JSON-RPC (`/jsonrpc`, Odoo 17 and 18)
//! or JSON-2 (`/json/2/<model>/<method>`, Odoo 19 and later, where the RPC
//! endpoints are deprecated).

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use super::version::ServerVersion;

/// The protocol asked for in the configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProtocolChoice {
    /// JSON-2 from Odoo 19 (or when `/jsonrpc` is gone), JSON-RPC before.
    #[default]
    Auto,
    /// Always JSON-RPC, e.g. for a 19 server whose users have no API key
    /// allowed on JSON-2 yet.
    JsonRpc,
    /// Always JSON-2; fails at connection on servers older than 19.
    Json2,
}

/// The protocol a connected client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `POST /jsonrpc` with `execute_kw`: positional and keyword arguments,
    /// the uid and API key in every body.
    JsonRpc,
    /// `POST /json/2/<model>/<method>`: named arguments, the API key as a
    /// bearer token.
    Json2,
}

/// A protocol name that is none of the accepted ones.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("unknown odoo protocol {0:?}: expected one of auto, jsonrpc, json2")]
pub struct UnknownProtocol(pub String);

impl ProtocolChoice {
    /// The protocol to use with a server of `version`; `jsonrpc_available` is
    /// false when `/jsonrpc` answered 404, as it will once Odoo removes it.
    pub fn resolve(self, version: &ServerVersion, jsonrpc_available: bool) -> Protocol {
        match self {
            Self::JsonRpc => Protocol::JsonRpc,
            Self::Json2 => Protocol::Json2,
            Self::Auto if version.major >= 19 || !jsonrpc_available => Protocol::Json2,
            Self::Auto => Protocol::JsonRpc,
        }
    }
}

impl FromStr for ProtocolChoice {
    type Err = UnknownProtocol;

    /// Accepts `auto`, `jsonrpc` and `json2`, in any case.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "jsonrpc" => Ok(Self::JsonRpc),
            "json2" => Ok(Self::Json2),
            _ => Err(UnknownProtocol(text.to_owned())),
        }
    }
}

impl fmt::Display for ProtocolChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::JsonRpc => "jsonrpc",
            Self::Json2 => "json2",
        })
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::JsonRpc => "jsonrpc",
            Self::Json2 => "json2",
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn version(raw: &str) -> ServerVersion {
        ServerVersion::from_version_result(&json!({ "server_version": raw }))
            .unwrap_or_else(|| panic!("{raw} parses"))
    }

    #[test]
    fn parses_the_three_names_in_any_case() {
        assert_eq!("auto".parse(), Ok(ProtocolChoice::Auto));
        assert_eq!("JsonRpc".parse(), Ok(ProtocolChoice::JsonRpc));
        assert_eq!(" json2 ".parse(), Ok(ProtocolChoice::Json2));
    }

    #[test]
    fn unknown_name_lists_the_accepted_values() {
        let err = "xmlrpc".parse::<ProtocolChoice>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown odoo protocol \"xmlrpc\": expected one of auto, jsonrpc, json2"
        );
    }

    #[test]
    fn auto_picks_json2_from_19_or_when_jsonrpc_is_gone() {
        let auto = ProtocolChoice::Auto;
        assert_eq!(auto.resolve(&version("17.0"), true), Protocol::JsonRpc);
        assert_eq!(auto.resolve(&version("saas~18.3"), true), Protocol::JsonRpc);
        assert_eq!(auto.resolve(&version("19.0"), true), Protocol::Json2);
        assert_eq!(auto.resolve(&version("18.0"), false), Protocol::Json2);
        let forced = ProtocolChoice::JsonRpc;
        assert_eq!(forced.resolve(&version("19.0"), true), Protocol::JsonRpc);
    }
}

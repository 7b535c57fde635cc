//! The people (or API clients) the server knows, from the TOML file named by
//! `ODOO_AGENT_IDENTITIES`: each with a name, the Odoo user it acts as, its
//! roles, and the SHA-256 of its API key. The key itself is never stored,
//! so the file can be read by more people than the keys' holders.
//!
//! ```toml
//! [[identity]]
//! id = "anna"
//! name = "Anita Verbeek"
//! odoo_login = "accountant@example.com"
//! roles = ["finance"]
//! # sha256 of the key, in hex: `printf %s "$KEY" | sha256sum`
//! api_key_sha256 = "4c1f…"
//! # a real Odoo needs the user's Odoo API key; the demo company knows it
//! # odoo_api_key = "…"
//! ```

use std::collections::HashSet;

use secrecy::SecretString;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tools::{Identity, IdentityId, Role};

/// One configured identity.
#[derive(Debug, Clone)]
pub struct ConfiguredIdentity {
    pub identity: Identity,
    /// The Odoo user it acts as.
    pub odoo_login: String,
    /// That user's Odoo API key; `None` with the demo company, which knows
    /// its users' keys.
    pub odoo_api_key: Option<SecretString>,
    api_key_sha256: [u8; 32],
}

/// Every configured identity; empty when `ODOO_AGENT_IDENTITIES` is unset.
#[derive(Debug, Clone, Default)]
pub struct Identities {
    list: Vec<ConfiguredIdentity>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    identity: Vec<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: String,
    name: String,
    odoo_login: String,
    roles: Vec<Role>,
    api_key_sha256: String,
    odoo_api_key: Option<String>,
}

impl Identities {
    /// Parses the file's text; the error names the identity and field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|err| {
            format!(
                "{}; expected [[identity]] tables with id, name, odoo_login, roles and \
                 api_key_sha256",
                err.message()
            )
        })?;
        let mut ids = HashSet::new();
        let mut hashes = HashSet::new();
        let mut list = Vec::with_capacity(file.identity.len());
        for raw in file.identity {
            let id = raw.id.trim().to_owned();
            let at = |field: &str| format!("identity {id:?}: {field}");
            if id.is_empty() {
                return Err("identity: id must not be empty".to_owned());
            }
            if id == Identity::local_operator().id.0 {
                return Err(format!(
                    "{} is reserved for the holder of ODOO_AGENT_API_KEY",
                    at("id")
                ));
            }
            if !ids.insert(id.clone()) {
                return Err(format!("{} appears twice", at("id")));
            }
            if raw.roles.is_empty() {
                return Err(format!(
                    "{} must name at least one of finance, sales, warehouse, admin",
                    at("roles")
                ));
            }
            if raw.odoo_login.trim().is_empty() {
                return Err(format!("{} must not be empty", at("odoo_login")));
            }
            let hash = parse_sha256(&raw.api_key_sha256)
                .ok_or_else(|| format!("{} must be 64 hexadecimal digits", at("api_key_sha256")))?;
            if !hashes.insert(hash) {
                return Err(format!(
                    "{} is the same as another identity's",
                    at("api_key_sha256")
                ));
            }
            list.push(ConfiguredIdentity {
                identity: Identity {
                    id: IdentityId(id),
                    display_name: raw.name,
                    roles: raw.roles,
                },
                odoo_login: raw.odoo_login,
                odoo_api_key: raw.odoo_api_key.map(SecretString::from),
                api_key_sha256: hash,
            });
        }
        Ok(Self { list })
    }

    /// The identity whose API key is `key`. Comparing hashes leaks nothing
    /// about the key through timing: equal prefixes of two hashes say
    /// nothing about their preimages.
    pub fn by_api_key(&self, key: &str) -> Option<&Identity> {
        let hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        self.list
            .iter()
            .find(|c| c.api_key_sha256 == hash)
            .map(|c| &c.identity)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ConfiguredIdentity> {
        self.list.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// The SHA-256 of `key` in lowercase hex, as `api_key_sha256` expects it.
pub fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn parse_sha256(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(id: &str, roles: &str, hash: &str) -> String {
        format!(
            "[[identity]]\nid = \"{id}\"\nname = \"Anita\"\nodoo_login = \"a@x\"\n\
             roles = {roles}\napi_key_sha256 = \"{hash}\"\n"
        )
    }

    #[test]
    fn a_key_finds_its_identity_by_hash_only() {
        let text = file("anna", "[\"finance\"]", &sha256_hex("anna-key"));
        let identities = Identities::parse(&text).unwrap();
        let anna = identities.by_api_key("anna-key").unwrap();
        assert_eq!(anna.id, IdentityId("anna".to_owned()));
        assert_eq!(anna.roles, vec![Role::Finance]);
        assert!(identities.by_api_key("anna-kez").is_none());
        assert!(!text.contains("anna-key"));
    }

    #[test]
    fn mistakes_name_the_identity_and_field() {
        let hash = sha256_hex("k");
        let cases = [
            (
                file("anna", "[]", &hash),
                "identity \"anna\": roles must name",
            ),
            (
                file("anna", "[\"finance\"]", "abc"),
                "identity \"anna\": api_key_sha256 must be 64",
            ),
            (
                file("local", "[\"admin\"]", &hash),
                "identity \"local\": id is reserved",
            ),
            (
                format!(
                    "{}{}",
                    file("anna", "[\"sales\"]", &hash),
                    file("anna", "[\"sales\"]", &sha256_hex("j"))
                ),
                "identity \"anna\": id appears twice",
            ),
            (
                format!(
                    "{}{}",
                    file("anna", "[\"sales\"]", &hash),
                    file("bert", "[\"sales\"]", &hash)
                ),
                "identity \"bert\": api_key_sha256 is the same",
            ),
            (file("anna", "[\"boss\"]", &hash), "unknown variant `boss`"),
        ];
        for (text, expected) in cases {
            let err = Identities::parse(&text).unwrap_err();
            assert!(err.contains(expected), "{err}");
        }
    }
}

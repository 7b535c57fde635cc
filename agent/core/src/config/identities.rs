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
//! # the same person on chat platforms (all optional):
//! email = "anita@example.com"      # matches Slack and Odoo users by e-mail
//! slack_user = "U024BE7LH"
//! telegram_user = 93372553
//! whatsapp_number = "+31 6 1234 5678"
//! ```
//!
//! A sender no identity names is refused politely, or, with
//! `unknown_senders = "guest"` at the top of the file, answered as a guest
//! holding `guest_roles` (default: none, so no tools) who can never
//! approve a proposal.

use std::collections::HashSet;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
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
    /// `None` for people who only use chat platforms.
    api_key_sha256: Option<[u8; 32]>,
    pub accounts: ChannelAccounts,
}

/// Who a person is on each chat platform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelAccounts {
    /// Lowercase; matches the e-mail a Slack profile or an Odoo user has.
    pub email: Option<String>,
    pub slack_user: Option<String>,
    pub telegram_user: Option<i64>,
    /// Digits only, with the country code (as WhatsApp's `wa_id`).
    pub whatsapp_number: Option<String>,
}

/// What to do with a sender no identity names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownSenders {
    /// Answer with a polite refusal and run nothing.
    #[default]
    Refuse,
    /// Answer as a guest holding `guest_roles`.
    Guest,
}

/// Every configured identity; empty when `ODOO_AGENT_IDENTITIES` is unset.
#[derive(Debug, Clone, Default)]
pub struct Identities {
    list: Vec<ConfiguredIdentity>,
    unknown_senders: UnknownSenders,
    guest_roles: Vec<Role>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    unknown_senders: UnknownSenders,
    #[serde(default)]
    guest_roles: Vec<Role>,
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
    api_key_sha256: Option<String>,
    odoo_api_key: Option<String>,
    email: Option<String>,
    slack_user: Option<String>,
    telegram_user: Option<i64>,
    whatsapp_number: Option<String>,
}

impl Identities {
    /// Parses the file's text; the error names the identity and field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: File = toml::from_str(text).map_err(|err| {
            format!(
                "{}; expected [[identity]] tables with id, name, odoo_login, roles and \
                 optionally api_key_sha256, email, slack_user, telegram_user, whatsapp_number",
                err.message()
            )
        })?;
        let mut ids = HashSet::new();
        let mut hashes = HashSet::new();
        let mut accounts_seen = HashSet::new();
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
            let hash = match &raw.api_key_sha256 {
                Some(hex) => {
                    let hash = parse_sha256(hex).ok_or_else(|| {
                        format!("{} must be 64 hexadecimal digits", at("api_key_sha256"))
                    })?;
                    if !hashes.insert(hash) {
                        return Err(format!(
                            "{} is the same as another identity's",
                            at("api_key_sha256")
                        ));
                    }
                    Some(hash)
                }
                None => None,
            };
            let accounts = ChannelAccounts {
                email: raw.email.as_deref().map(normalise_email),
                slack_user: raw.slack_user.map(|u| u.trim().to_owned()),
                telegram_user: raw.telegram_user,
                whatsapp_number: match raw.whatsapp_number.as_deref() {
                    Some(number) => Some(normalise_phone(number).ok_or_else(|| {
                        format!(
                            "{} must be a phone number with its country code",
                            at("whatsapp_number")
                        )
                    })?),
                    None => None,
                },
            };
            for (taken, field) in accounts.keys() {
                if !accounts_seen.insert(taken.clone()) {
                    return Err(format!("{} is the same as another identity's", at(field)));
                }
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
                accounts,
            });
        }
        Ok(Self {
            list,
            unknown_senders: file.unknown_senders,
            guest_roles: file.guest_roles,
        })
    }

    /// The identity a chat platform's user is, by the platform's user id
    /// first, then by e-mail (Slack profiles and Odoo users carry one),
    /// then by Odoo login; a guest or a refusal when none matches.
    pub fn resolve(&self, sender: &ChannelUser) -> Resolution {
        let email = sender.email.as_deref().map(normalise_email);
        let by_account = self.list.iter().find(|c| {
            let a = &c.accounts;
            match sender.platform {
                Platform::Slack => a.slack_user.as_deref() == Some(sender.user_id.as_str()),
                Platform::Telegram => {
                    a.telegram_user.map(|id| id.to_string()).as_deref()
                        == Some(sender.user_id.as_str())
                }
                Platform::Whatsapp => {
                    a.whatsapp_number.is_some()
                        && a.whatsapp_number == normalise_phone(&sender.user_id)
                }
                Platform::Odoo => false,
            }
        });
        let by_email = || {
            let email = email.as_deref()?;
            self.list.iter().find(|c| {
                c.accounts.email.as_deref() == Some(email)
                    || normalise_email(&c.odoo_login) == email
            })
        };
        match by_account.or_else(by_email) {
            Some(configured) => Resolution::Known(configured.identity.clone()),
            None => match self.unknown_senders {
                UnknownSenders::Refuse => Resolution::Refused,
                UnknownSenders::Guest => Resolution::Guest(Identity {
                    id: IdentityId(format!(
                        "guest:{}:{}",
                        sender.platform.as_str(),
                        sender.user_id
                    )),
                    display_name: sender
                        .display_name
                        .clone()
                        .unwrap_or_else(|| "Guest".to_owned()),
                    roles: self.guest_roles.clone(),
                }),
            },
        }
    }

    /// The identity whose API key is `key`. Comparing hashes leaks nothing
    /// about the key through timing: equal prefixes of two hashes say
    /// nothing about their preimages.
    pub fn by_api_key(&self, key: &str) -> Option<&Identity> {
        let hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        self.list
            .iter()
            .find(|c| c.api_key_sha256 == Some(hash))
            .map(|c| &c.identity)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ConfiguredIdentity> {
        self.list.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

impl ChannelAccounts {
    /// Each account this person claims, with its field name, for the
    /// uniqueness check: two identities may not share one.
    fn keys(&self) -> Vec<(String, &'static str)> {
        let mut keys = Vec::new();
        if let Some(email) = &self.email {
            keys.push((format!("email:{email}"), "email"));
        }
        if let Some(user) = &self.slack_user {
            keys.push((format!("slack:{user}"), "slack_user"));
        }
        if let Some(user) = self.telegram_user {
            keys.push((format!("telegram:{user}"), "telegram_user"));
        }
        if let Some(number) = &self.whatsapp_number {
            keys.push((format!("whatsapp:{number}"), "whatsapp_number"));
        }
        keys
    }
}

/// A chat platform a message can come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Slack,
    Telegram,
    Whatsapp,
    Odoo,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Slack => "slack",
            Self::Telegram => "telegram",
            Self::Whatsapp => "whatsapp",
            Self::Odoo => "odoo",
        }
    }
}

/// A sender as a chat platform names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelUser {
    pub platform: Platform,
    /// The platform's user id: Slack `U…`, Telegram's numeric id, the
    /// WhatsApp number (`wa_id`), the Odoo partner or user id.
    pub user_id: String,
    /// The user's e-mail where the platform tells it (Slack profile, Odoo).
    pub email: Option<String>,
    pub display_name: Option<String>,
}

/// Who a sender turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Known(Identity),
    /// Unknown, answered with read-only guest rights; may never approve.
    Guest(Identity),
    /// Unknown and not welcome: answer with a polite refusal only.
    Refused,
}

fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Digits of a phone number with its country code (`+31 6-1234` →
/// `316 1234`'s digits); `None` when it has too few digits to be one.
fn normalise_phone(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let allowed = number
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    (allowed && (8..=15).contains(&digits.len())).then_some(digits)
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

    const PEOPLE: &str = r#"
        unknown_senders = "guest"
        guest_roles = ["sales"]

        [[identity]]
        id = "anna"
        name = "Anita Verbeek"
        odoo_login = "Accountant@Example.com"
        roles = ["finance"]
        slack_user = "U024BE7LH"
        telegram_user = 93372553
        whatsapp_number = "+31 6 1234 5678"

        [[identity]]
        id = "sam"
        name = "Sam Sales"
        odoo_login = "sam"
        roles = ["sales"]
        email = "Sam@Example.com"
    "#;

    fn sender(platform: Platform, user_id: &str, email: Option<&str>) -> ChannelUser {
        ChannelUser {
            platform,
            user_id: user_id.to_owned(),
            email: email.map(str::to_owned),
            display_name: Some("Someone".to_owned()),
        }
    }

    fn known_id(resolution: Resolution) -> String {
        match resolution {
            Resolution::Known(identity) => identity.id.0,
            other => panic!("expected a known identity, got {other:?}"),
        }
    }

    #[test]
    fn one_person_is_one_identity_on_every_platform() {
        let people = Identities::parse(PEOPLE).unwrap();
        let slack = people.resolve(&sender(Platform::Slack, "U024BE7LH", None));
        let telegram = people.resolve(&sender(Platform::Telegram, "93372553", None));
        let whatsapp = people.resolve(&sender(Platform::Whatsapp, "31612345678", None));
        // Odoo and Slack users are matched by e-mail, also against the login.
        let odoo = people.resolve(&sender(Platform::Odoo, "7", Some("accountant@example.com")));
        for resolution in [slack, telegram, whatsapp, odoo] {
            assert_eq!(known_id(resolution), "anna");
        }
        let by_email = people.resolve(&sender(Platform::Slack, "U999", Some(" sam@EXAMPLE.com")));
        assert_eq!(known_id(by_email), "sam");
    }

    #[test]
    fn unknown_senders_are_guests_or_refused_as_configured() {
        let people = Identities::parse(PEOPLE).unwrap();
        match people.resolve(&sender(Platform::Telegram, "42", None)) {
            Resolution::Guest(guest) => {
                assert_eq!(guest.id.0, "guest:telegram:42");
                assert_eq!(guest.roles, vec![Role::Sales]);
            }
            other => panic!("expected a guest, got {other:?}"),
        }
        let strict = Identities::parse(&PEOPLE.replace("\"guest\"", "\"refuse\"")).unwrap();
        assert_eq!(
            strict.resolve(&sender(Platform::Telegram, "42", None)),
            Resolution::Refused
        );
        // The default, with no identities file at all, is to refuse.
        assert_eq!(
            Identities::default().resolve(&sender(Platform::Slack, "U1", None)),
            Resolution::Refused
        );
    }

    #[test]
    fn accounts_are_checked_and_never_shared() {
        let bad_phone = PEOPLE.replace("+31 6 1234 5678", "call me");
        let err = Identities::parse(&bad_phone).unwrap_err();
        assert!(err.contains("identity \"anna\": whatsapp_number"), "{err}");
        let shared = PEOPLE.replace("email = \"Sam@Example.com\"", "slack_user = \"U024BE7LH\"");
        let err = Identities::parse(&shared).unwrap_err();
        assert!(
            err.contains("identity \"sam\": slack_user is the same"),
            "{err}"
        );
        let unknown = PEOPLE.replace("\"guest\"", "\"maybe\"");
        assert!(Identities::parse(&unknown).is_err());
    }
}

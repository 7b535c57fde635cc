//! Who is asking: the identity a tool call runs for.
//!
//! Channels map their users onto an [`Identity`]; tools see only this type.

use serde::{Deserialize, Serialize};

/// Stable identifier of a person (or API client) across channels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdentityId(pub String);

impl std::fmt::Display for IdentityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A business role that decides which tools and proposals a person may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Finance,
    Sales,
    Warehouse,
    Admin,
}

impl Role {
    /// The role as the identities file and the API write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Finance => "finance",
            Role::Sales => "sales",
            Role::Warehouse => "warehouse",
            Role::Admin => "admin",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The person (or API client) a turn runs for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: IdentityId,
    pub display_name: String,
    pub roles: Vec<Role>,
}

impl Identity {
    /// The identity of a caller authenticated by the HTTP API key or a local
    /// terminal session.
    pub fn local_operator() -> Self {
        Self {
            id: IdentityId("local".to_owned()),
            display_name: "Local operator".to_owned(),
            roles: vec![Role::Admin],
        }
    }
}

//! Configuration of the generic record tools.

use serde::Deserialize;
use url::Url;

use super::policy::{PolicyConfigError, RecordPolicy};

/// Most groups an aggregate lists; the output says how many there were.
const DEFAULT_MAX_GROUPS: usize = 100;

/// What the record tools need besides a connector.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordToolsConfig {
    /// The Odoo address users open in a browser, for record links
    /// (`https://mycompany.odoo.com`); it may differ from the address the
    /// client calls (an internal host name).
    pub odoo_base_url: Url,
    /// Which models and fields may be read.
    #[serde(default)]
    pub policy: RecordPolicy,
    /// Most groups one `aggregate_records` call lists.
    #[serde(default = "default_max_groups")]
    pub max_groups: usize,
}

impl RecordToolsConfig {
    /// The default allow-list and limits, with links to `odoo_base_url`.
    pub fn new(odoo_base_url: Url) -> Self {
        Self {
            odoo_base_url,
            policy: RecordPolicy::default(),
            max_groups: DEFAULT_MAX_GROUPS,
        }
    }

    /// Rejects a policy that allows what must never be read.
    pub fn validate(&self) -> Result<(), PolicyConfigError> {
        if self.max_groups == 0 {
            return Err(PolicyConfigError(
                "max_groups must be at least 1".to_owned(),
            ));
        }
        self.policy.validate()
    }
}

fn default_max_groups() -> usize {
    DEFAULT_MAX_GROUPS
}

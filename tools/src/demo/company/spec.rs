//! What to generate: the seed, the size, the Odoo version and "today".

use chrono::NaiveDate;

/// The Odoo major version the demo company imitates; it decides which
/// fields and selection values exist (spec table 0.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DemoVersion {
    V17,
    V18,
    V19,
}

impl DemoVersion {
    /// What `common.version` reports as `server_version`.
    pub fn server_version(self) -> &'static str {
        match self {
            DemoVersion::V17 => "17.0",
            DemoVersion::V18 => "18.0",
            DemoVersion::V19 => "19.0",
        }
    }

    /// 18 and later: storable products via `is_storable`, the new payment
    /// states, per-journal-type lock dates.
    pub(crate) fn is_18_or_later(self) -> bool {
        match self {
            DemoVersion::V17 => false,
            DemoVersion::V18 | DemoVersion::V19 => true,
        }
    }

    /// `res.partner.mobile` was removed in 19.
    pub(crate) fn has_mobile(self) -> bool {
        match self {
            DemoVersion::V17 | DemoVersion::V18 => true,
            DemoVersion::V19 => false,
        }
    }
}

/// The parameters of [`generate`](super::generate). Equal specs give equal
/// datasets on every machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    pub seed: u64,
    /// Random partners (companies and their contacts) on top of the fixed
    /// worked-example partners; documents scale with it.
    pub partners: usize,
    pub version: DemoVersion,
    /// The company's "today": documents lie in the two years before it.
    pub today: NaiveDate,
}

impl Default for DemoSpec {
    /// Seed 42, 300 partners, Odoo 17, today 2026-03-16 (a Monday).
    fn default() -> Self {
        Self {
            seed: 42,
            partners: 300,
            version: DemoVersion::V17,
            today: NaiveDate::from_ymd_opt(2026, 3, 16).unwrap_or_default(),
        }
    }
}

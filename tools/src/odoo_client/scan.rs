//! Full scans: every record matching a domain, read page by page up to a
//! stated cap, with truncation reported instead of cutting silently.

use std::num::NonZeroU32;

use serde_json::Value;

use super::client::OdooClient;
use super::error::{OdooError, Result};
use crate::odoo::Domain;

/// The records a scan read.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// In id order, at most the cap.
    pub records: Vec<Value>,
    /// More records matched than the cap allowed.
    pub truncated: bool,
    /// How many records matched: the records read, or when truncated, the
    /// count Odoo gave right after the last page, so that a warning can say
    /// "the first 5,000 of 12,345" rather than only "more".
    pub total: u64,
}

impl OdooClient {
    /// Reads every record of `model` matching `domain`, `page_size` at a time,
    /// up to `cap` records. Pages follow the id (`id > last`, `order id asc`)
    /// rather than an offset, so records created during the scan cannot shift
    /// a page and make it skip or repeat rows. One record past the cap is
    /// asked for, so `truncated` is exact; only then is the total counted,
    /// with one `search_count`.
    pub async fn scan(
        &self,
        model: &str,
        domain: &Domain,
        fields: &[&str],
        page_size: NonZeroU32,
        cap: usize,
    ) -> Result<Scan> {
        let mut fields = fields.to_vec();
        if !fields.contains(&"id") {
            fields.push("id");
        }
        let mut records: Vec<Value> = Vec::new();
        let mut last_id = 0_i64;
        loop {
            let wanted = (cap + 1).saturating_sub(records.len());
            let limit = page_size
                .get()
                .min(u32::try_from(wanted).unwrap_or(u32::MAX));
            let after =
                Domain::gt("id", last_id).map_err(|err| OdooError::Config(err.to_string()))?;
            let page_domain = Domain::and(vec![domain.clone(), after]);
            let page = self
                .search_read(
                    model,
                    page_domain.to_value(),
                    &fields,
                    Some("id asc"),
                    Some(limit),
                    None,
                )
                .await?;
            let full = page.len() == limit as usize;
            if let Some(last) = page.last() {
                last_id = last["id"].as_i64().ok_or_else(|| OdooError::Protocol {
                    model: model.to_owned(),
                    method: "search_read".to_owned(),
                    message: "a record without an integer id".to_owned(),
                })?;
            }
            records.extend(page);
            if records.len() > cap {
                records.truncate(cap);
                let total = self.search_count(model, domain.to_value()).await?;
                return Ok(Scan {
                    records,
                    truncated: true,
                    total,
                });
            }
            if !full {
                let total = records.len() as u64;
                return Ok(Scan {
                    records,
                    truncated: false,
                    total,
                });
            }
        }
    }
}

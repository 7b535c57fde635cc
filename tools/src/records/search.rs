//! `search_records`: a page of records matching conditions, with the total.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::conditions::Condition;
use super::output::{RecordOut, compact_record, record_out, summary_only, thousands};
use super::shared::{self, DEFAULT_LIMIT, MAX_LIMIT, Shared, field_types, invalid};
use crate::{OdooAccess, Summarize, Tool, ToolCtx, ToolError, ToolKind};

/// Arguments of `search_records`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchRecordsArgs {
    /// Technical model name. Example: "account.move" (invoices and bills),
    /// "res.partner" (contacts), "sale.order".
    pub model: String,
    /// Conditions the records must all meet; omit or [] for every record.
    /// Each is a term {"field", "op", "value"}, {"all": [terms]},
    /// {"any": [terms or {"all": [terms]}]} or {"not": term, all or any}.
    /// `field` may follow relational fields with dots. `op` is one of
    /// = != < <= > >= in "not in" like ilike =like =ilike child_of; `in` and
    /// `not in` take a list; `false` means "not set"; dates are "YYYY-MM-DD".
    /// Example: [{"field": "partner_id.country_id.code", "op": "=", "value":
    /// "DE"}, {"any": [{"field": "state", "op": "=", "value": "draft"},
    /// {"field": "amount_total", "op": ">", "value": 1000}]}]
    #[serde(default)]
    pub conditions: Vec<Condition>,
    /// Fields to return (fields of the model itself, no dots). Omit for a
    /// short default list. Example: ["name", "partner_id", "amount_total"]
    #[serde(default)]
    pub fields: Option<Vec<String>>,
    /// Sort order: comma-separated fields, each optionally followed by asc
    /// or desc. Default "id desc" (newest first). Example: "invoice_date desc, name"
    #[serde(default)]
    pub order: Option<String>,
    /// Records per page, 1 to 200. Default 50.
    #[serde(default)]
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
    /// Records to skip, for the next page. Default 0. Example: 50
    #[serde(default)]
    pub offset: Option<u32>,
}

/// A page of records and how many match in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchRecordsOutput {
    pub model: String,
    /// Records matching the conditions, counted by Odoo.
    pub total: u64,
    pub offset: u32,
    pub limit: u32,
    /// More records match than this page shows.
    pub truncated: bool,
    pub records: Vec<RecordOut>,
}

impl Summarize for SearchRecordsOutput {
    /// The counts, plus one line per record when the output is too large for
    /// the model to receive in full.
    fn summary(&self) -> String {
        let mut text = self.counts();
        if summary_only(self) {
            if let Some(first) = self.records.first() {
                let template = first
                    .link
                    .replacen(&format!("id={}&", first.id), "id=<id>&", 1);
                text.push_str(&format!("\nlink of each record: {template}"));
            }
            for record in &self.records {
                text.push('\n');
                text.push_str(&compact_record(record));
            }
        }
        text
    }
}

impl SearchRecordsOutput {
    fn counts(&self) -> String {
        let shown = self.records.len() as u64;
        if self.total == 0 {
            return format!("no {} records match", self.model);
        }
        if shown == 0 {
            return format!(
                "no records at offset {}: {} {} records match in all",
                thousands(u64::from(self.offset)),
                thousands(self.total),
                self.model
            );
        }
        if !self.truncated && self.offset == 0 {
            let noun = if shown == 1 { "record" } else { "records" };
            return format!("{} {} {noun}", thousands(shown), self.model);
        }
        let first = u64::from(self.offset) + 1;
        let mut text = format!(
            "showing {} of {} {} records",
            thousands(shown),
            thousands(self.total),
            self.model
        );
        if self.offset > 0 {
            text.push_str(&format!(
                " ({} to {})",
                thousands(first),
                thousands(first + shown.saturating_sub(1))
            ));
        }
        if self.truncated {
            text.push_str(&format!(
                "; truncated: use offset {} for the next page, narrow the conditions, or \
                 aggregate_records for totals",
                u64::from(self.offset) + shown
            ));
        }
        text
    }
}

/// Lists records of an allowed model.
pub struct SearchRecords {
    shared: Arc<Shared>,
}

impl SearchRecords {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self { shared }
    }
}

impl Tool for SearchRecords {
    const NAME: &'static str = "search_records";
    const KIND: ToolKind = ToolKind::Read;
    type Args = SearchRecordsArgs;
    type Output = SearchRecordsOutput;

    fn description(&self) -> &'static str {
        "Lists Odoo records of one model that match conditions, with the chosen fields, a \
         sort order and paging, plus the total number that match. Use it for questions no \
         specialised tool answers (\"which invoices of Acme are overdue?\"). Never add up the \
         listed amounts for a total: use aggregate_records. Each record has a `link` to open \
         it in Odoo; many2one fields come as {id, name}, amounts as exact decimal strings in \
         the record's currency, unset values as null."
    }

    fn access(&self) -> &'static [OdooAccess] {
        // The model is chosen per call; the allow-list and the user's own
        // Odoo rights decide what may be read.
        &[]
    }

    async fn call(&self, ctx: &ToolCtx, args: Self::Args) -> Result<Self::Output, ToolError> {
        let tool = Self::NAME;
        let limit = args.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(invalid(
                tool,
                format!("limit must be between 1 and {MAX_LIMIT}, got {limit}"),
            ));
        }
        let offset = args.offset.unwrap_or(0);
        let model = args.model.as_str();
        self.shared.check_model(tool, model)?;
        let domain = self.shared.domain(tool, model, &args.conditions)?;
        let choice = self.shared.fields(tool, model, args.fields.as_deref())?;
        let order = shared::order(&self.shared, tool, model, args.order.as_deref())?;

        let client = self.shared.client(ctx).await?;
        let types = field_types(&client, model).await?;
        let fields = choice.resolve(tool, model, &types, &client)?;
        let domain = domain.to_value();
        let field_refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        // Independent reads: run them together to halve the wait.
        let (total, raw) = tokio::try_join!(
            client.search_count(model, domain.clone()),
            client.search_read(
                model,
                domain,
                &field_refs,
                Some(&order),
                Some(limit),
                Some(offset)
            ),
        )?;
        let base = &self.shared.config.odoo_base_url;
        let records: Vec<RecordOut> = raw
            .iter()
            .filter_map(|record| record_out(base, model, &types, &fields, record))
            .collect();
        let truncated = u64::from(offset) + (records.len() as u64) < total;
        Ok(SearchRecordsOutput {
            model: model.to_owned(),
            total,
            offset,
            limit,
            truncated,
            records,
        })
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn output(total: u64, offset: u32, shown: usize) -> SearchRecordsOutput {
        let record = RecordOut {
            id: 1,
            link: String::new(),
            fields: Default::default(),
        };
        SearchRecordsOutput {
            model: "res.partner".to_owned(),
            total,
            offset,
            limit: 50,
            truncated: u64::from(offset) + shown as u64 > 0
                && u64::from(offset) + (shown as u64) < total,
            records: vec![record; shown],
        }
    }

    #[test]
    fn summary_states_shown_and_total_with_thousands_separators() {
        assert_eq!(
            output(1_234, 0, 50).summary(),
            "showing 50 of 1,234 res.partner records; truncated: use offset 50 for the next \
             page, narrow the conditions, or aggregate_records for totals"
        );
        assert_eq!(
            output(1_234, 1_200, 34).summary(),
            "showing 34 of 1,234 res.partner records (1,201 to 1,234)"
        );
        assert_eq!(output(3, 0, 3).summary(), "3 res.partner records");
        assert_eq!(output(1, 0, 1).summary(), "1 res.partner record");
        assert_eq!(output(0, 0, 0).summary(), "no res.partner records match");
        assert_eq!(
            output(1_234, 5_000, 0).summary(),
            "no records at offset 5,000: 1,234 res.partner records match in all"
        );
    }

    #[test]
    fn a_page_too_large_for_the_model_is_listed_in_the_summary() {
        let records: Vec<RecordOut> = (1..=200)
            .map(|id| RecordOut {
                id,
                link: format!("https://acme.test/web#id={id}&model=res.partner&view_type=form"),
                fields: serde_json::from_value(serde_json::json!({
                    "name": format!("Partner number {id} with a long enough name"),
                    "country_id": {"id": 21, "name": "Belgium"},
                    "email": null
                }))
                .unwrap(),
            })
            .collect();
        let page = SearchRecordsOutput {
            model: "res.partner".to_owned(),
            total: 1_234,
            offset: 0,
            limit: 200,
            truncated: true,
            records,
        };
        let summary = page.summary();
        let lines: Vec<&str> = summary.lines().collect();
        assert_eq!(lines.len(), 202, "{summary}");
        assert!(lines[0].starts_with("showing 200 of 1,234 res.partner records"));
        assert_eq!(
            lines[1],
            "link of each record: https://acme.test/web#id=<id>&model=res.partner&view_type=form"
        );
        assert_eq!(
            lines[2],
            "#1 country_id=Belgium (#21); email=-; name=Partner number 1 with a long enough name"
        );
        // A small page goes to the model in full, so its summary stays one line.
        assert_eq!(output(1_234, 0, 50).summary().lines().count(), 1);
    }
}

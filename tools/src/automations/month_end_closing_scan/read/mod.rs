//! The Odoo reads of each check (spec 1.2): counts and sums from
//! `search_count` and grouped reads, detail lists with an explicit order and
//! limit, full scans paged by id where records must be classified one by
//! one. Every domain carries the company. Nothing here scores.

mod accounting;
mod company;
mod orders;

use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde_json::Value;
use thiserror::Error;

pub(crate) use company::{CompanyFacts, read_company};

use super::compute::{CheckKey, Facts, Item, Outcome};
use super::config::ClosingScanConfig;
use super::period::Period;
use crate::automations::{TRUNCATED, Warning};
use crate::odoo::{Domain, DomainError, Ref, ValueError, many2one, money, text};
use crate::odoo_client::{Aggregate, Group, OdooClient, OdooError};
use crate::records::record_link;

/// Why one check's reads failed.
#[derive(Debug, Error)]
pub(crate) enum ReadError {
    #[error(transparent)]
    Odoo(#[from] OdooError),
    /// A domain the scan built was refused by the builder: a bug here.
    #[error("internal domain error: {0}")]
    Domain(#[from] DomainError),
    #[error("unexpected value from odoo: {0}")]
    Value(#[from] ValueError),
}

/// Everything the checks read with: the client, the company, the period,
/// the caller's limits, and the warnings the checks collect.
pub(crate) struct Reader<'a> {
    pub client: &'a OdooClient,
    pub config: &'a ClosingScanConfig,
    pub company: CompanyFacts,
    pub period: Period,
    pub zone: Tz,
    pub now: DateTime<Utc>,
    pub stale_after_days: u32,
    pub detail_limit: u32,
    warnings: Mutex<Vec<Warning>>,
}

impl<'a> Reader<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        client: &'a OdooClient,
        config: &'a ClosingScanConfig,
        company: CompanyFacts,
        period: Period,
        zone: Tz,
        now: DateTime<Utc>,
        stale_after_days: u32,
        detail_limit: u32,
    ) -> Self {
        Self {
            client,
            config,
            company,
            period,
            zone,
            now,
            stale_after_days,
            detail_limit,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// Fetches, one after the other, the field lists the checks probe, so
    /// checks running together do not each fetch the same list (the client
    /// caches a list only once its first fetch has answered). A failure is
    /// not cached: the check that needs the list meets it again and reports
    /// it.
    pub(crate) async fn warm_up(&self, keys: &[CheckKey]) {
        let mut models = Vec::new();
        for key in keys {
            match key {
                CheckKey::UnbilledDeliveries | CheckKey::ReceiptsWithoutBills => {
                    models.push("stock.picking");
                }
                CheckKey::UnpostedDepreciation => models.push("account.move"),
                _ => {}
            }
        }
        models.sort_unstable();
        models.dedup();
        for model in models {
            let _ = self.client.fields_get(model).await;
        }
    }

    /// Runs the reads of `key`.
    pub(crate) async fn check(&self, key: CheckKey) -> Result<Outcome, ReadError> {
        let outcome = match key {
            CheckKey::BankUnreconciled => self.bank_unreconciled().await?,
            CheckKey::DraftEntries => self.draft_entries().await?,
            CheckKey::UnbilledDeliveries => self.unbilled_deliveries().await?,
            CheckKey::ReceiptsWithoutBills => self.receipts_without_bills().await?,
            CheckKey::UninvoicedOrders => self.uninvoiced_orders().await?,
            CheckKey::UnpostedDepreciation => self.unposted_depreciation().await?,
            CheckKey::InvoicesWithoutTax => self.invoices_without_tax().await?,
            CheckKey::IntercompanyMismatch => self.intercompany_mismatch().await?,
            CheckKey::ManualEntries => self.manual_entries().await?,
            CheckKey::FinalReview => Outcome::Manual(
                "review the P&L and the balance sheet; a person marks this step, never the scan"
                    .to_owned(),
            ),
        };
        if let Outcome::Found(facts) = &outcome {
            self.warn_if_cut(key, facts);
        }
        Ok(outcome)
    }

    /// The warnings collected so far.
    pub(crate) fn into_warnings(self) -> Vec<Warning> {
        self.warnings
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn warn(&self, warning: Warning) {
        self.warnings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(warning);
    }

    /// A list shorter than its count is a truncation the result must say.
    fn warn_if_cut(&self, key: CheckKey, facts: &Facts) {
        let shown = facts.items.len() as u64;
        if facts.item_count > shown {
            self.warn(Warning::new(
                TRUNCATED,
                format!(
                    "{} lists {shown} of {} items (detail_limit {}); the count and amount \
                     cover all {}",
                    key.as_str(),
                    facts.item_count,
                    self.detail_limit,
                    facts.item_count
                ),
            ));
        }
    }

    /// `company_id in [company]`.
    fn in_company(&self) -> Result<Domain, DomainError> {
        Domain::is_in("company_id", [self.company.id])
    }

    /// `field` within the period, as plain dates.
    fn date_in_period(&self, field: &str) -> Result<Domain, DomainError> {
        Ok(Domain::and(vec![
            Domain::ge(field, super::period::odoo_date(self.period.start))?,
            Domain::le(field, super::period::odoo_date(self.period.end))?,
        ]))
    }

    /// Datetime `field` within the period's days in the company zone.
    fn datetime_in_period(&self, field: &str) -> Result<Domain, DomainError> {
        Ok(Domain::and(vec![
            Domain::ge(
                field,
                super::period::odoo_datetime(self.period.start_utc(self.zone)),
            )?,
            Domain::lt(
                field,
                super::period::odoo_datetime(self.period.end_utc_exclusive(self.zone)),
            )?,
        ]))
    }

    fn link(&self, model: &str, id: i64) -> String {
        record_link(&self.config.odoo_base_url, model, id)
    }

    /// One grouped read without groupby: the count and sums of all matches.
    async fn totals(
        &self,
        model: &str,
        domain: &Domain,
        fields: &[&str],
    ) -> Result<Group, ReadError> {
        let aggregates: Vec<Aggregate> = fields.iter().map(|f| Aggregate::sum(f)).collect();
        let groups = self
            .client
            .read_group(model, domain.to_value(), &[], &aggregates, None)
            .await?;
        Ok(groups.into_iter().next().unwrap_or(Group {
            keys: serde_json::Map::new(),
            count: 0,
            aggregates: serde_json::Map::new(),
            period_starts: Default::default(),
        }))
    }

    /// Σ |field| over `domain`: the positive and the negative sums, each
    /// computed by Odoo.
    async fn abs_sum(
        &self,
        model: &str,
        domain: &Domain,
        field: &str,
    ) -> Result<Decimal, ReadError> {
        let positive = Domain::and(vec![domain.clone(), Domain::gt(field, 0)?]);
        let negative = Domain::and(vec![domain.clone(), Domain::lt(field, 0)?]);
        let fields = [field];
        let (up, down) = tokio::try_join!(
            self.totals(model, &positive, &fields),
            self.totals(model, &negative, &fields),
        )?;
        Ok(sum_of(&up, field)? - sum_of(&down, field)?)
    }

    /// A detail list: `limit` records in `order`.
    async fn list(
        &self,
        model: &str,
        domain: &Domain,
        fields: &[&str],
        order: &str,
    ) -> Result<Vec<Value>, ReadError> {
        Ok(self
            .client
            .search_read(
                model,
                domain.to_value(),
                fields,
                Some(order),
                Some(self.detail_limit),
                None,
            )
            .await?)
    }

    /// Every record matching `domain`, paged by id up to the configured
    /// cap; hitting the cap warns.
    async fn scan_all(
        &self,
        key: CheckKey,
        model: &str,
        domain: &Domain,
        fields: &[&str],
    ) -> Result<Vec<Value>, ReadError> {
        let scan = self
            .client
            .scan(
                model,
                domain,
                fields,
                self.config.scan_page_size,
                self.config.scan_cap,
            )
            .await?;
        if scan.truncated {
            self.warn(Warning::new(
                TRUNCATED,
                format!(
                    "{}: stopped reading {model} after {} records (scan cap); its count and \
                     amount cover only those",
                    key.as_str(),
                    self.config.scan_cap
                ),
            ));
        }
        Ok(scan.records)
    }

    /// `amount` of `currency` in company currency at the period's last day
    /// (the rate Odoo holds for that date); `None` with a warning when no
    /// rate exists.
    async fn to_company_currency(
        &self,
        key: CheckKey,
        amount: Decimal,
        currency: Option<&Ref>,
    ) -> Result<Option<Decimal>, ReadError> {
        let Some(currency) = currency else {
            return Ok(Some(amount));
        };
        if currency.id == self.company.currency_id || amount.is_zero() {
            return Ok(Some(amount));
        }
        let converted = company::convert(self, amount, currency.id, self.period.end).await?;
        if converted.is_none() {
            self.warn(Warning::new(
                "CURRENCY_CONVERSION",
                format!(
                    "{}: no rate of {} on or before {}; {} left out of the amount",
                    key.as_str(),
                    currency.name.as_deref().unwrap_or("currency"),
                    self.period.end,
                    amount
                ),
            ));
        }
        Ok(converted)
    }
}

/// The `field:sum` of a group as an exact decimal (zero when Odoo had none).
fn sum_of(group: &Group, field: &str) -> Result<Decimal, ValueError> {
    let key = Aggregate::sum(field).spec();
    Ok(money(&key, group.aggregates.get(&key).unwrap_or(&Value::Null))?.unwrap_or_default())
}

/// The many2one key `field` of a group.
fn group_ref(group: &Group, field: &str) -> Result<Option<Ref>, ValueError> {
    many2one(field, group.keys.get(field).unwrap_or(&Value::Null))
}

fn id_of(record: &Value) -> i64 {
    record["id"].as_i64().unwrap_or_default()
}

/// A record's display text: its first non-empty of `fields`, else
/// `fallback`.
fn label(record: &Value, fields: &[&str], fallback: String) -> Result<String, ValueError> {
    for field in fields {
        if let Some(value) = text(field, &record[*field])?
            && !value.is_empty()
            && value != "/"
        {
            return Ok(value);
        }
    }
    Ok(fallback)
}

/// A plain date of `record`, `None` when unset.
fn date_of(record: &Value, field: &str) -> Result<Option<NaiveDate>, ValueError> {
    crate::odoo::date(field, &record[field])
}

/// A fresh item without amount or flags.
fn item(reader: &Reader<'_>, model: &str, id: i64, name: String) -> Item {
    Item {
        model: model.to_owned(),
        id,
        name,
        date: None,
        partner: None,
        journal: None,
        amount: None,
        flags: Vec::new(),
        link: reader.link(model, id),
    }
}

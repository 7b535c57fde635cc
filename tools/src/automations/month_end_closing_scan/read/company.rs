//! What the scan needs to know of the company besides the envelope: its
//! currency id, its lock date (whose fields differ between 17 and 18+,
//! spec 0.5), and the rates that convert other currencies into its own.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;

use super::{ReadError, Reader};
use crate::odoo::{Domain, date, many2one, money};
use crate::odoo_client::OdooClient;

/// Lock-date fields that stop journal entries being posted, newest
/// versions first: 18+ splits the old period lock into sales and purchase
/// locks and adds the irreversible hard lock; 17 has the period and
/// fiscal-year locks. The tax lock only blocks tax lines, so it is left out.
const LOCK_FIELDS: [&str; 5] = [
    "fiscalyear_lock_date",
    "sale_lock_date",
    "purchase_lock_date",
    "hard_lock_date",
    "period_lock_date",
];

/// The company as the checks need it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CompanyFacts {
    pub id: i64,
    pub currency_id: i64,
    /// The latest of the lock dates present on this version; drafts dated
    /// on or before it cannot be posted without moving it.
    pub lock_date: Option<NaiveDate>,
}

/// Reads the company's currency and lock dates, asking the server which
/// lock-date fields it has.
pub(crate) async fn read_company(
    client: &OdooClient,
    company_id: i64,
) -> Result<CompanyFacts, ReadError> {
    let mut fields = vec!["currency_id"];
    for field in LOCK_FIELDS {
        if client.has_field("res.company", field).await? {
            fields.push(field);
        }
    }
    let record = client
        .read("res.company", &[company_id], &fields)
        .await?
        .into_iter()
        .next()
        .unwrap_or(Value::Null);
    let currency_id = many2one("currency_id", &record["currency_id"])?
        .map(|r| r.id)
        .unwrap_or_default();
    let mut lock_date = None;
    for field in &fields[1..] {
        lock_date = lock_date.max(date(field, &record[*field])?);
    }
    Ok(CompanyFacts {
        id: company_id,
        currency_id,
        lock_date,
    })
}

/// `amount` of currency `currency_id` in company currency, at the latest
/// rate dated on or before `on`. Odoo's rate is units of the currency per
/// unit of company currency, so the company amount is `amount / rate`.
pub(super) async fn convert(
    reader: &Reader<'_>,
    amount: Decimal,
    currency_id: i64,
    on: NaiveDate,
) -> Result<Option<Decimal>, ReadError> {
    let domain = Domain::and(vec![
        Domain::eq("currency_id", currency_id)?,
        Domain::le("name", super::super::period::odoo_date(on))?,
        Domain::or(vec![
            Domain::is_in("company_id", [reader.company.id])?,
            Domain::is_unset("company_id")?,
        ]),
    ]);
    let rates = reader
        .client
        .search_read(
            "res.currency.rate",
            domain.to_value(),
            &["rate"],
            Some("name desc, id desc"),
            Some(1),
            None,
        )
        .await?;
    let rate = match rates.first() {
        Some(record) => money("rate", &record["rate"])?,
        None => None,
    };
    Ok(rate
        .filter(|rate| !rate.is_zero())
        .map(|rate| (amount / rate).round_dp(6)))
}

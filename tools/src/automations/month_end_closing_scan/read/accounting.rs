//! Reads of the accounting checks: bank lines, drafts, depreciation,
//! invoices without tax, intercompany balances and manual entries.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Duration;
use rust_decimal::Decimal;
use serde_json::Value;

use super::{ReadError, Reader, date_of, group_ref, id_of, item, label, sum_of};
use crate::automations::month_end_closing_scan::compute::{
    CheckKey, Facts, Outcome, display_amount,
};
use crate::automations::month_end_closing_scan::period::{odoo_date, odoo_datetime};
use crate::odoo::{Domain, many2one, money};
use crate::odoo_client::Aggregate;

/// The `account.move` fields [`Reader::move_item`] turns into an item.
const MOVE_ITEM_FIELDS: &[&str] = &[
    "name",
    "ref",
    "move_type",
    "date",
    "partner_id",
    "journal_id",
    "amount_total_signed",
];

const MOVE: &str = "account.move";
const STATEMENT_LINE: &str = "account.bank.statement.line";
const INVOICE_TYPES: [&str; 4] = ["out_invoice", "out_refund", "in_invoice", "in_refund"];

impl Reader<'_> {
    /// Check 1: open statement lines up to the period end, split into the
    /// period's and older ones. Amounts come from the lines' journal
    /// entries, whose `amount_total_signed` is |amount| in company currency
    /// as Odoo converted it on the line's date.
    pub(super) async fn bank_unreconciled(&self) -> Result<Outcome, ReadError> {
        let p0 = odoo_date(self.period.start);
        let p1 = odoo_date(self.period.end);
        let open_moves = Domain::and(vec![
            self.in_company()?,
            Domain::is_set("statement_line_id")?,
            Domain::eq("statement_line_id.is_reconciled", false)?,
            Domain::le("date", p1.as_str())?,
        ]);
        let in_period = Domain::and(vec![open_moves.clone(), Domain::ge("date", p0.as_str())?]);
        let carried = Domain::and(vec![open_moves, Domain::lt("date", p0.as_str())?]);
        let lines = Domain::and(vec![
            self.in_company()?,
            Domain::eq("is_reconciled", false)?,
            Domain::le("date", p1.as_str())?,
        ]);
        let by_journal = |domain: Domain| async move {
            self.client
                .read_group(
                    MOVE,
                    domain.to_value(),
                    &["journal_id"],
                    &[Aggregate::sum("amount_total_signed")],
                    None,
                )
                .await
                .map_err(ReadError::from)
        };
        let (now_groups, old_groups, listed) =
            tokio::try_join!(by_journal(in_period), by_journal(carried), async {
                self.list(
                    STATEMENT_LINE,
                    &lines,
                    &[
                        "date",
                        "payment_ref",
                        "partner_id",
                        "amount",
                        "journal_id",
                        "move_id",
                    ],
                    "date asc, id asc",
                )
                .await
            },)?;
        let mut journals: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
        let mut counts = [0_u64; 2];
        let mut amount = Decimal::ZERO;
        for (slot, groups) in [&now_groups, &old_groups].into_iter().enumerate() {
            for group in groups {
                let journal = group_ref(group, "journal_id")?
                    .and_then(|r| r.name)
                    .unwrap_or_else(|| "no journal".to_owned());
                let sum = sum_of(group, "amount_total_signed")?.abs();
                let entry = journals.entry(journal).or_default();
                entry.0 += group.count;
                entry.1 += sum;
                counts[slot] += group.count;
                amount += sum;
            }
        }
        // The listed lines' company-currency amounts, in one read.
        let move_ids: Vec<i64> = listed
            .iter()
            .filter_map(|l| many2one("move_id", &l["move_id"]).ok().flatten())
            .map(|r| r.id)
            .collect();
        let moves = self
            .client
            .read(MOVE, &move_ids, &["amount_total_signed"])
            .await?;
        let company_amounts: HashMap<i64, Decimal> = moves
            .iter()
            .filter_map(|m| {
                let value = money("amount_total_signed", &m["amount_total_signed"]).ok()??;
                Some((id_of(m), value.abs()))
            })
            .collect();
        let mut items = Vec::new();
        for line in &listed {
            let id = id_of(line);
            let mut entry = item(
                self,
                STATEMENT_LINE,
                id,
                label(line, &["payment_ref"], format!("line {id}"))?,
            );
            entry.date = date_of(line, "date")?;
            entry.partner = many2one("partner_id", &line["partner_id"])?;
            entry.journal = many2one("journal_id", &line["journal_id"])?;
            let raw = money("amount", &line["amount"])?.unwrap_or_default();
            let move_id = many2one("move_id", &line["move_id"])?.map(|r| r.id);
            entry.amount = move_id
                .and_then(|m| company_amounts.get(&m))
                .map(|abs| if raw.is_sign_negative() { -abs } else { *abs });
            if entry.date.is_some_and(|d| d < self.period.start) {
                entry.flags.push("carried_over".to_owned());
            }
            items.push(entry);
        }
        let notes = journals
            .iter()
            .map(|(journal, (count, sum))| {
                format!("{journal}: {count} open lines, {}", display_amount(*sum, 2))
            })
            .collect();
        Ok(Outcome::Found(Facts {
            item_count: counts[0] + counts[1],
            amount: Some(amount),
            items,
            counts: BTreeMap::from([
                ("in_period".to_owned(), counts[0]),
                ("carried_over".to_owned(), counts[1]),
            ]),
            notes,
        }))
    }

    /// Check 2: every draft dated up to the period end, with how many are
    /// stale and how many lie on or before the lock date.
    pub(super) async fn draft_entries(&self) -> Result<Outcome, ReadError> {
        let drafts = Domain::and(vec![
            self.in_company()?,
            Domain::eq("state", "draft")?,
            Domain::le("date", odoo_date(self.period.end))?,
        ]);
        let stale_before = self.now - Duration::days(i64::from(self.stale_after_days));
        let stale = Domain::and(vec![
            drafts.clone(),
            Domain::le("create_date", odoo_datetime(stale_before))?,
        ]);
        let locked = match self.company.lock_date {
            Some(lock) => Domain::and(vec![drafts.clone(), Domain::le("date", odoo_date(lock))?]),
            None => Domain::none(),
        };
        let (total, stale_count, locked_count, amount, listed) = tokio::try_join!(
            async { Ok::<_, ReadError>(self.client.search_count(MOVE, drafts.to_value()).await?) },
            async { Ok(self.client.search_count(MOVE, stale.to_value()).await?) },
            async { Ok(self.client.search_count(MOVE, locked.to_value()).await?) },
            self.abs_sum(MOVE, &drafts, "amount_total_signed"),
            self.list(
                MOVE,
                &drafts,
                &[
                    "name",
                    "ref",
                    "move_type",
                    "date",
                    "partner_id",
                    "journal_id",
                    "amount_total_signed",
                    "create_date"
                ],
                "date asc, id asc",
            ),
        )?;
        let mut items = Vec::new();
        for record in &listed {
            let mut entry = self.move_item(record)?;
            let created = crate::odoo::datetime("create_date", &record["create_date"])?;
            if created.is_some_and(|at| at <= stale_before) {
                entry.flags.push("stale".to_owned());
            }
            if let (Some(lock), Some(day)) = (self.company.lock_date, entry.date)
                && day <= lock
            {
                entry.flags.push("before_lock_date".to_owned());
            }
            items.push(entry);
        }
        let mut notes = vec![format!(
            "{stale_count} created more than {} days ago",
            self.stale_after_days
        )];
        if let Some(lock) = self.company.lock_date {
            notes.push(format!(
                "{locked_count} dated on or before the lock date {lock}: posting them needs the lock date moved"
            ));
        }
        Ok(Outcome::Found(Facts {
            item_count: total,
            amount: Some(amount),
            items,
            counts: BTreeMap::from([
                ("stale_count".to_owned(), stale_count),
                ("before_lock_date".to_owned(), locked_count),
            ]),
            notes,
        }))
    }

    /// Check 6: draft depreciation entries, by the asset link where the
    /// assets module adds it, else by keywords in the entry's name or ref.
    pub(super) async fn unposted_depreciation(&self) -> Result<Outcome, ReadError> {
        let has_asset = self.client.has_field(MOVE, "asset_id").await?;
        let base = vec![self.in_company()?, Domain::eq("state", "draft")?];
        let (domain, heuristic) = if has_asset {
            let mut terms = base;
            terms.push(Domain::is_set("asset_id")?);
            terms.push(Domain::le("date", odoo_date(self.period.end))?);
            (Domain::and(terms), false)
        } else {
            let mut words = Vec::new();
            for keyword in &self.config.depreciation_keywords {
                words.push(Domain::ilike("name", keyword)?);
                words.push(Domain::ilike("ref", keyword)?);
            }
            let mut terms = base;
            terms.push(Domain::eq("move_type", "entry")?);
            terms.push(self.date_in_period("date")?);
            terms.push(Domain::or(words));
            (Domain::and(terms), true)
        };
        let (count, listed) = tokio::try_join!(
            async { Ok::<_, ReadError>(self.client.search_count(MOVE, domain.to_value()).await?) },
            self.list(MOVE, &domain, MOVE_ITEM_FIELDS, "date asc, id asc",),
        )?;
        let items = listed
            .iter()
            .map(|r| self.move_item(r))
            .collect::<Result<Vec<_>, _>>()?;
        let notes = if heuristic {
            vec![format!(
                "heuristic: no assets module, so draft entries of the period whose name or \
                 reference contains {} are counted",
                self.config.depreciation_keywords.join(", ")
            )]
        } else {
            Vec::new()
        };
        Ok(Outcome::Found(Facts {
            item_count: count,
            amount: None,
            items,
            counts: BTreeMap::new(),
            notes,
        }))
    }

    /// Check 7: posted invoices of the period with no tax amount whose
    /// product lines carry no tax at all; zero-rated ones are legitimate.
    pub(super) async fn invoices_without_tax(&self) -> Result<Outcome, ReadError> {
        let key = CheckKey::InvoicesWithoutTax;
        let invoices = Domain::and(vec![
            self.in_company()?,
            Domain::eq("state", "posted")?,
            Domain::is_in("move_type", INVOICE_TYPES)?,
            self.date_in_period("date")?,
        ]);
        let untaxed = Domain::and(vec![invoices.clone(), Domain::eq("amount_tax", 0)?]);
        let product_lines = Domain::and(vec![
            self.in_company()?,
            Domain::eq("parent_state", "posted")?,
            Domain::is_in("move_id.move_type", INVOICE_TYPES)?,
            Domain::ge("move_id.date", odoo_date(self.period.start))?,
            Domain::le("move_id.date", odoo_date(self.period.end))?,
            Domain::eq("move_id.amount_tax", 0)?,
            Domain::eq("display_type", "product")?,
        ]);
        let (checked, candidates, lines) = tokio::try_join!(
            async {
                Ok::<_, ReadError>(self.client.search_count(MOVE, invoices.to_value()).await?)
            },
            self.scan_all(key, MOVE, &untaxed, MOVE_ITEM_FIELDS,),
            self.scan_all(
                key,
                "account.move.line",
                &product_lines,
                &["move_id", "tax_ids"]
            ),
        )?;
        let taxed: HashSet<i64> = lines
            .iter()
            .filter(|l| l["tax_ids"].as_array().is_some_and(|t| !t.is_empty()))
            .filter_map(|l| many2one("move_id", &l["move_id"]).ok().flatten())
            .map(|r| r.id)
            .collect();
        let mut flagged: Vec<&Value> = candidates
            .iter()
            .filter(|m| !taxed.contains(&id_of(m)))
            .collect();
        let zero_rated = candidates.len() - flagged.len();
        flagged.sort_by(|a, b| (a["date"].as_str(), id_of(a)).cmp(&(b["date"].as_str(), id_of(b))));
        let items = flagged
            .iter()
            .take(self.detail_limit as usize)
            .map(|r| self.move_item(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Outcome::Found(Facts {
            item_count: flagged.len() as u64,
            amount: None,
            items,
            counts: BTreeMap::from([
                ("invoices_checked".to_owned(), checked),
                ("zero_rated".to_owned(), zero_rated as u64),
            ]),
            notes: vec![format!(
                "{checked} posted invoices checked; {zero_rated} taxed at 0 % (zero-rated or \
                 exempt) are legitimate and not flagged"
            )],
        }))
    }

    /// Check 8: for each other company the user may see, this company's
    /// open receivable/payable with it against its open items with this
    /// company, both from one grouped read.
    pub(super) async fn intercompany_mismatch(&self) -> Result<Outcome, ReadError> {
        let companies = self
            .client
            .search_read(
                "res.company",
                Domain::all().to_value(),
                &["name", "partner_id", "currency_id"],
                Some("id asc"),
                Some(100),
                None,
            )
            .await?;
        if companies.len() <= 1 {
            return Ok(Outcome::NotApplicable(
                "the user has access to one company only".to_owned(),
            ));
        }
        let partner_of = |c: &Value| {
            many2one("partner_id", &c["partner_id"])
                .ok()
                .flatten()
                .map(|r| r.id)
        };
        let company_ids: Vec<i64> = companies.iter().map(id_of).collect();
        let partner_ids: Vec<i64> = companies.iter().filter_map(partner_of).collect();
        let domain = Domain::and(vec![
            Domain::is_in("company_id", company_ids)?,
            Domain::is_in("partner_id", partner_ids)?,
            Domain::eq("parent_state", "posted")?,
            Domain::eq("reconciled", false)?,
            Domain::is_in(
                "account_id.account_type",
                ["asset_receivable", "liability_payable"],
            )?,
            Domain::le("date", odoo_date(self.period.end))?,
        ]);
        let groups = self
            .client
            .read_group(
                "account.move.line",
                domain.to_value(),
                &["company_id", "partner_id"],
                &[Aggregate::sum("amount_residual")],
                None,
            )
            .await?;
        let mut balances: HashMap<(i64, i64), Decimal> = HashMap::new();
        for group in &groups {
            let (Some(company), Some(partner)) = (
                group_ref(group, "company_id")?,
                group_ref(group, "partner_id")?,
            ) else {
                continue;
            };
            *balances.entry((company.id, partner.id)).or_default() +=
                sum_of(group, "amount_residual")?;
        }
        let own = companies.iter().find(|c| id_of(c) == self.company.id);
        let own_partner = own.and_then(partner_of).unwrap_or_default();
        let mut items = Vec::new();
        let mut amount = Decimal::ZERO;
        for other in companies.iter().filter(|c| id_of(c) != self.company.id) {
            let other_id = id_of(other);
            let ours = balances
                .get(&(self.company.id, partner_of(other).unwrap_or_default()))
                .copied()
                .unwrap_or_default();
            let theirs = balances
                .get(&(other_id, own_partner))
                .copied()
                .unwrap_or_default();
            let currency = many2one("currency_id", &other["currency_id"])?;
            let Some(theirs) = self
                .to_company_currency(CheckKey::IntercompanyMismatch, theirs, currency.as_ref())
                .await?
            else {
                continue;
            };
            let difference = ours + theirs;
            if difference.abs() > self.config.intercompany_tolerance {
                let name = label(other, &["name"], format!("company {other_id}"))?;
                let mut entry = item(self, "res.company", other_id, name);
                entry.amount = Some(difference);
                items.push(entry);
                amount += difference.abs();
            }
        }
        let count = items.len() as u64;
        items.truncate(self.detail_limit as usize);
        Ok(Outcome::Found(Facts {
            item_count: count,
            amount: Some(amount),
            items,
            counts: BTreeMap::new(),
            notes: vec![format!(
                "pairs differing by more than {} are flagged",
                display_amount(self.config.intercompany_tolerance, 2)
            )],
        }))
    }

    /// Check 9: posted entries of the period in miscellaneous journals that
    /// no bank line or payment created.
    pub(super) async fn manual_entries(&self) -> Result<Outcome, ReadError> {
        let domain = Domain::and(vec![
            self.in_company()?,
            Domain::eq("state", "posted")?,
            Domain::eq("move_type", "entry")?,
            self.date_in_period("date")?,
            Domain::eq("journal_id.type", "general")?,
            Domain::is_unset("statement_line_id")?,
            Domain::is_unset("payment_id")?,
        ]);
        let (totals, listed) = tokio::try_join!(
            // An entry's `amount_total_signed` is already |total| in Odoo.
            self.totals(MOVE, &domain, &["amount_total_signed"]),
            self.list(MOVE, &domain, MOVE_ITEM_FIELDS, "date asc, id asc",),
        )?;
        let items = listed
            .iter()
            .map(|r| self.move_item(r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Outcome::Found(Facts {
            item_count: totals.count,
            amount: Some(sum_of(&totals, "amount_total_signed")?.abs()),
            items,
            counts: BTreeMap::new(),
            notes: Vec::new(),
        }))
    }

    /// An `account.move` as an item: number (or reference for a draft),
    /// date, partner, journal and signed company-currency total.
    /// Builds a finding item from a move read with [`MOVE_ITEM_FIELDS`].
    fn move_item(
        &self,
        record: &Value,
    ) -> Result<crate::automations::month_end_closing_scan::compute::Item, ReadError> {
        let id = id_of(record);
        let kind = record["move_type"].as_str().unwrap_or("entry");
        let mut entry = item(
            self,
            MOVE,
            id,
            label(record, &["name", "ref"], format!("draft {kind} {id}"))?,
        );
        entry.date = date_of(record, "date")?;
        entry.partner = many2one("partner_id", &record["partner_id"])?;
        entry.journal = many2one("journal_id", &record["journal_id"])?;
        entry.amount = money("amount_total_signed", &record["amount_total_signed"])?;
        Ok(entry)
    }
}

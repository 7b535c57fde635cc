//! What the generator planted, so tests can assert exact answers: duplicate
//! groups, month-end problems per check, and the spec's worked examples
//! with the answers the spec states.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Everything planted in one generated company.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    pub users: UserIds,
    /// The company's `res.company` id and its partner.
    pub company_id: i64,
    pub company_partner_id: i64,
    /// Groups of `res.partner` ids that describe the same customer or vendor.
    pub partner_duplicates: Vec<DuplicateGroup>,
    pub lead_duplicates: Vec<DuplicateGroup>,
    pub product_duplicates: Vec<DuplicateGroup>,
    /// The partner pairs of spec 4.5 with their stated scores.
    pub dedup_examples: Vec<PairExample>,
    pub month_end: MonthEnd,
    pub closing_example: ClosingExample,
    pub bank_examples: Vec<BankExample>,
    pub credit_examples: Vec<CreditExample>,
    pub forecast: ForecastExamples,
    pub digest: DigestExamples,
}

/// The uids of the demo users, by role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserIds {
    pub admin: i64,
    pub accountant: i64,
    /// A salesperson without any accounting group.
    pub sales: i64,
    pub warehouse: i64,
}

/// Records planted as near-duplicates of one original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateGroup {
    pub original: i64,
    /// All members, the original included, ascending.
    pub ids: Vec<i64>,
    /// How each copy differs from the original.
    pub mutations: Vec<(i64, Vec<Mutation>)>,
}

/// One way a planted duplicate differs from its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutation {
    NameTypo,
    NameCase,
    /// Legal-form suffix added, dropped or varied ("Ltd" / "Limited").
    NameSuffix,
    NameSwap,
    NameInitial,
    NameAmpersand,
    NameSpaces,
    EmailSame,
    EmailCase,
    EmailMissing,
    EmailOther,
    PhoneSame,
    PhoneReformat,
    PhoneMissing,
    VatSame,
    VatReformat,
    VatMissing,
    /// A different VAT: the pair must score at most 0.40 despite the name.
    VatConflict,
    CodeSame,
    BarcodeSame,
}

/// A pair from the worked examples of `find_duplicates` (spec 4.5).
#[derive(Debug, Clone, PartialEq)]
pub struct PairExample {
    pub label: &'static str,
    pub left: i64,
    pub right: i64,
    /// The score the spec states, where it states one.
    pub score: Option<Decimal>,
    pub duplicate: bool,
}

/// Month-end problems planted around the last closed month; the scan of
/// `period` must list at least these ids.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthEnd {
    /// `YYYY-MM` of the month before today's.
    pub period: String,
    /// The company's lock date (all lock-date fields of the version).
    pub lock_date: Option<NaiveDate>,
    /// Draft moves in the period created more than 30 days ago.
    pub stale_drafts: Vec<i64>,
    /// Draft moves dated on or before the lock date.
    pub drafts_before_lock_date: Vec<i64>,
    /// Unreconciled bank statement lines dated in the period.
    pub unreconciled_bank_lines: Vec<i64>,
    /// Posted customer invoices without `invoice_date_due`.
    pub missing_due_dates: Vec<i64>,
    /// Posted vendor bills, not paid, due before today.
    pub overdue_payables: Vec<i64>,
    /// Posted invoices of the period with no tax on any product line.
    pub invoices_without_tax: Vec<i64>,
    /// Posted invoices of the period taxed at 0 %: legitimate, not flagged.
    pub zero_rated_invoices: Vec<i64>,
    /// Posted `entry` moves of the period in the miscellaneous journal.
    pub manual_entries: Vec<i64>,
    /// Draft `entry` moves of the period named like a depreciation.
    pub depreciation_drafts: Vec<i64>,
}

/// Spec 1.3's example: in `period` exactly these items are open and every
/// other check is clean.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClosingExample {
    pub period: String,
    pub bank_unreconciled: Vec<i64>,
    pub draft_entries: Vec<i64>,
    pub uninvoiced_orders: Vec<i64>,
    pub readiness: u32,
    pub risk_level: &'static str,
    pub total_items: usize,
    pub estimated_hours: Decimal,
}

/// A statement line and candidate of spec 2.7.
#[derive(Debug, Clone, PartialEq)]
pub struct BankExample {
    pub label: &'static str,
    pub statement_line_id: i64,
    pub move_id: i64,
    /// The candidate receivable/payable `account.move.line`.
    pub move_line_id: i64,
    /// `None` when the pair must not be scored (opposite signs).
    pub confidence: Option<Decimal>,
    /// `exact`, `fuzzy`, `learned`, `none` (below the threshold) or
    /// `incompatible`.
    pub match_type: &'static str,
    /// Whether the spec assumes a learned rule of the journal matches.
    pub needs_rule: bool,
}

/// A customer of spec 3.6 with the figures the spec states.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreditExample {
    pub label: &'static str,
    pub partner_id: i64,
    pub order_amount: Decimal,
    pub score: Option<Decimal>,
    pub band: Option<&'static str>,
    pub exposure: Option<Decimal>,
    pub overdue_ratio: Option<Decimal>,
    pub credit_limit: Option<Decimal>,
    pub verdict: Option<&'static str>,
    pub remaining_credit: Option<Decimal>,
    pub over_limit_by: Option<Decimal>,
}

/// Inputs of spec 5.7 that live in the data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForecastExamples {
    /// Vendor with bills 4,900 / 5,000 / 5,100 a month apart: recurring −5,000 monthly.
    pub recurring_vendor: i64,
    pub recurring_bills: Vec<i64>,
    /// Vendor with bills 500 / 50,000: not recurring.
    pub irregular_vendor: i64,
    /// Opportunity of 100,000 at 50 %.
    pub pipeline_half: i64,
    /// Opportunity of 10,000 at 80 %.
    pub pipeline_eighty: i64,
    /// Small companies holding one worked example each.
    pub companies: ForecastCompanies,
}

/// Companies beside the main one, each with only the documents of one
/// worked example of spec 5.7 (today is the spec's as_of).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForecastCompanies {
    /// Bank 100,000; receivable 5,000 due today + 5; payable 3,000 due
    /// today + 10.
    pub receivable_and_payable: i64,
    /// Bank 1,000; payable 5,000 due today + 3: a gap from day 3.
    pub cash_gap: i64,
    /// Bank 20,000; a 10,000 receivable of `delayed_customer` due today + 5.
    pub delayed_receivable: i64,
    pub delayed_customer: i64,
    /// Opportunities 100,000 at 50 % and 10,000 at 80 % (deadline today +
    /// 30); `recurring_vendor` billed 4,900 / 5,000 / 5,100 on the 5th of
    /// the last three months (due 14 days later), `irregular_vendor` 500
    /// and 50,000.
    pub pipeline_and_recurring: i64,
    pub recurring_vendor: i64,
    pub irregular_vendor: i64,
    pub schedule: ScheduleExample,
}

/// The company whose daily balances a test computes by hand: bank 50,000
/// paid in 300 days ago, plus the three paid invoices of `late_payer`
/// (2,000 each, paid 4, 10 and 12 days late), minus the two paid bills of
/// `weekly_vendor` (1,000 and 1,100); open: `late_payer` 8,000 due today +
/// 6, `overdue_customer` 3,000 due today − 20, `doubtful_customer` 2,000
/// due today − 120, `overdue_vendor` 1,500 due today − 5, `vendor` 2,500
/// due today + 20, `weekly_vendor` 1,200 billed today − 7 and due today;
/// `lead` 20,000 at 25 % with its deadline 5 days ago; `order` confirmed 3
/// days ago with 4,840 to invoice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScheduleExample {
    pub company_id: i64,
    pub late_payer: i64,
    pub overdue_customer: i64,
    pub doubtful_customer: i64,
    pub overdue_vendor: i64,
    pub vendor: i64,
    pub weekly_vendor: i64,
    pub lead: i64,
    pub order: i64,
}

/// Records planted for the daily digest (spec 7.2), around today.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DigestExamples {
    /// Overdue `mail.activity` on opportunities, with the assigned uid.
    pub overdue_activities: Vec<(i64, i64)>,
    /// Opportunities won (still active) in the last seven days.
    pub won_7d: Vec<i64>,
    /// Opportunities lost (archived) in the last seven days.
    pub lost_7d: Vec<i64>,
    /// Active reordering rules whose forecast is below their minimum.
    pub below_reorder: Vec<i64>,
    /// Outgoing pickings still open and scheduled before today.
    pub late_deliveries: Vec<i64>,
    /// Outgoing pickings still open and scheduled today.
    pub deliveries_today: Vec<i64>,
    /// Incoming pickings still open and scheduled before today.
    pub late_receipts: Vec<i64>,
    /// Incoming pickings still open and scheduled after today.
    pub pending_receipts: Vec<i64>,
}

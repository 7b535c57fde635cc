//! Accounting primitives every generator goes through, so that the books
//! stay consistent: an invoice or bill with its journal items, and its
//! settlement (a reconciled bank statement line for customers, a payment
//! for vendors) with the partial reconcile that dates the payment.
//!
//! Signs follow Odoo: company-currency `balance` is debit − credit; a
//! customer invoice's receivable line is positive, a vendor bill's payable
//! line negative, and the move's signed totals carry the same sign.

use chrono::NaiveDate;
use serde_json::Value;

use super::bank::StatementLine;
use super::builder::{Builder, Link};
use super::rows::{ids, m2o, money, put, text_opt};

/// `account.move.move_type` of an invoice-like move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoveKind {
    OutInvoice,
    OutRefund,
    InInvoice,
    InRefund,
}

impl MoveKind {
    pub(crate) fn code(self) -> &'static str {
        match self {
            MoveKind::OutInvoice => "out_invoice",
            MoveKind::OutRefund => "out_refund",
            MoveKind::InInvoice => "in_invoice",
            MoveKind::InRefund => "in_refund",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            MoveKind::OutInvoice => "INV",
            MoveKind::OutRefund => "RINV",
            MoveKind::InInvoice => "BILL",
            MoveKind::InRefund => "RBILL",
        }
    }

    pub(crate) fn is_customer(self) -> bool {
        match self {
            MoveKind::OutInvoice | MoveKind::OutRefund => true,
            MoveKind::InInvoice | MoveKind::InRefund => false,
        }
    }

    /// The sign of `amount_total_signed` (and of the receivable/payable line).
    pub(crate) fn sign(self) -> i64 {
        match self {
            MoveKind::OutInvoice | MoveKind::InRefund => 1,
            MoveKind::OutRefund | MoveKind::InInvoice => -1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoveState {
    Draft,
    Posted,
    Cancel,
}

impl MoveState {
    fn code(self) -> &'static str {
        match self {
            MoveState::Draft => "draft",
            MoveState::Posted => "posted",
            MoveState::Cancel => "cancel",
        }
    }
}

/// How much of a posted invoice has been paid, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Settlement {
    Open,
    Paid(NaiveDate),
    /// Paid on that day, this many cents of the invoice currency.
    Partial(NaiveDate, i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TaxRule {
    /// 21 % on every product line.
    Standard,
    /// The 0 % tax on every line (intra-EU supply): legitimately no tax.
    ZeroRated,
    /// No tax at all: what `invoices_without_tax` flags.
    Untaxed,
}

/// One product line: quantity × unit price in cents of the invoice currency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LineSpec {
    /// `product.product` id, 0 for none.
    pub product: i64,
    pub quantity: i64,
    pub price_cents: i64,
}

/// An invoice, refund or bill to create.
#[derive(Debug, Clone)]
pub(crate) struct InvoiceSpec<'a> {
    pub kind: MoveKind,
    pub partner: i64,
    pub date: NaiveDate,
    pub due: Option<NaiveDate>,
    pub state: MoveState,
    pub settlement: Settlement,
    pub currency: Link,
    pub lines: &'a [LineSpec],
    pub tax: TaxRule,
    pub reference: Option<&'a str>,
    /// A fixed number instead of the next in sequence.
    pub name: Option<&'a str>,
    /// A total (cents) the tax is adjusted to by at most a cent or two:
    /// not every total is reachable with 21 % rounded to the cent.
    pub total: Option<i64>,
    /// Days the record was created before its date (negative: after).
    pub created_before: i64,
}

/// What [`Builder::invoice`] created.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posted {
    pub move_id: i64,
    /// The receivable or payable line.
    pub term_line: i64,
    /// Total in the invoice currency, cents.
    pub total: i64,
    /// Total in euro, cents, unsigned.
    pub total_eur: i64,
}

/// One journal item to write.
struct Item<'a> {
    account: Link,
    name: &'a str,
    balance: i64,
    amount_currency: i64,
    residual: i64,
    residual_currency: i64,
    display_type: &'static str,
    maturity: Option<NaiveDate>,
    product: i64,
    quantity: i64,
    price_cents: i64,
    tax: Option<Link>,
    partner: bool,
}

impl Builder {
    /// Creates an invoice-like move with its journal items and, when it
    /// is posted and (partly) paid, its settlement.
    pub(crate) fn invoice(&mut self, spec: &InvoiceSpec<'_>) -> Posted {
        let refs = self.refs;
        let customer = spec.kind.is_customer();
        let sign = spec.kind.sign();
        let (tax_link, tax_pct) = match (spec.tax, customer) {
            (TaxRule::Standard, true) => (Some(refs.sale_tax), 21),
            (TaxRule::Standard, false) => (Some(refs.purchase_tax), 21),
            (TaxRule::ZeroRated, _) => (Some(refs.sale_tax_zero), 0),
            (TaxRule::Untaxed, _) => (None, 0),
        };
        let subtotals: Vec<i64> = spec
            .lines
            .iter()
            .map(|l| l.quantity * l.price_cents)
            .collect();
        let untaxed: i64 = subtotals.iter().sum();
        let tax = match spec.total {
            Some(total) if tax_pct > 0 => total - untaxed,
            _ => (untaxed * tax_pct + 50) / 100,
        };
        let total = untaxed + tax;
        let cur = spec.currency.id;
        let subtotals_eur: Vec<i64> = subtotals
            .iter()
            .map(|&c| self.to_eur(cur, c, spec.date))
            .collect();
        let untaxed_eur: i64 = subtotals_eur.iter().sum();
        let tax_eur = self.to_eur(cur, tax, spec.date);
        let total_eur = untaxed_eur + tax_eur;
        let posted = spec.state == MoveState::Posted;
        let (residual, residual_eur) = match (posted, spec.settlement) {
            (true, Settlement::Paid(_)) => (0, 0),
            (true, Settlement::Partial(_, paid)) => {
                (total - paid, total_eur - self.to_eur(cur, paid, spec.date))
            }
            _ => (total, total_eur),
        };
        let payment_state = match (posted, spec.settlement) {
            (true, Settlement::Paid(day)) if (self.dates.today - day).num_days() < 3 => {
                "in_payment"
            }
            (true, Settlement::Paid(_)) => "paid",
            (true, Settlement::Partial(..)) => "partial",
            _ => "not_paid",
        };
        let name = match (spec.name, spec.state) {
            (Some(fixed), _) => fixed.to_owned(),
            (None, MoveState::Draft) => "/".to_owned(),
            (None, _) => self.next_name(spec.kind.prefix(), spec.date),
        };
        let journal = if customer {
            refs.sale_journal
        } else {
            refs.purchase_journal
        };
        let term_account = if customer {
            refs.receivable
        } else {
            refs.payable
        };
        let tax_account = if customer {
            refs.tax_payable
        } else {
            refs.tax_receivable
        };
        let product_account = if customer { refs.income } else { refs.expense };
        let mut items: Vec<Item<'_>> = Vec::with_capacity(spec.lines.len() + 2);
        for (i, line) in spec.lines.iter().enumerate() {
            items.push(Item {
                account: product_account,
                name: "",
                balance: -sign * subtotals_eur[i],
                amount_currency: -sign * subtotals[i],
                residual: 0,
                residual_currency: 0,
                display_type: "product",
                maturity: None,
                product: line.product,
                quantity: line.quantity,
                price_cents: line.price_cents,
                tax: tax_link,
                partner: true,
            });
        }
        if tax > 0 {
            items.push(Item {
                account: tax_account,
                name: tax_link.map_or("", |t| t.name),
                balance: -sign * tax_eur,
                amount_currency: -sign * tax,
                residual: 0,
                residual_currency: 0,
                display_type: "tax",
                maturity: None,
                product: 0,
                quantity: 0,
                price_cents: 0,
                tax: None,
                partner: true,
            });
        }
        let term_index = items.len();
        items.push(Item {
            account: term_account,
            name: "",
            balance: sign * total_eur,
            amount_currency: sign * total,
            residual: sign * residual_eur,
            residual_currency: sign * residual,
            display_type: "payment_term",
            maturity: spec.due.or(Some(spec.date)),
            product: 0,
            quantity: 0,
            price_cents: 0,
            tax: None,
            partner: true,
        });
        let move_id = self.t.moves.next_id();
        let first_line = self.t.lines.next_id();
        let line_ids: Vec<i64> = (first_line..first_line + items.len() as i64).collect();
        let created = spec.date - chrono::Duration::days(spec.created_before);
        self.write_move(MoveRecord {
            name: &name,
            kind: spec.kind.code(),
            state: spec.state,
            partner: spec.partner,
            journal,
            currency: spec.currency,
            date: spec.date,
            invoice_date: Some(spec.date),
            due: spec.due,
            reference: spec.reference,
            untaxed: (untaxed, sign * untaxed_eur),
            tax: (tax, sign * tax_eur),
            total: (total, sign * total_eur),
            residual: (residual, sign * residual_eur),
            payment_state,
            line_ids: &line_ids,
            product_lines: &line_ids[..spec.lines.len()],
            created,
            statement_line: 0,
            payment: 0,
        });
        self.write_items(move_id, &name, spec, &items);
        let term_line = line_ids[term_index];
        let result = Posted {
            move_id,
            term_line,
            total,
            total_eur,
        };
        if posted {
            match spec.settlement {
                Settlement::Open => {}
                Settlement::Paid(day) => self.settle(spec, &name, result, day, total, total_eur),
                Settlement::Partial(day, paid) => {
                    let paid_eur = self.to_eur(cur, paid, spec.date);
                    self.settle(spec, &name, result, day, paid, paid_eur);
                }
            }
        }
        result
    }

    fn write_items(
        &mut self,
        move_id: i64,
        move_name: &str,
        spec: &InvoiceSpec<'_>,
        items: &[Item<'_>],
    ) {
        let parent_state = spec.state.code();
        let journal = if spec.kind.is_customer() {
            self.refs.sale_journal
        } else {
            self.refs.purchase_journal
        };
        let partner = self.partner(spec.partner);
        let date = self.cal.date(spec.date);
        // Lent out for the loop, so labels borrow them without a copy.
        let product_names = std::mem::take(&mut self.product_names);
        for item in items {
            let product_name = product_names
                .get(item.product as usize)
                .map_or("", String::as_str);
            let product = (item.product > 0).then_some(item.product);
            self.write_line(LineRecord {
                move_id,
                move_name,
                label: match product {
                    Some(_) => product_name,
                    None if item.name.is_empty() => move_name,
                    None => item.name,
                },
                date: date.clone(),
                maturity: item.maturity,
                account: item.account,
                partner: item.partner.then(|| partner.clone()),
                journal,
                currency: spec.currency,
                balance: item.balance,
                amount_currency: item.amount_currency,
                residual: item.residual,
                residual_currency: item.residual_currency,
                reconciled: item.display_type == "payment_term"
                    && spec.state == MoveState::Posted
                    && item.residual == 0,
                parent_state,
                display_type: item.display_type,
                tax: item.tax,
                product,
                quantity: item.quantity,
                price_cents: item.price_cents,
            });
        }
        self.product_names = product_names;
    }

    /// Pays (part of) a posted invoice: a reconciled bank statement line
    /// for customer documents, an `account.payment` for vendor documents,
    /// and the partial reconcile between the two journal items.
    fn settle(
        &mut self,
        spec: &InvoiceSpec<'_>,
        invoice_name: &str,
        invoice: Posted,
        day: NaiveDate,
        paid: i64,
        paid_eur: i64,
    ) {
        let refs = self.refs;
        let usd = spec.currency.id == refs.usd.id;
        let (journal, bank_account) = if usd {
            (refs.usd_bank_journal, refs.bank_usd_account)
        } else {
            (refs.bank_journal, refs.bank_eur_account)
        };
        let counter_account = if spec.kind.is_customer() {
            refs.receivable
        } else {
            refs.payable
        };
        // Money in for customer invoices and vendor refunds.
        let inflow = spec.kind.sign();
        let memo = spec
            .reference
            .filter(|_| !spec.kind.is_customer())
            .unwrap_or(invoice_name);
        let counterpart = if spec.kind.is_customer() {
            let line = self.statement_line(StatementLine {
                day,
                journal,
                bank_account,
                counter_account,
                label: memo,
                partner: Some(spec.partner),
                amount: inflow * paid,
                amount_eur: inflow * paid_eur,
                foreign: None,
                reconciled: true,
            });
            line.counterpart
        } else {
            self.payment(
                spec,
                memo,
                invoice.move_id,
                day,
                journal,
                bank_account,
                paid,
                paid_eur,
            )
        };
        let (debit, credit) = if inflow > 0 {
            (invoice.term_line, counterpart)
        } else {
            (counterpart, invoice.term_line)
        };
        let company = refs.company.value();
        let eur = refs.eur.value();
        // Journal item labels: the invoice's term line carries the invoice
        // number, the counterpart the bank label or payment memo.
        let (debit_name, credit_name) = if inflow > 0 {
            (invoice_name, memo)
        } else {
            (memo, invoice_name)
        };
        let max_date = self.cal.date(day.max(spec.date));
        let t = &mut self.t.partials;
        let [
            debit_col,
            credit_col,
            amount,
            max_date_col,
            company_col,
            currency,
        ] = self.cc.partials;
        let r = t.push_blank();
        put(r, debit_col, m2o(debit, debit_name));
        put(r, credit_col, m2o(credit, credit_name));
        put(r, amount, money(paid_eur));
        put(r, max_date_col, max_date);
        put(r, company_col, company);
        put(r, currency, eur);
    }

    /// A vendor payment with its move; returns its payable line.
    #[allow(clippy::too_many_arguments)]
    fn payment(
        &mut self,
        spec: &InvoiceSpec<'_>,
        memo: &str,
        bill: i64,
        day: NaiveDate,
        journal: Link,
        bank_account: Link,
        paid: i64,
        paid_eur: i64,
    ) -> i64 {
        let refs = self.refs;
        let outbound = spec.kind.sign() < 0;
        let flow = if outbound { -1 } else { 1 };
        let name = self.next_name(
            if journal.id == refs.usd_bank_journal.id {
                "PBNK2"
            } else {
                "PBNK1"
            },
            day,
        );
        let payment_id = self.t.payments.next_id();
        let move_id = self.t.moves.next_id();
        let first_line = self.t.lines.next_id();
        let line_ids = [first_line, first_line + 1];
        self.write_move(MoveRecord {
            name: &name,
            kind: "entry",
            state: MoveState::Posted,
            partner: spec.partner,
            journal,
            currency: spec.currency,
            date: day,
            invoice_date: None,
            due: None,
            reference: Some(memo),
            untaxed: (0, 0),
            tax: (0, 0),
            total: (paid, paid_eur),
            residual: (0, 0),
            payment_state: "not_paid",
            line_ids: &line_ids,
            product_lines: &[],
            created: day,
            statement_line: 0,
            payment: payment_id,
        });
        let partner = self.partner(spec.partner);
        let date = self.cal.date(day);
        for (account, balance, amount) in [
            (refs.payable, -flow * paid_eur, -flow * paid),
            (bank_account, flow * paid_eur, flow * paid),
        ] {
            self.write_line(LineRecord {
                move_id,
                move_name: &name,
                label: memo,
                date: date.clone(),
                maturity: Some(day),
                account,
                partner: Some(partner.clone()),
                journal,
                currency: spec.currency,
                balance,
                amount_currency: amount,
                residual: 0,
                residual_currency: 0,
                reconciled: account.id == refs.payable.id,
                parent_state: "posted",
                display_type: "",
                tax: None,
                product: None,
                quantity: 0,
                price_cents: 0,
            });
        }
        let state = if self.spec.version.is_18_or_later() {
            "paid"
        } else {
            "posted"
        };
        let company = refs.company.value();
        let eur = refs.eur.value();
        let created = self.cal.at(day, 10, 0);
        let move_value = m2o(move_id, &name);
        let t = &mut self.t.payments;
        let [
            name_col,
            payment_type,
            partner_type,
            partner_col,
            amount,
            amount_signed,
            currency,
            company_currency,
            date_col,
            journal_col,
            company_col,
            state_col,
            move_col,
            reconciled,
            bills,
            invoices,
            memo_17,
            memo_18,
            create_date,
            write_date,
        ] = self.cc.payments;
        let r = t.push_blank();
        put(r, name_col, Value::from(name.as_str()));
        put(
            r,
            payment_type,
            (if outbound { "outbound" } else { "inbound" }).into(),
        );
        put(r, partner_type, "supplier".into());
        put(r, partner_col, partner);
        put(r, amount, money(paid));
        put(r, amount_signed, money(flow * paid_eur));
        put(r, currency, spec.currency.value());
        put(r, company_currency, eur);
        put(r, date_col, date);
        put(r, journal_col, journal.value());
        put(r, company_col, company);
        put(r, state_col, state.into());
        put(r, move_col, move_value);
        put(r, reconciled, true.into());
        put(r, bills, ids(&[bill]));
        put(r, invoices, Value::Array(Vec::new()));
        put(r, memo_17, Value::from(memo));
        put(r, memo_18, Value::from(memo));
        put(r, create_date, created.clone());
        put(r, write_date, created);
        line_ids[0]
    }

    /// A `product.product` display name.
    pub(crate) fn product_name(&self, id: i64) -> &str {
        self.product_names
            .get(id as usize)
            .map_or("", String::as_str)
    }
}

/// The header of a move to write.
pub(crate) struct MoveRecord<'a> {
    pub name: &'a str,
    pub kind: &'static str,
    pub state: MoveState,
    pub partner: i64,
    pub journal: Link,
    pub currency: Link,
    pub date: NaiveDate,
    pub invoice_date: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub reference: Option<&'a str>,
    /// (document currency cents, signed euro cents) pairs.
    pub untaxed: (i64, i64),
    pub tax: (i64, i64),
    pub total: (i64, i64),
    pub residual: (i64, i64),
    pub payment_state: &'static str,
    pub line_ids: &'a [i64],
    pub product_lines: &'a [i64],
    pub created: NaiveDate,
    /// `account.bank.statement.line` id, 0 for none.
    pub statement_line: i64,
    /// `account.payment` id, 0 for none.
    pub payment: i64,
}

/// One journal item to write.
pub(crate) struct LineRecord<'a> {
    pub move_id: i64,
    pub move_name: &'a str,
    pub label: &'a str,
    pub date: Value,
    pub maturity: Option<NaiveDate>,
    pub account: Link,
    pub partner: Option<Value>,
    pub journal: Link,
    pub currency: Link,
    pub balance: i64,
    pub amount_currency: i64,
    pub residual: i64,
    pub residual_currency: i64,
    pub reconciled: bool,
    pub parent_state: &'static str,
    /// Empty for none.
    pub display_type: &'static str,
    pub tax: Option<Link>,
    /// `product.product` id; the label is its display name.
    pub product: Option<i64>,
    pub quantity: i64,
    pub price_cents: i64,
}

impl Builder {
    pub(crate) fn write_move(&mut self, m: MoveRecord<'_>) -> i64 {
        let refs = self.refs;
        let partner = (m.partner > 0).then(|| self.partner(m.partner));
        let commercial = (m.partner > 0).then(|| self.partner(self.commercial_of(m.partner)));
        let created = self.cal.at(
            m.created,
            8 + (m.line_ids.first().copied().unwrap_or(0) % 10) as u32,
            15,
        );
        let date = self.cal.date(m.date);
        let invoice_date = m.invoice_date.map(|d| self.cal.date(d));
        let due = m.due.map(|d| self.cal.date(d));
        let statement =
            (m.statement_line > 0).then(|| m2o(m.statement_line, m.reference.unwrap_or(m.name)));
        let payment = (m.payment > 0).then(|| m2o(m.payment, m.name));
        let t = &mut self.t.moves;
        let [
            name,
            reference,
            payment_reference,
            move_type,
            state,
            partner_col,
            commercial_col,
            journal,
            company,
            currency,
            company_currency,
            date_col,
            invoice_date_col,
            due_col,
            salesperson,
            amount_untaxed,
            amount_tax,
            amount_total,
            amount_residual,
            untaxed_signed,
            total_signed,
            residual_signed,
            payment_state,
            statement_col,
            payment_col,
            line_ids,
            invoice_line_ids,
            create_date,
            write_date,
        ] = self.cc.moves;
        let r = t.push_blank();
        put(r, name, Value::from(m.name));
        put(r, reference, text_opt(m.reference));
        if m.kind.starts_with("out_") && m.state == MoveState::Posted {
            put(r, payment_reference, Value::from(m.name));
        }
        put(r, move_type, m.kind.into());
        put(r, state, m.state.code().into());
        put(r, partner_col, partner.unwrap_or(Value::Bool(false)));
        put(r, commercial_col, commercial.unwrap_or(Value::Bool(false)));
        put(r, journal, m.journal.value());
        put(r, company, refs.company.value());
        put(r, currency, m.currency.value());
        put(r, company_currency, refs.eur.value());
        put(r, date_col, date);
        put(
            r,
            invoice_date_col,
            invoice_date.unwrap_or(Value::Bool(false)),
        );
        put(r, due_col, due.unwrap_or(Value::Bool(false)));
        put(r, amount_untaxed, money(m.untaxed.0));
        put(r, amount_tax, money(m.tax.0));
        put(r, amount_total, money(m.total.0));
        put(r, amount_residual, money(m.residual.0));
        put(r, untaxed_signed, money(m.untaxed.1));
        if m.kind.starts_with("out_") {
            put(r, salesperson, refs.salesman.value());
        }
        put(r, total_signed, money(m.total.1));
        put(r, residual_signed, money(m.residual.1));
        put(r, payment_state, m.payment_state.into());
        put(r, statement_col, statement.unwrap_or(Value::Bool(false)));
        put(r, payment_col, payment.unwrap_or(Value::Bool(false)));
        put(r, line_ids, ids(m.line_ids));
        put(r, invoice_line_ids, ids(m.product_lines));
        put(r, create_date, created.clone());
        put(r, write_date, created);
        r.id
    }

    pub(crate) fn write_line(&mut self, l: LineRecord<'_>) -> i64 {
        let refs = self.refs;
        let maturity = l.maturity.map(|d| self.cal.date(d));
        let t = &mut self.t.lines;
        let [
            move_col,
            move_name,
            name,
            date,
            date_maturity,
            account,
            partner,
            journal,
            company,
            currency,
            company_currency,
            debit,
            credit,
            balance,
            amount_currency,
            amount_residual,
            residual_currency,
            reconciled,
            parent_state,
            display_type,
            tax_ids,
            product,
            quantity,
            price_unit,
            price_subtotal,
        ] = self.cc.lines;
        let r = t.push_blank();
        put(r, move_col, m2o(l.move_id, l.move_name));
        put(r, move_name, Value::from(l.move_name));
        put(r, name, Value::from(l.label));
        put(r, date, l.date);
        put(r, date_maturity, maturity.unwrap_or(Value::Bool(false)));
        put(r, account, l.account.value());
        put(r, partner, l.partner.unwrap_or(Value::Bool(false)));
        put(r, journal, l.journal.value());
        put(r, company, refs.company.value());
        put(r, currency, l.currency.value());
        put(r, company_currency, refs.eur.value());
        put(r, debit, money(l.balance.max(0)));
        put(r, credit, money((-l.balance).max(0)));
        put(r, balance, money(l.balance));
        put(r, amount_currency, money(l.amount_currency));
        put(r, amount_residual, money(l.residual));
        put(r, residual_currency, money(l.residual_currency));
        put(r, reconciled, l.reconciled.into());
        put(r, parent_state, l.parent_state.into());
        put(
            r,
            display_type,
            if l.display_type.is_empty() {
                Value::Bool(false)
            } else {
                l.display_type.into()
            },
        );
        put(
            r,
            tax_ids,
            l.tax.map_or(Value::Array(Vec::new()), |t| ids(&[t.id])),
        );
        if let Some(id) = l.product {
            put(r, product, m2o(id, l.label));
        }
        if l.display_type == "product" {
            put(r, quantity, Value::from(l.quantity as f64));
            put(r, price_unit, money(l.price_cents));
            put(r, price_subtotal, money(l.quantity * l.price_cents));
        }
        r.id
    }
}

/// The columns written per record, resolved once per table.
pub(crate) const PARTIALS_FIELDS: [&str; 6] = [
    "debit_move_id",
    "credit_move_id",
    "amount",
    "max_date",
    "company_id",
    "company_currency_id",
];

/// The columns written per record, resolved once per table.
pub(crate) const PAYMENTS_FIELDS: [&str; 20] = [
    "name",
    "payment_type",
    "partner_type",
    "partner_id",
    "amount",
    "amount_company_currency_signed",
    "currency_id",
    "company_currency_id",
    "date",
    "journal_id",
    "company_id",
    "state",
    "move_id",
    "is_reconciled",
    "reconciled_bill_ids",
    "reconciled_invoice_ids",
    "ref",
    "memo",
    "create_date",
    "write_date",
];

/// The columns written per record, resolved once per table.
pub(crate) const MOVES_FIELDS: [&str; 29] = [
    "name",
    "ref",
    "payment_reference",
    "move_type",
    "state",
    "partner_id",
    "commercial_partner_id",
    "journal_id",
    "company_id",
    "currency_id",
    "company_currency_id",
    "date",
    "invoice_date",
    "invoice_date_due",
    "invoice_user_id",
    "amount_untaxed",
    "amount_tax",
    "amount_total",
    "amount_residual",
    "amount_untaxed_signed",
    "amount_total_signed",
    "amount_residual_signed",
    "payment_state",
    "statement_line_id",
    "payment_id",
    "line_ids",
    "invoice_line_ids",
    "create_date",
    "write_date",
];

/// The columns written per record, resolved once per table.
pub(crate) const LINES_FIELDS: [&str; 25] = [
    "move_id",
    "move_name",
    "name",
    "date",
    "date_maturity",
    "account_id",
    "partner_id",
    "journal_id",
    "company_id",
    "currency_id",
    "company_currency_id",
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "amount_residual",
    "amount_residual_currency",
    "reconciled",
    "parent_state",
    "display_type",
    "tax_ids",
    "product_id",
    "quantity",
    "price_unit",
    "price_subtotal",
];

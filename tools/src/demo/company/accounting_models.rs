//! Accounting model definitions: readable only with an accounting group,
//! with the version differences of spec table 0.5 (payment states, the
//! payment memo field, the account's companies).

use super::groups;
use super::models::{company_money, f, model, money, req, ro, stamps};
use super::spec::DemoVersion;
use crate::demo::{FieldType, ModelDef};

use FieldType::{Boolean, Char, Date, Float, Integer, Many2many, Many2one, One2many, Selection};

pub(crate) fn account_account(version: DemoVersion) -> ModelDef {
    let mut fields = vec![
        req("code", "Code", Char),
        req("name", "Account Name", Char),
        req(
            "account_type",
            "Type",
            Selection(&[
                ("asset_receivable", "Receivable"),
                ("asset_cash", "Bank and Cash"),
                ("asset_current", "Current Assets"),
                ("asset_non_current", "Non-current Assets"),
                ("liability_payable", "Payable"),
                ("liability_current", "Current Liabilities"),
                ("equity", "Equity"),
                ("income", "Income"),
                ("expense", "Expenses"),
                ("expense_depreciation", "Depreciation"),
            ]),
        ),
        f("reconcile", "Allow Reconciliation", Boolean),
    ];
    // 18 shares accounts between companies.
    if version.is_18_or_later() {
        fields.push(req("company_ids", "Companies", Many2many("res.company")));
    } else {
        fields.push(req("company_id", "Company", Many2one("res.company")));
    }
    model(
        "account.account",
        "Account",
        "name",
        "code, company_id",
        fields,
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_CONFIG,
    )
}

pub(crate) fn account_tax() -> ModelDef {
    model(
        "account.tax",
        "Tax",
        "name",
        "sequence, id",
        vec![
            req("name", "Tax Name", Char),
            req("amount", "Amount", Float),
            f(
                "amount_type",
                "Tax Computation",
                Selection(&[("percent", "Percentage of Price"), ("fixed", "Fixed")]),
            ),
            req(
                "type_tax_use",
                "Tax Type",
                Selection(&[
                    ("sale", "Sales"),
                    ("purchase", "Purchases"),
                    ("none", "None"),
                ]),
            ),
            req("company_id", "Company", Many2one("res.company")),
            f("active", "Active", Boolean),
        ],
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_CONFIG,
    )
}

pub(crate) fn account_journal() -> ModelDef {
    model(
        "account.journal",
        "Journal",
        "name",
        "sequence, type, code",
        vec![
            req("name", "Journal Name", Char),
            req("code", "Short Code", Char),
            req(
                "type",
                "Type",
                Selection(&[
                    ("sale", "Sales"),
                    ("purchase", "Purchase"),
                    ("cash", "Cash"),
                    ("bank", "Bank"),
                    ("general", "Miscellaneous"),
                ]),
            ),
            f("currency_id", "Currency", Many2one("res.currency")),
            f(
                "default_account_id",
                "Default Account",
                Many2one("account.account"),
            ),
            f(
                "suspense_account_id",
                "Suspense Account",
                Many2one("account.account"),
            ),
            req("company_id", "Company", Many2one("res.company")),
            f("active", "Active", Boolean),
        ],
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_CONFIG,
    )
}

pub(crate) const MOVE_TYPES: &[(&str, &str)] = &[
    ("entry", "Journal Entry"),
    ("out_invoice", "Customer Invoice"),
    ("out_refund", "Customer Credit Note"),
    ("in_invoice", "Vendor Bill"),
    ("in_refund", "Vendor Credit Note"),
    ("out_receipt", "Sales Receipt"),
    ("in_receipt", "Purchase Receipt"),
];

const MOVE_STATES: &[(&str, &str)] = &[
    ("draft", "Draft"),
    ("posted", "Posted"),
    ("cancel", "Cancelled"),
];

/// `account.move` keeps to 30 fields besides `id`: a record of 32 or more
/// values no longer fits glibc's small bins, and every allocation in the
/// large bins consolidates the freed small chunks first, which tripled the
/// generation time at 100,000 partners.
pub(crate) fn account_move() -> ModelDef {
    let mut fields = vec![
        ro("name", "Number", Char),
        f("ref", "Reference", Char),
        f("payment_reference", "Payment Reference", Char),
        req("move_type", "Type", Selection(MOVE_TYPES)),
        ro("state", "Status", Selection(MOVE_STATES)),
        f("partner_id", "Partner", Many2one("res.partner")),
        ro(
            "commercial_partner_id",
            "Commercial Entity",
            Many2one("res.partner"),
        ),
        req("journal_id", "Journal", Many2one("account.journal")),
        ro("company_id", "Company", Many2one("res.company")),
        req("currency_id", "Currency", Many2one("res.currency")),
        ro(
            "company_currency_id",
            "Company Currency",
            Many2one("res.currency"),
        ),
        req("date", "Date", Date),
        f("invoice_date", "Invoice/Bill Date", Date),
        f("invoice_date_due", "Due Date", Date),
        f("invoice_user_id", "Salesperson", Many2one("res.users")),
        ro_amount("amount_untaxed", "Untaxed Amount"),
        ro_amount("amount_tax", "Tax"),
        ro_amount("amount_total", "Total"),
        ro_amount("amount_residual", "Amount Due"),
        ro_company("amount_untaxed_signed", "Untaxed Amount Signed"),
        ro_company("amount_total_signed", "Total Signed"),
        ro_company("amount_residual_signed", "Amount Due Signed"),
        ro(
            "payment_state",
            "Payment Status",
            Selection(&[
                ("not_paid", "Not Paid"),
                ("in_payment", "In Payment"),
                ("paid", "Paid"),
                ("partial", "Partially Paid"),
                ("reversed", "Reversed"),
                ("invoicing_legacy", "Invoicing App Legacy"),
            ]),
        ),
        f("reversed_entry_id", "Reversal of", Many2one("account.move")),
        ro(
            "statement_line_id",
            "Statement Line",
            Many2one("account.bank.statement.line"),
        ),
        ro("payment_id", "Payment", Many2one("account.payment")),
        f(
            "line_ids",
            "Journal Items",
            One2many {
                comodel: "account.move.line",
                inverse: "move_id",
            },
        ),
        f(
            "invoice_line_ids",
            "Invoice lines",
            One2many {
                comodel: "account.move.line",
                inverse: "move_id",
            },
        ),
    ];
    fields.extend(stamps());
    model(
        "account.move",
        "Journal Entry",
        "name",
        "date desc, name desc, id desc",
        fields,
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_WRITE,
    )
}

/// A read-only monetary field in the record's own currency.
const fn ro_amount(name: &'static str, label: &'static str) -> crate::demo::FieldDef {
    let mut def = money(name, label);
    def.readonly = true;
    def
}

/// A read-only monetary field in the company currency.
const fn ro_company(name: &'static str, label: &'static str) -> crate::demo::FieldDef {
    let mut def = company_money(name, label);
    def.readonly = true;
    def
}

pub(crate) fn account_move_line() -> ModelDef {
    model(
        "account.move.line",
        "Journal Item",
        "name",
        "date desc, move_name desc, id",
        vec![
            req("move_id", "Journal Entry", Many2one("account.move")),
            ro("move_name", "Number", Char),
            f("name", "Label", Char),
            ro("date", "Date", Date),
            f("date_maturity", "Due Date", Date),
            req("account_id", "Account", Many2one("account.account")),
            f("partner_id", "Partner", Many2one("res.partner")),
            ro("journal_id", "Journal", Many2one("account.journal")),
            ro("company_id", "Company", Many2one("res.company")),
            req("currency_id", "Currency", Many2one("res.currency")),
            ro(
                "company_currency_id",
                "Company Currency",
                Many2one("res.currency"),
            ),
            company_money("debit", "Debit"),
            company_money("credit", "Credit"),
            company_money("balance", "Balance"),
            money("amount_currency", "Amount in Currency"),
            ro_company("amount_residual", "Residual Amount"),
            ro_amount("amount_residual_currency", "Residual Amount in Currency"),
            ro("reconciled", "Reconciled", Boolean),
            ro("parent_state", "Status", Selection(MOVE_STATES)),
            f(
                "display_type",
                "Display Type",
                Selection(&[
                    ("product", "Product"),
                    ("cogs", "Cost of Goods Sold"),
                    ("tax", "Tax"),
                    ("rounding", "Rounding"),
                    ("payment_term", "Payment Term"),
                    ("line_section", "Section"),
                    ("line_note", "Note"),
                    ("epd", "Early Payment Discount"),
                ]),
            ),
            f("tax_ids", "Taxes", Many2many("account.tax")),
            f("product_id", "Product", Many2one("product.product")),
            f("quantity", "Quantity", Float),
            f("price_unit", "Unit Price", Float),
            ro_amount("price_subtotal", "Subtotal"),
        ],
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_WRITE,
    )
}

pub(crate) fn account_partial_reconcile() -> ModelDef {
    model(
        "account.partial.reconcile",
        "Partial Reconcile",
        "max_date",
        "id",
        vec![
            req("debit_move_id", "Debit line", Many2one("account.move.line")),
            req(
                "credit_move_id",
                "Credit line",
                Many2one("account.move.line"),
            ),
            ro_company("amount", "Amount"),
            ro("max_date", "Max Date of Matched Lines", Date),
            ro("company_id", "Company", Many2one("res.company")),
            ro(
                "company_currency_id",
                "Company Currency",
                Many2one("res.currency"),
            ),
        ],
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_WRITE,
    )
}

/// `account.payment.state` changed in 18 (0.5).
pub(crate) fn payment_states(version: DemoVersion) -> &'static [(&'static str, &'static str)] {
    if version.is_18_or_later() {
        &[
            ("draft", "Draft"),
            ("in_process", "In Process"),
            ("paid", "Paid"),
            ("canceled", "Canceled"),
            ("rejected", "Rejected"),
        ]
    } else {
        &[
            ("draft", "Draft"),
            ("posted", "Posted"),
            ("cancel", "Cancelled"),
        ]
    }
}

pub(crate) fn account_payment(version: DemoVersion) -> ModelDef {
    let mut fields = vec![
        ro("name", "Number", Char),
        req(
            "payment_type",
            "Payment Type",
            Selection(&[("outbound", "Send"), ("inbound", "Receive")]),
        ),
        req(
            "partner_type",
            "Partner Type",
            Selection(&[("customer", "Customer"), ("supplier", "Vendor")]),
        ),
        f("partner_id", "Customer/Vendor", Many2one("res.partner")),
        money("amount", "Amount"),
        ro_company("amount_company_currency_signed", "Amount Signed"),
        req("currency_id", "Currency", Many2one("res.currency")),
        ro(
            "company_currency_id",
            "Company Currency",
            Many2one("res.currency"),
        ),
        req("date", "Date", Date),
        req("journal_id", "Journal", Many2one("account.journal")),
        ro("company_id", "Company", Many2one("res.company")),
        ro("state", "Status", Selection(payment_states(version))),
        f("move_id", "Journal Entry", Many2one("account.move")),
        ro("is_reconciled", "Is Reconciled", Boolean),
        ro(
            "reconciled_invoice_ids",
            "Reconciled Invoices",
            Many2many("account.move"),
        ),
        ro(
            "reconciled_bill_ids",
            "Reconciled Bills",
            Many2many("account.move"),
        ),
    ];
    // The free-text reference is `ref` on 17 and `memo` from 18.
    fields.push(if version.is_18_or_later() {
        f("memo", "Memo", Char)
    } else {
        f("ref", "Memo", Char)
    });
    fields.extend(stamps());
    model(
        "account.payment",
        "Payments",
        "name",
        "date desc, name desc",
        fields,
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_WRITE,
    )
}

pub(crate) fn account_bank_statement_line() -> ModelDef {
    let mut fields = vec![
        req("move_id", "Journal Entry", Many2one("account.move")),
        req("date", "Date", Date),
        req("payment_ref", "Label", Char),
        f("partner_id", "Partner", Many2one("res.partner")),
        f("partner_name", "Partner Name", Char),
        f("account_number", "Bank Account Number", Char),
        money("amount", "Amount"),
        f(
            "amount_currency",
            "Amount in Currency",
            FieldType::Monetary {
                currency_field: "foreign_currency_id",
            },
        ),
        f(
            "foreign_currency_id",
            "Foreign Currency",
            Many2one("res.currency"),
        ),
        ro("currency_id", "Journal Currency", Many2one("res.currency")),
        req("journal_id", "Journal", Many2one("account.journal")),
        ro("company_id", "Company", Many2one("res.company")),
        ro("is_reconciled", "Is Reconciled", Boolean),
        ro_amount("amount_residual", "Residual Amount"),
        f("sequence", "Sequence", Integer),
    ];
    fields.extend(stamps());
    model(
        "account.bank.statement.line",
        "Bank Statement Line",
        "payment_ref",
        "date desc, sequence, id desc",
        fields,
        groups::ACCOUNTING_READ,
        groups::ACCOUNTING_WRITE,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Table;

    #[test]
    fn records_stay_in_glibc_small_bins() {
        for def in [
            account_move(),
            account_move_line(),
            account_bank_statement_line(),
        ] {
            let name = def.name;
            let values = Table::new(def).def.fields.len();
            assert!(
                values * std::mem::size_of::<serde_json::Value>() <= 1_000,
                "{name}: {values}"
            );
        }
    }
}

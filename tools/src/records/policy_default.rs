//! The default allow-list: the business models of accounting, sales,
//! purchase, CRM, inventory and contacts, with fields that exist on Odoo
//! 17, 18 or 19 (a field missing on the connected server is left out of
//! default reads and refused by name when asked for).
//!
//! Deliberately absent: every `ir.*`, `base.*` and `bus.*` model, API keys,
//! and private employee data (`hr.employee` lists work fields only); of
//! `res.users` only name, login, e-mail, active and company.

use std::collections::{BTreeMap, BTreeSet};

use super::policy::{ModelPolicy, RecordPolicy};

/// One model's rules as written below: allowed fields, default fields, and
/// followable relations as `(field, target model)`.
struct Rules {
    model: &'static str,
    fields: &'static [&'static str],
    defaults: &'static [&'static str],
    relations: &'static [(&'static str, &'static str)],
}

impl Default for RecordPolicy {
    fn default() -> Self {
        let models = DEFAULT_RULES
            .iter()
            .map(|rules| {
                let mut fields: BTreeSet<String> =
                    rules.fields.iter().map(|f| (*f).to_owned()).collect();
                // A followable relation is always also a readable field.
                fields.extend(rules.relations.iter().map(|(f, _)| (*f).to_owned()));
                let policy = ModelPolicy {
                    fields,
                    default_fields: rules.defaults.iter().map(|f| (*f).to_owned()).collect(),
                    relations: rules
                        .relations
                        .iter()
                        .map(|(f, m)| ((*f).to_owned(), (*m).to_owned()))
                        .collect::<BTreeMap<_, _>>(),
                };
                (rules.model.to_owned(), policy)
            })
            .collect();
        RecordPolicy { models }
    }
}

const PARTNER: &str = "res.partner";
const COMPANY: &str = "res.company";
const CURRENCY: &str = "res.currency";
const COUNTRY: &str = "res.country";
const USERS: &str = "res.users";
const JOURNAL: &str = "account.journal";
const ACCOUNT: &str = "account.account";
const MOVE: &str = "account.move";
const PRODUCT: &str = "product.product";

// Laid out by hand as a table; rustfmt would put every name on its own line.
#[rustfmt::skip]
const DEFAULT_RULES: &[Rules] = &[
    Rules {
        model: PARTNER,
        fields: &[
            "name", "ref", "vat", "email", "phone", "mobile", "website", "street", "street2", "zip",
            "city", "state_id", "is_company", "type", "active", "customer_rank", "supplier_rank",
            "category_id", "credit", "debit", "credit_limit", "lang", "property_payment_term_id",
            "industry_id", "child_ids",
        ],
        defaults: &["name", "email", "phone", "city", "country_id", "is_company"],
        relations: &[
            ("country_id", COUNTRY), ("company_id", COMPANY), ("parent_id", PARTNER),
            ("commercial_partner_id", PARTNER), ("user_id", USERS),
        ],
    },
    Rules {
        model: COMPANY,
        fields: &[
            "name", "email", "phone", "vat", "company_registry", "fiscalyear_last_day",
            "fiscalyear_last_month", "fiscalyear_lock_date", "tax_lock_date", "period_lock_date",
            "sale_lock_date", "purchase_lock_date", "hard_lock_date",
        ],
        defaults: &["name", "currency_id", "country_id"],
        relations: &[
            ("currency_id", CURRENCY), ("country_id", COUNTRY), ("partner_id", PARTNER),
            ("parent_id", COMPANY),
        ],
    },
    Rules {
        model: CURRENCY,
        fields: &[
            "name", "symbol", "full_name", "rate", "decimal_places", "rounding", "position",
            "active",
        ],
        defaults: &["name", "symbol", "rate", "active"],
        relations: &[],
    },
    Rules {
        model: COUNTRY,
        fields: &["name", "code", "phone_code"],
        defaults: &["name", "code"],
        relations: &[("currency_id", CURRENCY)],
    },
    Rules {
        model: ACCOUNT,
        fields: &[
            "code", "name", "account_type", "reconcile", "deprecated", "active", "company_ids",
            "group_id", "tag_ids",
        ],
        defaults: &["code", "name", "account_type", "reconcile"],
        relations: &[("currency_id", CURRENCY), ("company_id", COMPANY)],
    },
    Rules {
        model: JOURNAL,
        fields: &["name", "code", "type", "active", "bank_account_id"],
        defaults: &["name", "code", "type", "currency_id"],
        relations: &[
            ("currency_id", CURRENCY), ("company_id", COMPANY), ("default_account_id", ACCOUNT),
        ],
    },
    Rules {
        model: MOVE,
        fields: &[
            "name", "ref", "move_type", "state", "payment_state", "date", "invoice_date",
            "invoice_date_due", "amount_untaxed", "amount_tax", "amount_total", "amount_residual",
            "amount_untaxed_signed", "amount_total_signed", "amount_residual_signed",
            "invoice_origin", "invoice_payment_term_id", "payment_reference", "line_ids",
            "invoice_line_ids", "reversed_entry_id",
        ],
        defaults: &[
            "name", "move_type", "state", "partner_id", "invoice_date", "invoice_date_due",
            "amount_total_signed", "amount_residual_signed", "payment_state",
        ],
        relations: &[
            ("partner_id", PARTNER), ("commercial_partner_id", PARTNER), ("journal_id", JOURNAL),
            ("company_id", COMPANY), ("currency_id", CURRENCY), ("invoice_user_id", USERS),
        ],
    },
    Rules {
        model: "account.move.line",
        fields: &[
            "name", "move_name", "date", "date_maturity", "debit", "credit", "balance",
            "amount_currency", "amount_residual", "amount_residual_currency", "reconciled",
            "quantity", "price_unit", "price_subtotal", "price_total", "parent_state",
            "display_type", "matching_number",
        ],
        defaults: &[
            "move_id", "date", "account_id", "partner_id", "name", "debit", "credit", "balance",
        ],
        relations: &[
            ("move_id", MOVE), ("account_id", ACCOUNT), ("partner_id", PARTNER),
            ("journal_id", JOURNAL), ("company_id", COMPANY), ("currency_id", CURRENCY),
            ("product_id", PRODUCT),
        ],
    },
    Rules {
        model: "account.payment",
        fields: &[
            "name", "date", "amount", "amount_company_currency_signed", "payment_type",
            "partner_type", "state", "memo", "ref", "is_reconciled", "is_matched",
        ],
        defaults: &["name", "date", "partner_id", "amount", "payment_type", "state"],
        relations: &[
            ("partner_id", PARTNER), ("journal_id", JOURNAL), ("currency_id", CURRENCY),
            ("company_id", COMPANY), ("move_id", MOVE),
        ],
    },
    Rules {
        model: "account.bank.statement.line",
        fields: &[
            "date", "payment_ref", "partner_name", "amount", "amount_currency", "amount_residual",
            "foreign_currency_id", "statement_id", "is_reconciled",
        ],
        defaults: &["date", "payment_ref", "partner_id", "amount", "journal_id", "is_reconciled"],
        relations: &[
            ("partner_id", PARTNER), ("journal_id", JOURNAL), ("currency_id", CURRENCY),
            ("company_id", COMPANY), ("move_id", MOVE),
        ],
    },
    Rules {
        model: "sale.order",
        fields: &[
            "name", "state", "date_order", "validity_date", "commitment_date", "partner_invoice_id",
            "partner_shipping_id", "team_id", "amount_untaxed", "amount_tax", "amount_total",
            "invoice_status", "client_order_ref", "origin", "order_line", "locked",
        ],
        defaults: &[
            "name", "partner_id", "date_order", "state", "amount_total", "invoice_status",
            "user_id",
        ],
        relations: &[
            ("partner_id", PARTNER), ("user_id", USERS), ("company_id", COMPANY),
            ("currency_id", CURRENCY),
        ],
    },
    Rules {
        model: "sale.order.line",
        fields: &[
            "name", "product_uom_qty", "qty_delivered", "qty_invoiced", "qty_to_invoice",
            "price_unit", "discount", "price_subtotal", "price_total", "state",
        ],
        defaults: &["order_id", "product_id", "product_uom_qty", "price_unit", "price_subtotal"],
        relations: &[
            ("order_id", "sale.order"), ("product_id", PRODUCT), ("order_partner_id", PARTNER),
            ("salesman_id", USERS), ("company_id", COMPANY), ("currency_id", CURRENCY),
        ],
    },
    Rules {
        model: "purchase.order",
        fields: &[
            "name", "state", "date_order", "date_approve", "date_planned", "amount_untaxed",
            "amount_tax", "amount_total", "invoice_status", "receipt_status", "partner_ref",
            "origin", "order_line",
        ],
        defaults: &["name", "partner_id", "date_order", "state", "amount_total", "invoice_status"],
        relations: &[
            ("partner_id", PARTNER), ("user_id", USERS), ("company_id", COMPANY),
            ("currency_id", CURRENCY),
        ],
    },
    Rules {
        model: "purchase.order.line",
        fields: &[
            "name", "product_qty", "qty_received", "qty_invoiced", "price_unit", "price_subtotal",
            "price_total", "date_planned", "state",
        ],
        defaults: &[
            "order_id", "product_id", "product_qty", "qty_received", "price_unit", "price_subtotal",
        ],
        relations: &[
            ("order_id", "purchase.order"), ("product_id", PRODUCT), ("partner_id", PARTNER),
            ("company_id", COMPANY), ("currency_id", CURRENCY),
        ],
    },
    Rules {
        model: "crm.lead",
        fields: &[
            "name", "type", "partner_name", "contact_name", "email_from", "phone", "team_id",
            "probability", "expected_revenue", "prorated_revenue", "date_deadline", "date_closed",
            "active", "won_status", "lost_reason_id", "priority", "city", "tag_ids",
        ],
        defaults: &[
            "name", "partner_id", "stage_id", "user_id", "expected_revenue", "probability",
            "date_deadline",
        ],
        relations: &[
            ("partner_id", PARTNER), ("user_id", USERS), ("stage_id", "crm.stage"),
            ("country_id", COUNTRY), ("company_id", COMPANY),
        ],
    },
    Rules {
        model: "crm.stage",
        fields: &["name", "sequence", "is_won", "fold", "team_id"],
        defaults: &["name", "sequence", "is_won"],
        relations: &[],
    },
    Rules {
        model: PRODUCT,
        fields: &[
            "name", "default_code", "barcode", "list_price", "lst_price", "standard_price", "type",
            "is_storable", "categ_id", "uom_id", "active", "qty_available", "virtual_available",
            "sale_ok", "purchase_ok",
        ],
        defaults: &["name", "default_code", "lst_price", "standard_price", "qty_available"],
        relations: &[("product_tmpl_id", "product.template"), ("company_id", COMPANY)],
    },
    Rules {
        model: "product.template",
        fields: &[
            "name", "default_code", "barcode", "list_price", "standard_price", "type",
            "is_storable", "categ_id", "uom_id", "active", "sale_ok", "purchase_ok",
            "qty_available", "product_variant_count",
        ],
        defaults: &["name", "default_code", "list_price", "type"],
        relations: &[("company_id", COMPANY)],
    },
    Rules {
        model: "stock.picking",
        fields: &[
            "name", "origin", "state", "picking_type_id", "picking_type_code", "scheduled_date",
            "date_deadline", "date_done", "location_id", "location_dest_id", "move_ids",
        ],
        defaults: &[
            "name", "partner_id", "picking_type_code", "state", "scheduled_date", "date_done",
            "origin",
        ],
        relations: &[
            ("partner_id", PARTNER), ("user_id", USERS), ("company_id", COMPANY),
            ("backorder_id", "stock.picking"), ("sale_id", "sale.order"),
            ("purchase_id", "purchase.order"),
        ],
    },
    Rules {
        model: "stock.move",
        fields: &[
            "name", "reference", "product_uom_qty", "quantity", "state", "date", "date_deadline",
            "location_id", "location_dest_id", "origin", "price_unit", "picking_code",
        ],
        defaults: &["reference", "product_id", "product_uom_qty", "quantity", "state", "date"],
        relations: &[
            ("product_id", PRODUCT), ("picking_id", "stock.picking"), ("partner_id", PARTNER),
            ("company_id", COMPANY), ("sale_line_id", "sale.order.line"),
            ("purchase_line_id", "purchase.order.line"),
        ],
    },
    Rules {
        model: "discuss.channel",
        fields: &["name", "channel_type", "description"],
        defaults: &["name", "channel_type"],
        relations: &[],
    },
    Rules {
        model: "hr.employee",
        fields: &[
            "name", "job_title", "job_id", "department_id", "work_email", "work_phone",
            "mobile_phone", "work_location_id", "active",
        ],
        defaults: &["name", "job_title", "department_id", "work_email", "parent_id"],
        relations: &[
            ("parent_id", "hr.employee"), ("coach_id", "hr.employee"), ("company_id", COMPANY),
            ("user_id", USERS),
        ],
    },
    Rules {
        model: USERS,
        fields: &["name", "login", "email", "active"],
        defaults: &["name", "login", "email"],
        relations: &[("company_id", COMPANY)],
    },
];

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn default_policy_is_valid() {
        assert_eq!(RecordPolicy::default().validate(), Ok(()));
    }

    #[test]
    fn default_policy_covers_the_business_models() {
        let policy = RecordPolicy::default();
        for model in [
            "res.partner",
            "res.company",
            "res.currency",
            "res.country",
            "account.account",
            "account.journal",
            "account.move",
            "account.move.line",
            "account.payment",
            "account.bank.statement.line",
            "sale.order",
            "sale.order.line",
            "purchase.order",
            "purchase.order.line",
            "crm.lead",
            "crm.stage",
            "product.product",
            "product.template",
            "stock.picking",
            "stock.move",
            "discuss.channel",
            "hr.employee",
            "res.users",
        ] {
            let rules = policy.model(model).unwrap();
            assert!(!rules.default_fields.is_empty(), "{model}");
        }
        assert_eq!(policy.models.len(), 23);
    }

    #[test]
    fn users_expose_only_identity_fields() {
        let policy = RecordPolicy::default();
        let users = policy.model("res.users").unwrap();
        let fields: Vec<&str> = users.fields.iter().map(String::as_str).collect();
        assert_eq!(
            fields,
            vec!["active", "company_id", "email", "login", "name"]
        );
    }
}

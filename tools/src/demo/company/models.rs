//! Model definitions of the demo company outside accounting: what
//! `fields_get` reports for each model, per Odoo version (spec table 0.5).

use super::groups;
use super::spec::DemoVersion;
use crate::demo::{FieldDef, FieldType, ModelDef};

use FieldType::{Boolean, Char, Date, Datetime, Float, Html, Integer, Many2many, Many2one, Text};

/// A plain field.
pub(crate) const fn f(name: &'static str, label: &'static str, ty: FieldType) -> FieldDef {
    FieldDef::new(name, label, ty)
}

/// A required field.
pub(crate) const fn req(name: &'static str, label: &'static str, ty: FieldType) -> FieldDef {
    let mut def = FieldDef::new(name, label, ty);
    def.required = true;
    def
}

/// A field computed by Odoo (read-only through the API).
pub(crate) const fn ro(name: &'static str, label: &'static str, ty: FieldType) -> FieldDef {
    let mut def = FieldDef::new(name, label, ty);
    def.readonly = true;
    def
}

/// A field only `groups` may read.
pub(crate) const fn restricted(
    name: &'static str,
    label: &'static str,
    ty: FieldType,
    groups: &'static [&'static str],
) -> FieldDef {
    let mut def = FieldDef::new(name, label, ty);
    def.groups = groups;
    def
}

pub(crate) const fn money(name: &'static str, label: &'static str) -> FieldDef {
    FieldDef::new(
        name,
        label,
        FieldType::Monetary {
            currency_field: "currency_id",
        },
    )
}

pub(crate) const fn company_money(name: &'static str, label: &'static str) -> FieldDef {
    FieldDef::new(
        name,
        label,
        FieldType::Monetary {
            currency_field: "company_currency_id",
        },
    )
}

pub(crate) fn model(
    name: &'static str,
    description: &'static str,
    rec_name: &'static str,
    order: &'static str,
    fields: Vec<FieldDef>,
    read_groups: &'static [&'static str],
    write_groups: &'static [&'static str],
) -> ModelDef {
    ModelDef {
        name,
        description,
        rec_name,
        order,
        fields,
        read_groups,
        write_groups,
    }
}

/// The two audit timestamps every model has.
pub(crate) fn stamps() -> [FieldDef; 2] {
    [
        ro("create_date", "Created on", Datetime),
        ro("write_date", "Last Updated on", Datetime),
    ]
}

pub(crate) fn res_company(version: DemoVersion) -> ModelDef {
    let mut fields = vec![
        req("name", "Company Name", Char),
        req("currency_id", "Currency", Many2one("res.currency")),
        req("partner_id", "Partner", Many2one("res.partner")),
        f("country_id", "Country", Many2one("res.country")),
        f("email", "Email", Char),
        f("phone", "Phone", Char),
        f("vat", "Tax ID", Char),
        f("street", "Street", Char),
        f("city", "City", Char),
        f("zip", "Zip", Char),
        f("fiscalyear_last_day", "Fiscalyear Last Day", Integer),
        f(
            "fiscalyear_last_month",
            "Fiscalyear Last Month",
            FieldType::Selection(MONTHS),
        ),
        // Archived companies stay readable by id but leave every search.
        f("active", "Active", Boolean),
        f("account_use_credit_limit", "Sales Credit Limit", Boolean),
        f(
            "account_default_credit_limit",
            "Default Credit Limit",
            FieldType::Monetary {
                currency_field: "currency_id",
            },
        ),
    ];
    if version.is_18_or_later() {
        fields.extend([
            f("sale_lock_date", "Sales Lock Date", Date),
            f("purchase_lock_date", "Purchase Lock Date", Date),
            f("fiscalyear_lock_date", "Global Lock Date", Date),
            f("tax_lock_date", "Tax Return Lock Date", Date),
            f("hard_lock_date", "Hard Lock Date", Date),
        ]);
    } else {
        fields.extend([
            f("period_lock_date", "Journal Entries Lock Date", Date),
            f("fiscalyear_lock_date", "Lock Date for All Users", Date),
            f("tax_lock_date", "Tax Return Lock Date", Date),
        ]);
    }
    model(
        "res.company",
        "Companies",
        "name",
        "sequence, name",
        fields,
        &[],
        groups::SETTINGS,
    )
}

const MONTHS: &[(&str, &str)] = &[
    ("1", "January"),
    ("2", "February"),
    ("3", "March"),
    ("4", "April"),
    ("5", "May"),
    ("6", "June"),
    ("7", "July"),
    ("8", "August"),
    ("9", "September"),
    ("10", "October"),
    ("11", "November"),
    ("12", "December"),
];

pub(crate) fn res_currency() -> ModelDef {
    model(
        "res.currency",
        "Currency",
        "name",
        "active desc, name",
        vec![
            req("name", "Currency", Char),
            f("symbol", "Symbol", Char),
            ro("rate", "Current Rate", Float),
            f("decimal_places", "Decimal Places", Integer),
            f("rounding", "Rounding Factor", Float),
            f("active", "Active", Boolean),
            f(
                "position",
                "Symbol Position",
                FieldType::Selection(&[("after", "After Amount"), ("before", "Before Amount")]),
            ),
        ],
        &[],
        groups::ACCOUNTING_CONFIG,
    )
}

pub(crate) fn res_currency_rate() -> ModelDef {
    model(
        "res.currency.rate",
        "Currency Rate",
        "name",
        "name desc",
        vec![
            req("name", "Date", Date),
            f("rate", "Technical Rate", Float),
            ro("inverse_company_rate", "Inverse Rate", Float),
            req("currency_id", "Currency", Many2one("res.currency")),
            f("company_id", "Company", Many2one("res.company")),
        ],
        &[],
        groups::ACCOUNTING_CONFIG,
    )
}

pub(crate) fn res_country() -> ModelDef {
    model(
        "res.country",
        "Country",
        "name",
        "name",
        vec![
            req("name", "Country Name", Char),
            f("code", "Country Code", Char),
            f("phone_code", "Country Calling Code", Integer),
            f("currency_id", "Currency", Many2one("res.currency")),
        ],
        &[],
        groups::SETTINGS,
    )
}

pub(crate) fn res_partner(version: DemoVersion) -> ModelDef {
    let mut fields = vec![
        f("name", "Name", Char),
        ro("complete_name", "Complete Name", Char),
        f("is_company", "Is a Company", Boolean),
        f(
            "company_type",
            "Company Type",
            FieldType::Selection(&[("person", "Individual"), ("company", "Company")]),
        ),
        f("parent_id", "Related Company", Many2one("res.partner")),
        ro(
            "commercial_partner_id",
            "Commercial Entity",
            Many2one("res.partner"),
        ),
        f(
            "child_ids",
            "Contact",
            FieldType::One2many {
                comodel: "res.partner",
                inverse: "parent_id",
            },
        ),
        f("ref", "Reference", Char),
        f("vat", "Tax ID", Char),
        f("email", "Email", Char),
        f("phone", "Phone", Char),
    ];
    if version.has_mobile() {
        fields.push(f("mobile", "Mobile", Char));
    }
    fields.extend([
        f("street", "Street", Char),
        f("city", "City", Char),
        f("zip", "Zip", Char),
        f("country_id", "Country", Many2one("res.country")),
        f("customer_rank", "Customer Rank", Integer),
        f("supplier_rank", "Supplier Rank", Integer),
        restricted(
            "credit_limit",
            "Credit Limit",
            Float,
            groups::ACCOUNTING_READ,
        ),
        restricted(
            "use_partner_credit_limit",
            "Partner Limit",
            Boolean,
            groups::ACCOUNTING_READ,
        ),
        f("user_id", "Salesperson", Many2one("res.users")),
        f("company_id", "Company", Many2one("res.company")),
        f("active", "Active", Boolean),
    ]);
    fields.extend(stamps());
    model(
        "res.partner",
        "Contact",
        "complete_name",
        "complete_name ASC, id DESC",
        fields,
        &[],
        &[],
    )
}

pub(crate) fn res_users() -> ModelDef {
    let mut fields = vec![
        req("name", "Name", Char),
        req("login", "Login", Char),
        req("partner_id", "Related Partner", Many2one("res.partner")),
        req("company_id", "Company", Many2one("res.company")),
        f("email", "Email", Char),
        f("active", "Active", Boolean),
        f("share", "Share User", Boolean),
        // Odoo never returns a password; the field exists and only
        // administrators may even ask for it.
        restricted("password", "Password", Char, groups::ADMIN),
    ];
    fields.extend(stamps());
    model(
        "res.users",
        "User",
        "name",
        "name, login",
        fields,
        &[],
        groups::SETTINGS,
    )
}

pub(crate) fn product_category() -> ModelDef {
    model(
        "product.category",
        "Product Category",
        "complete_name",
        "complete_name",
        vec![
            req("name", "Name", Char),
            ro("complete_name", "Complete Name", Char),
            f("parent_id", "Parent Category", Many2one("product.category")),
        ],
        &[],
        groups::STOCK,
    )
}

/// Product fields shared by templates and variants; the stock type differs
/// by version (0.5): `type = 'product'` on 17, `type = 'consu'` plus
/// `is_storable` from 18.
fn product_fields(version: DemoVersion) -> Vec<FieldDef> {
    const TYPES_17: &[(&str, &str)] = &[
        ("consu", "Consumable"),
        ("service", "Service"),
        ("product", "Storable Product"),
    ];
    const TYPES_18: &[(&str, &str)] = &[
        ("consu", "Goods"),
        ("service", "Service"),
        ("combo", "Combo"),
    ];
    let mut fields = vec![
        req("name", "Name", Char),
        f("default_code", "Internal Reference", Char),
        f("barcode", "Barcode", Char),
        f("categ_id", "Product Category", Many2one("product.category")),
        f("list_price", "Sales Price", Float),
        restricted(
            "standard_price",
            "Cost",
            Float,
            &[
                groups::ACCOUNT_INVOICE,
                groups::ACCOUNT_MANAGER,
                groups::STOCK_USER,
                groups::STOCK_MANAGER,
                groups::PURCHASE_USER,
            ],
        ),
        f("sale_ok", "Can be Sold", Boolean),
        f("purchase_ok", "Can be Purchased", Boolean),
        f("company_id", "Company", Many2one("res.company")),
        f("active", "Active", Boolean),
    ];
    if version.is_18_or_later() {
        fields.push(req("type", "Product Type", FieldType::Selection(TYPES_18)));
        fields.push(f("is_storable", "Track Inventory", Boolean));
    } else {
        fields.push(req("type", "Product Type", FieldType::Selection(TYPES_17)));
    }
    fields
}

pub(crate) fn product_template(version: DemoVersion) -> ModelDef {
    let mut fields = product_fields(version);
    fields.extend(stamps());
    model(
        "product.template",
        "Product",
        "name",
        "priority desc, name",
        fields,
        &[],
        groups::STOCK,
    )
}

pub(crate) fn product_product(version: DemoVersion) -> ModelDef {
    let mut fields = product_fields(version);
    fields.extend([
        req(
            "product_tmpl_id",
            "Product Template",
            Many2one("product.template"),
        ),
        ro("qty_available", "Quantity On Hand", Float),
        ro("virtual_available", "Forecasted Quantity", Float),
    ]);
    fields.extend(stamps());
    model(
        "product.product",
        "Product Variant",
        "name",
        "priority desc, default_code, name, id",
        fields,
        &[],
        groups::STOCK,
    )
}

pub(crate) fn crm_stage() -> ModelDef {
    model(
        "crm.stage",
        "CRM Stages",
        "name",
        "sequence, name, id",
        vec![
            req("name", "Stage Name", Char),
            f("sequence", "Sequence", Integer),
            f("is_won", "Is Won Stage?", Boolean),
            f("fold", "Folded in Pipeline", Boolean),
        ],
        &[],
        groups::SALES,
    )
}

pub(crate) fn crm_lead() -> ModelDef {
    let mut fields = vec![
        req("name", "Opportunity", Char),
        f(
            "type",
            "Type",
            FieldType::Selection(&[("lead", "Lead"), ("opportunity", "Opportunity")]),
        ),
        f("partner_id", "Customer", Many2one("res.partner")),
        f("partner_name", "Company Name", Char),
        f("contact_name", "Contact Name", Char),
        f("email_from", "Email", Char),
        f("phone", "Phone", Char),
        f("city", "City", Char),
        f("country_id", "Country", Many2one("res.country")),
        f(
            "expected_revenue",
            "Expected Revenue",
            FieldType::Monetary {
                currency_field: "company_currency",
            },
        ),
        ro(
            "prorated_revenue",
            "Prorated Revenue",
            FieldType::Monetary {
                currency_field: "company_currency",
            },
        ),
        ro("company_currency", "Currency", Many2one("res.currency")),
        f("probability", "Probability", Float),
        f("stage_id", "Stage", Many2one("crm.stage")),
        f("user_id", "Salesperson", Many2one("res.users")),
        f("company_id", "Company", Many2one("res.company")),
        f("active", "Active", Boolean),
        ro(
            "won_status",
            "Is Won",
            FieldType::Selection(&[("won", "Won"), ("lost", "Lost"), ("pending", "Pending")]),
        ),
        f("date_deadline", "Expected Closing", Date),
        ro("date_closed", "Closed Date", Datetime),
    ];
    fields.extend(stamps());
    model(
        "crm.lead",
        "Lead/Opportunity",
        "name",
        "priority desc, id desc",
        fields,
        groups::SALES,
        groups::SALES,
    )
}

const PICKING_STATES: &[(&str, &str)] = &[
    ("draft", "Draft"),
    ("waiting", "Waiting Another Operation"),
    ("confirmed", "Waiting"),
    ("assigned", "Ready"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
];

pub(crate) fn stock_picking() -> ModelDef {
    let mut fields = vec![
        req("name", "Reference", Char),
        ro(
            "picking_type_code",
            "Type of Operation",
            FieldType::Selection(&[
                ("incoming", "Receipt"),
                ("outgoing", "Delivery"),
                ("internal", "Internal Transfer"),
            ]),
        ),
        ro("state", "Status", FieldType::Selection(PICKING_STATES)),
        f("partner_id", "Contact", Many2one("res.partner")),
        f("origin", "Source Document", Char),
        req("scheduled_date", "Scheduled Date", Datetime),
        f("date_done", "Date of Transfer", Datetime),
        f("sale_id", "Sales Order", Many2one("sale.order")),
        f("purchase_id", "Purchase Orders", Many2one("purchase.order")),
        f("company_id", "Company", Many2one("res.company")),
    ];
    fields.extend(stamps());
    model(
        "stock.picking",
        "Transfer",
        "name",
        "priority desc, scheduled_date asc, id desc",
        fields,
        groups::STOCK,
        groups::STOCK,
    )
}

pub(crate) fn sale_order() -> ModelDef {
    let mut fields = vec![
        req("name", "Order Reference", Char),
        req("partner_id", "Customer", Many2one("res.partner")),
        req("date_order", "Order Date", Datetime),
        ro(
            "state",
            "Status",
            FieldType::Selection(&[
                ("draft", "Quotation"),
                ("sent", "Quotation Sent"),
                ("sale", "Sales Order"),
                ("cancel", "Cancelled"),
            ]),
        ),
        f("locked", "Locked", Boolean),
        ro(
            "invoice_status",
            "Invoice Status",
            FieldType::Selection(&[
                ("upselling", "Upselling Opportunity"),
                ("invoiced", "Fully Invoiced"),
                ("to invoice", "To Invoice"),
                ("no", "Nothing to Invoice"),
            ]),
        ),
        ro_money("amount_untaxed", "Untaxed Amount"),
        ro_money("amount_tax", "Taxes"),
        ro_money("amount_total", "Total"),
        ro_money("amount_to_invoice", "Amount to invoice"),
        req("currency_id", "Currency", Many2one("res.currency")),
        f("user_id", "Salesperson", Many2one("res.users")),
        req("company_id", "Company", Many2one("res.company")),
        f(
            "order_line",
            "Order Lines",
            FieldType::One2many {
                comodel: "sale.order.line",
                inverse: "order_id",
            },
        ),
    ];
    fields.extend(stamps());
    model(
        "sale.order",
        "Sales Order",
        "name",
        "date_order desc, id desc",
        fields,
        groups::SALES,
        groups::SALES,
    )
}

/// [`ro`] for monetary fields in the record's own currency.
const fn ro_money(name: &'static str, label: &'static str) -> FieldDef {
    let mut def = money(name, label);
    def.readonly = true;
    def
}

pub(crate) fn sale_order_line() -> ModelDef {
    model(
        "sale.order.line",
        "Sales Order Line",
        "name",
        "order_id, sequence, id",
        vec![
            req("order_id", "Order Reference", Many2one("sale.order")),
            ro("order_partner_id", "Customer", Many2one("res.partner")),
            ro("salesman_id", "Salesperson", Many2one("res.users")),
            f("product_id", "Product", Many2one("product.product")),
            req("name", "Description", Text),
            f("product_uom_qty", "Quantity", Float),
            ro("qty_delivered", "Delivery Quantity", Float),
            ro("qty_invoiced", "Invoiced Quantity", Float),
            f("price_unit", "Unit Price", Float),
            ro_money("price_subtotal", "Subtotal"),
            ro_money("untaxed_amount_to_invoice", "Untaxed Amount To Invoice"),
            ro("currency_id", "Currency", Many2one("res.currency")),
            ro("company_id", "Company", Many2one("res.company")),
        ],
        groups::SALES,
        groups::SALES,
    )
}

pub(crate) fn purchase_order() -> ModelDef {
    let mut fields = vec![
        req("name", "Order Reference", Char),
        req("partner_id", "Vendor", Many2one("res.partner")),
        req("date_order", "Order Deadline", Datetime),
        f("date_planned", "Expected Arrival", Datetime),
        ro(
            "state",
            "Status",
            FieldType::Selection(&[
                ("draft", "RFQ"),
                ("sent", "RFQ Sent"),
                ("to approve", "To Approve"),
                ("purchase", "Purchase Order"),
                ("done", "Locked"),
                ("cancel", "Cancelled"),
            ]),
        ),
        ro(
            "invoice_status",
            "Billing Status",
            FieldType::Selection(&[
                ("no", "Nothing to Bill"),
                ("to invoice", "Waiting Bills"),
                ("invoiced", "Fully Billed"),
            ]),
        ),
        ro_money("amount_untaxed", "Untaxed Amount"),
        ro_money("amount_tax", "Taxes"),
        ro_money("amount_total", "Total"),
        req("currency_id", "Currency", Many2one("res.currency")),
        f("user_id", "Buyer", Many2one("res.users")),
        req("company_id", "Company", Many2one("res.company")),
        f(
            "order_line",
            "Order Lines",
            FieldType::One2many {
                comodel: "purchase.order.line",
                inverse: "order_id",
            },
        ),
    ];
    fields.extend(stamps());
    model(
        "purchase.order",
        "Purchase Order",
        "name",
        "priority desc, id desc",
        fields,
        groups::PURCHASE,
        groups::PURCHASE,
    )
}

pub(crate) fn purchase_order_line() -> ModelDef {
    model(
        "purchase.order.line",
        "Purchase Order Line",
        "name",
        "order_id, sequence, id",
        vec![
            req("order_id", "Order Reference", Many2one("purchase.order")),
            f("product_id", "Product", Many2one("product.product")),
            req("name", "Description", Text),
            f("product_qty", "Quantity", Float),
            ro("qty_received", "Received Qty", Float),
            ro("qty_invoiced", "Billed Qty", Float),
            f("price_unit", "Unit Price", Float),
            ro_money("price_subtotal", "Subtotal"),
            ro("currency_id", "Currency", Many2one("res.currency")),
            ro("company_id", "Company", Many2one("res.company")),
        ],
        groups::PURCHASE,
        groups::PURCHASE,
    )
}

pub(crate) fn discuss_channel() -> ModelDef {
    model(
        "discuss.channel",
        "Discussion Channel",
        "name",
        "name",
        vec![
            req("name", "Name", Char),
            f(
                "channel_type",
                "Channel Type",
                FieldType::Selection(&[
                    ("chat", "Chat"),
                    ("channel", "Channel"),
                    ("group", "Group"),
                ]),
            ),
            f("description", "Description", Text),
            f("channel_member_ids", "Members", Many2many("res.partner")),
        ],
        &[],
        &[],
    )
}

/// Files attached to records and messages (`message_post(attachment_ids=)`).
pub(crate) fn ir_attachment() -> ModelDef {
    model(
        "ir.attachment",
        "Attachment",
        "name",
        "id desc",
        vec![
            req("name", "Name", Char),
            f("datas", "File Content (base64)", FieldType::Binary),
            f("mimetype", "Mime Type", Char),
            f("res_model", "Resource Model", Char),
            f("res_id", "Resource ID", Integer),
        ],
        &[],
        &[],
    )
}

pub(crate) fn mail_message() -> ModelDef {
    model(
        "mail.message",
        "Message",
        "record_name",
        "id desc",
        vec![
            f("model", "Related Document Model", Char),
            f("res_id", "Related Document ID", Integer),
            ro("record_name", "Message Record Name", Char),
            f("body", "Contents", Html),
            f("author_id", "Author", Many2one("res.partner")),
            f("date", "Date", Datetime),
            f("attachment_ids", "Attachments", Many2many("ir.attachment")),
            f(
                "message_type",
                "Type",
                FieldType::Selection(&[
                    ("email", "Incoming Email"),
                    ("comment", "Comment"),
                    ("notification", "System notification"),
                ]),
            ),
        ],
        &[],
        &[],
    )
}

/// Scheduled activities (`mail.activity`) on any record; the digest counts
/// the overdue ones on opportunities (spec 7.2).
pub(crate) fn mail_activity() -> ModelDef {
    let mut fields = vec![
        req("res_model", "Related Document Model", Char),
        req("res_id", "Related Document ID", Integer),
        ro("res_name", "Document Name", Char),
        f("summary", "Summary", Char),
        req("date_deadline", "Due Date", Date),
        f("user_id", "Assigned to", Many2one("res.users")),
    ];
    fields.extend(stamps());
    model(
        "mail.activity",
        "Activity",
        "summary",
        "date_deadline asc, id asc",
        fields,
        &[],
        &[],
    )
}

/// Reordering rules. `qty_forecast` is computed and not stored in Odoo, so
/// it can be read but not searched on.
pub(crate) fn stock_warehouse_orderpoint() -> ModelDef {
    let mut fields = vec![
        req("name", "Name", Char),
        req("product_id", "Product", Many2one("product.product")),
        f("product_min_qty", "Min Quantity", Float),
        f("product_max_qty", "Max Quantity", Float),
        ro("qty_forecast", "Forecast", Float),
        f(
            "trigger",
            "Trigger",
            FieldType::Selection(&[("auto", "Auto"), ("manual", "Manual")]),
        ),
        f("company_id", "Company", Many2one("res.company")),
        f("active", "Active", Boolean),
    ];
    fields.extend(stamps());
    model(
        "stock.warehouse.orderpoint",
        "Minimum Inventory Rule",
        "name",
        "company_id, id",
        fields,
        groups::STOCK,
        groups::STOCK,
    )
}

//! The fixed catalog of spec 6.3: the datasets a report may read, the
//! model behind each (a reporting view, with a base model to fall back to
//! where the view's module is absent), its date field and default filter,
//! and the measures and dimensions it offers under stable names. The model
//! only ever names catalog entries; the Odoo fields come from here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A read-only dataset of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Dataset {
    /// Confirmed sales order lines (sale.report).
    Sales,
    /// Confirmed sales orders.
    SalesOrders,
    /// Posted customer invoices and refunds (refunds negative).
    Invoicing,
    /// Open posted customer invoices.
    Receivables,
    /// Active opportunities.
    Pipeline,
    /// Confirmed purchases.
    Purchases,
    /// Employee expenses.
    Expenses,
    /// Stock-tracked products on hand.
    Stock,
    /// Active contacts.
    Contacts,
}

/// A figure a dataset offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKey {
    UntaxedAmount,
    TotalAmount,
    Quantity,
    Count,
    Residual,
    ExpectedRevenue,
    ProratedRevenue,
    QtyAvailable,
    VirtualAvailable,
}

/// A way to break a dataset down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DimensionKey {
    Product,
    ProductCategory,
    Customer,
    Vendor,
    Salesperson,
    Team,
    Country,
    Date,
    PaymentState,
    DueBucket,
    Stage,
    Employee,
    State,
    /// Customer, vendor, both or neither (contacts).
    PartnerType,
}

/// Where a measure's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MeasureSource {
    /// A numeric field; `money` when it is an amount in company currency.
    Field { name: &'static str, money: bool },
    /// The number of records.
    Count,
}

/// Where a dimension's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DimSource {
    /// A field Odoo groups by (many2one, selection, char).
    Field(&'static str),
    /// The source's date field, by day, week, month, quarter or year.
    Date,
    /// Days overdue on the due date: not due, 1-30, 31-60, 61-90, over 90.
    DueBucket,
    /// Customer rank and supplier rank: customer, vendor, both, neither.
    PartnerType,
}

/// Which company's records a source holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompanyScope {
    /// `company_id = company`.
    Company,
    /// `company_id in [company, false]`: records shared between companies.
    Shared,
}

/// The default filter of a dataset (spec 6.3), built per server version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseFilter {
    /// `state = sale` on the field given.
    ConfirmedSale(&'static str),
    /// Posted customer invoices and refunds.
    PostedCustomerDocuments,
    /// Posted customer invoices not paid or partly paid.
    OpenCustomerInvoices,
    /// Opportunities (Odoo leaves out archived ones by itself).
    Opportunities,
    /// `state in (purchase, done)` on the field given.
    ConfirmedPurchase(&'static str),
    None,
    /// Stock-tracked (spec 0.5) active products.
    StockTracked,
    /// Active contacts.
    Active,
}

/// How the figures are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aggregation {
    /// Grouped reads: Odoo sums.
    Grouped,
    /// The measures are not stored (`qty_available`), so Odoo cannot sum
    /// them: every matching record is read, up to a cap, and added here.
    Scan,
}

/// One model a dataset can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Source {
    pub model: &'static str,
    /// The field periods filter on (a dotted path when it lives on a
    /// parent record).
    pub date_field: Option<&'static str>,
    /// Whether records can be grouped by the date field (a dotted path
    /// cannot).
    pub date_groupable: bool,
    pub measures: &'static [(MeasureKey, MeasureSource)],
    pub dimensions: &'static [(DimensionKey, DimSource)],
    pub scope: CompanyScope,
    pub base: BaseFilter,
    /// The document currency field when money fields are in the document's
    /// currency rather than the company's.
    pub currency_field: Option<&'static str>,
    pub aggregation: Aggregation,
}

impl Source {
    pub(crate) fn measure(&self, key: MeasureKey) -> Option<MeasureSource> {
        self.measures
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| *s)
    }

    pub(crate) fn dimension(&self, key: DimensionKey) -> Option<DimSource> {
        self.dimensions
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, s)| *s)
    }
}

/// A dataset of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DatasetDef {
    pub dataset: Dataset,
    pub label: &'static str,
    /// The reporting view, or the only model.
    pub primary: Source,
    /// The base model used when the view's module is not installed.
    pub fallback: Option<Source>,
    /// What a plan without measures reports.
    pub default_measure: MeasureKey,
}

use Aggregation::{Grouped, Scan};
use CompanyScope::{Company, Shared};
use DimSource::{Date, DueBucket, Field as Dim, PartnerType};
use MeasureSource::{Count, Field};

const fn money(name: &'static str) -> MeasureSource {
    Field { name, money: true }
}

const fn number(name: &'static str) -> MeasureSource {
    Field { name, money: false }
}

const SALE_REPORT: Source = Source {
    model: "sale.report",
    date_field: Some("date"),
    date_groupable: true,
    measures: &[
        (MeasureKey::UntaxedAmount, money("price_subtotal")),
        (MeasureKey::Quantity, number("product_uom_qty")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Product, Dim("product_id")),
        (DimensionKey::ProductCategory, Dim("categ_id")),
        (DimensionKey::Customer, Dim("partner_id")),
        (DimensionKey::Salesperson, Dim("user_id")),
        (DimensionKey::Team, Dim("team_id")),
        (DimensionKey::Country, Dim("country_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::ConfirmedSale("state"),
    currency_field: None,
    aggregation: Grouped,
};

const SALE_ORDER_LINE: Source = Source {
    model: "sale.order.line",
    date_field: Some("order_id.date_order"),
    date_groupable: false,
    measures: &[
        (MeasureKey::UntaxedAmount, money("price_subtotal")),
        (MeasureKey::Quantity, number("product_uom_qty")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Product, Dim("product_id")),
        (DimensionKey::Customer, Dim("order_partner_id")),
        (DimensionKey::Salesperson, Dim("salesman_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::ConfirmedSale("order_id.state"),
    currency_field: Some("currency_id"),
    aggregation: Grouped,
};

const SALE_ORDER: Source = Source {
    model: "sale.order",
    date_field: Some("date_order"),
    date_groupable: true,
    measures: &[
        (MeasureKey::UntaxedAmount, money("amount_untaxed")),
        (MeasureKey::TotalAmount, money("amount_total")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Customer, Dim("partner_id")),
        (DimensionKey::Salesperson, Dim("user_id")),
        (DimensionKey::Team, Dim("team_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::ConfirmedSale("state"),
    currency_field: Some("currency_id"),
    aggregation: Grouped,
};

const INVOICE_REPORT: Source = Source {
    model: "account.invoice.report",
    date_field: Some("invoice_date"),
    date_groupable: true,
    measures: &[
        (MeasureKey::UntaxedAmount, money("price_subtotal")),
        (MeasureKey::Quantity, number("quantity")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Product, Dim("product_id")),
        (DimensionKey::ProductCategory, Dim("product_categ_id")),
        (DimensionKey::Customer, Dim("partner_id")),
        (DimensionKey::Salesperson, Dim("invoice_user_id")),
        (DimensionKey::Date, Date),
        (DimensionKey::PaymentState, Dim("payment_state")),
    ],
    scope: Company,
    base: BaseFilter::PostedCustomerDocuments,
    currency_field: None,
    aggregation: Grouped,
};

const INVOICE_MOVES: Source = Source {
    model: "account.move",
    date_field: Some("invoice_date"),
    date_groupable: true,
    measures: &[
        (MeasureKey::UntaxedAmount, money("amount_untaxed_signed")),
        (MeasureKey::TotalAmount, money("amount_total_signed")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Customer, Dim("partner_id")),
        (DimensionKey::Salesperson, Dim("invoice_user_id")),
        (DimensionKey::Date, Date),
        (DimensionKey::PaymentState, Dim("payment_state")),
    ],
    scope: Company,
    base: BaseFilter::PostedCustomerDocuments,
    currency_field: None,
    aggregation: Grouped,
};

const RECEIVABLES: Source = Source {
    model: "account.move",
    date_field: Some("invoice_date_due"),
    date_groupable: true,
    measures: &[
        (MeasureKey::Residual, money("amount_residual_signed")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Customer, Dim("partner_id")),
        (DimensionKey::DueBucket, DueBucket),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::OpenCustomerInvoices,
    currency_field: None,
    aggregation: Grouped,
};

const LEADS: Source = Source {
    model: "crm.lead",
    date_field: Some("date_deadline"),
    date_groupable: true,
    measures: &[
        (MeasureKey::ExpectedRevenue, money("expected_revenue")),
        (MeasureKey::ProratedRevenue, money("prorated_revenue")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Stage, Dim("stage_id")),
        (DimensionKey::Salesperson, Dim("user_id")),
        (DimensionKey::Team, Dim("team_id")),
        (DimensionKey::Customer, Dim("partner_id")),
        (DimensionKey::Country, Dim("country_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Shared,
    base: BaseFilter::Opportunities,
    currency_field: None,
    aggregation: Grouped,
};

const PURCHASE_REPORT: Source = Source {
    model: "purchase.report",
    date_field: Some("date_order"),
    date_groupable: true,
    measures: &[
        (MeasureKey::UntaxedAmount, money("untaxed_total")),
        (MeasureKey::Quantity, number("qty_ordered")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Vendor, Dim("partner_id")),
        (DimensionKey::Product, Dim("product_id")),
        (DimensionKey::ProductCategory, Dim("category_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::ConfirmedPurchase("state"),
    currency_field: None,
    aggregation: Grouped,
};

const PURCHASE_ORDER: Source = Source {
    model: "purchase.order",
    date_field: Some("date_order"),
    date_groupable: true,
    measures: &[
        (MeasureKey::UntaxedAmount, money("amount_untaxed")),
        (MeasureKey::TotalAmount, money("amount_total")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Vendor, Dim("partner_id")),
        (DimensionKey::Salesperson, Dim("user_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::ConfirmedPurchase("state"),
    currency_field: Some("currency_id"),
    aggregation: Grouped,
};

const EXPENSES: Source = Source {
    model: "hr.expense",
    date_field: Some("date"),
    date_groupable: true,
    measures: &[
        (MeasureKey::TotalAmount, money("total_amount")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::Employee, Dim("employee_id")),
        (DimensionKey::Product, Dim("product_id")),
        (DimensionKey::State, Dim("state")),
        (DimensionKey::Date, Date),
    ],
    scope: Company,
    base: BaseFilter::None,
    currency_field: None,
    aggregation: Grouped,
};

const STOCK: Source = Source {
    model: "product.product",
    date_field: None,
    date_groupable: false,
    measures: &[
        (MeasureKey::QtyAvailable, number("qty_available")),
        (MeasureKey::VirtualAvailable, number("virtual_available")),
        (MeasureKey::Count, Count),
    ],
    dimensions: &[
        (DimensionKey::ProductCategory, Dim("categ_id")),
        (DimensionKey::Product, Dim("id")),
    ],
    scope: Shared,
    base: BaseFilter::StockTracked,
    currency_field: None,
    aggregation: Scan,
};

const CONTACTS: Source = Source {
    model: "res.partner",
    date_field: Some("create_date"),
    date_groupable: true,
    measures: &[(MeasureKey::Count, Count)],
    dimensions: &[
        (DimensionKey::Country, Dim("country_id")),
        (DimensionKey::PartnerType, PartnerType),
        (DimensionKey::Salesperson, Dim("user_id")),
        (DimensionKey::Date, Date),
    ],
    scope: Shared,
    base: BaseFilter::Active,
    currency_field: None,
    aggregation: Grouped,
};

/// The catalog, in the order of spec 6.3.
pub(crate) const CATALOG: &[DatasetDef] = &[
    DatasetDef {
        dataset: Dataset::Sales,
        label: "Sales",
        primary: SALE_REPORT,
        fallback: Some(SALE_ORDER_LINE),
        default_measure: MeasureKey::UntaxedAmount,
    },
    DatasetDef {
        dataset: Dataset::SalesOrders,
        label: "Sales orders",
        primary: SALE_ORDER,
        fallback: None,
        default_measure: MeasureKey::UntaxedAmount,
    },
    DatasetDef {
        dataset: Dataset::Invoicing,
        label: "Invoicing",
        primary: INVOICE_REPORT,
        fallback: Some(INVOICE_MOVES),
        default_measure: MeasureKey::UntaxedAmount,
    },
    DatasetDef {
        dataset: Dataset::Receivables,
        label: "Receivables",
        primary: RECEIVABLES,
        fallback: None,
        default_measure: MeasureKey::Residual,
    },
    DatasetDef {
        dataset: Dataset::Pipeline,
        label: "Pipeline",
        primary: LEADS,
        fallback: None,
        default_measure: MeasureKey::ExpectedRevenue,
    },
    DatasetDef {
        dataset: Dataset::Purchases,
        label: "Purchases",
        primary: PURCHASE_REPORT,
        fallback: Some(PURCHASE_ORDER),
        default_measure: MeasureKey::UntaxedAmount,
    },
    DatasetDef {
        dataset: Dataset::Expenses,
        label: "Expenses",
        primary: EXPENSES,
        fallback: None,
        default_measure: MeasureKey::TotalAmount,
    },
    DatasetDef {
        dataset: Dataset::Stock,
        label: "Stock",
        primary: STOCK,
        fallback: None,
        default_measure: MeasureKey::QtyAvailable,
    },
    DatasetDef {
        dataset: Dataset::Contacts,
        label: "Contacts",
        primary: CONTACTS,
        fallback: None,
        default_measure: MeasureKey::Count,
    },
];

/// The catalog entry of `dataset`.
pub(crate) fn definition(dataset: Dataset) -> &'static DatasetDef {
    CATALOG
        .iter()
        .find(|d| d.dataset == dataset)
        .unwrap_or(&CATALOG[0])
}

impl Dataset {
    /// The snake_case name the schema uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sales => "sales",
            Self::SalesOrders => "sales_orders",
            Self::Invoicing => "invoicing",
            Self::Receivables => "receivables",
            Self::Pipeline => "pipeline",
            Self::Purchases => "purchases",
            Self::Expenses => "expenses",
            Self::Stock => "stock",
            Self::Contacts => "contacts",
        }
    }
}

impl MeasureKey {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UntaxedAmount => "untaxed_amount",
            Self::TotalAmount => "total_amount",
            Self::Quantity => "quantity",
            Self::Count => "count",
            Self::Residual => "residual",
            Self::ExpectedRevenue => "expected_revenue",
            Self::ProratedRevenue => "prorated_revenue",
            Self::QtyAvailable => "qty_available",
            Self::VirtualAvailable => "virtual_available",
        }
    }

    /// The column label users read.
    pub fn label(self) -> &'static str {
        match self {
            Self::UntaxedAmount => "Untaxed amount",
            Self::TotalAmount => "Total amount",
            Self::Quantity => "Quantity",
            Self::Count => "Count",
            Self::Residual => "Amount due",
            Self::ExpectedRevenue => "Expected revenue",
            Self::ProratedRevenue => "Prorated revenue",
            Self::QtyAvailable => "On hand",
            Self::VirtualAvailable => "Forecasted",
        }
    }
}

impl DimensionKey {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Product => "product",
            Self::ProductCategory => "product_category",
            Self::Customer => "customer",
            Self::Vendor => "vendor",
            Self::Salesperson => "salesperson",
            Self::Team => "team",
            Self::Country => "country",
            Self::Date => "date",
            Self::PaymentState => "payment_state",
            Self::DueBucket => "due_bucket",
            Self::Stage => "stage",
            Self::Employee => "employee",
            Self::State => "state",
            Self::PartnerType => "partner_type",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Product => "Product",
            Self::ProductCategory => "Product category",
            Self::Customer => "Customer",
            Self::Vendor => "Vendor",
            Self::Salesperson => "Salesperson",
            Self::Team => "Sales team",
            Self::Country => "Country",
            Self::Date => "Period",
            Self::PaymentState => "Payment status",
            Self::DueBucket => "Due",
            Self::Stage => "Stage",
            Self::Employee => "Employee",
            Self::State => "Status",
            Self::PartnerType => "Type",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_has_one_entry_offering_its_default_measure_and_count() {
        for def in CATALOG {
            assert_eq!(definition(def.dataset), def);
            for source in std::iter::once(&def.primary).chain(def.fallback.as_ref()) {
                assert!(
                    source.measure(def.default_measure).is_some(),
                    "{}",
                    source.model
                );
                assert_eq!(source.measure(MeasureKey::Count), Some(Count));
                assert_eq!(
                    source.dimension(DimensionKey::Date).is_some(),
                    source.date_field.is_some(),
                    "{}",
                    source.model
                );
            }
        }
        assert_eq!(CATALOG.len(), 9);
    }
}

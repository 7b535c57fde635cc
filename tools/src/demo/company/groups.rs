//! The Odoo access groups (xml ids) the demo models and users refer to.

pub const USER: &str = "base.group_user";
pub const ERP_MANAGER: &str = "base.group_erp_manager";
pub const SYSTEM: &str = "base.group_system";
/// Billing: invoices and payments, no full accounting.
pub const ACCOUNT_INVOICE: &str = "account.group_account_invoice";
pub const ACCOUNT_READONLY: &str = "account.group_account_readonly";
pub const ACCOUNT_USER: &str = "account.group_account_user";
pub const ACCOUNT_MANAGER: &str = "account.group_account_manager";
pub const SALE_SALESMAN: &str = "sales_team.group_sale_salesman";
pub const SALE_MANAGER: &str = "sales_team.group_sale_manager";
pub const PURCHASE_USER: &str = "purchase.group_purchase_user";
pub const STOCK_USER: &str = "stock.group_stock_user";
pub const STOCK_MANAGER: &str = "stock.group_stock_manager";

/// May read accounting documents.
pub const ACCOUNTING_READ: &[&str] = &[
    ACCOUNT_INVOICE,
    ACCOUNT_READONLY,
    ACCOUNT_USER,
    ACCOUNT_MANAGER,
];
/// May change accounting documents.
pub const ACCOUNTING_WRITE: &[&str] = &[ACCOUNT_INVOICE, ACCOUNT_USER, ACCOUNT_MANAGER];
/// May change the chart of accounts, journals, taxes and the company's lock dates.
pub const ACCOUNTING_CONFIG: &[&str] = &[ACCOUNT_MANAGER];
pub const SALES: &[&str] = &[SALE_SALESMAN, SALE_MANAGER];
pub const PURCHASE: &[&str] = &[PURCHASE_USER];
pub const STOCK: &[&str] = &[STOCK_USER, STOCK_MANAGER];
pub const ADMIN: &[&str] = &[SYSTEM];
pub const SETTINGS: &[&str] = &[ERP_MANAGER, SYSTEM];

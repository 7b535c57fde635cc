-- the figures each daily digest reported (spec 7.3), one row per company,
-- role and local date: the next digest of the role compares its figures
-- with the latest earlier row. a rerun of a day replaces that day's row.
-- the same table as the sqlite migration of the same number.

create table digest_history (
    company_id bigint not null,
    -- cfo, sales_manager or warehouse_manager
    role text not null,
    digest_date date not null,
    -- metric key -> value as exact decimal text
    metric_values jsonb not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (company_id, role, digest_date)
);

-- the figures each daily digest reported (spec 7.3), one row per company,
-- role and local date: the next digest of the role compares its figures
-- with the latest earlier row. a rerun of a day replaces that day's row.
-- the same table as the postgres migration of the same number.

create table digest_history (
    company_id integer not null,
    -- cfo, sales_manager or warehouse_manager
    role text not null,
    -- the digest's local date, yyyy-mm-dd, so text order is date order
    digest_date text not null,
    -- json object: metric key -> value as exact decimal text
    metric_values text not null check (json_valid(metric_values)),
    created_at text not null,
    updated_at text not null,
    primary key (company_id, role, digest_date)
);

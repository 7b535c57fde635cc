-- cash-flow forecast accuracy tracking (spec 5.8): each forecast run of a
-- company and day, its predicted balance per target day, and the balance
-- that actually closed each day, recorded by a daily job. amounts are
-- exact numerics.
-- the same tables as the sqlite migration of the same number.

create table forecast_runs (
    company_id bigint not null,
    as_of date not null,
    horizon_days integer not null check (horizon_days > 0),
    -- a balance below it is a cash gap
    threshold numeric not null,
    -- json array of the days below the threshold, in date order
    gap_dates jsonb not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    -- a rerun of a day replaces that day's run
    primary key (company_id, as_of)
);

create table forecast_predictions (
    company_id bigint not null,
    as_of date not null,
    target_date date not null check (target_date > as_of),
    predicted numeric not null,
    low numeric not null,
    high numeric not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (company_id, as_of, target_date)
);

-- the accuracy join looks predictions up by their target day
create index forecast_predictions_by_target on forecast_predictions (company_id, target_date);

create table bank_balances (
    company_id bigint not null,
    balance_date date not null,
    -- the closing balance of every bank and cash journal of the company
    balance numeric not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (company_id, balance_date)
);

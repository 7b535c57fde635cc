-- cash-flow forecast accuracy tracking (spec 5.8): each forecast run of a
-- company and day, its predicted balance per target day, and the balance
-- that actually closed each day, recorded by a daily job. decimals are
-- exact decimal text; dates are yyyy-mm-dd, so text order is date order.
-- the same tables as the postgres migration of the same number.

create table forecast_runs (
    company_id integer not null,
    as_of text not null,
    horizon_days integer not null check (horizon_days > 0),
    -- a balance below it is a cash gap
    threshold text not null,
    -- json array of the days below the threshold, in date order
    gap_dates text not null check (json_valid(gap_dates)),
    created_at text not null,
    updated_at text not null,
    -- a rerun of a day replaces that day's run
    primary key (company_id, as_of)
);

create table forecast_predictions (
    company_id integer not null,
    as_of text not null,
    target_date text not null check (target_date > as_of),
    predicted text not null,
    low text not null,
    high text not null,
    created_at text not null,
    updated_at text not null,
    primary key (company_id, as_of, target_date)
);

-- the accuracy join looks predictions up by their target day
create index forecast_predictions_by_target on forecast_predictions (company_id, target_date);

create table bank_balances (
    company_id integer not null,
    balance_date text not null,
    -- the closing balance of every bank and cash journal of the company
    balance text not null,
    created_at text not null,
    updated_at text not null,
    primary key (company_id, balance_date)
);

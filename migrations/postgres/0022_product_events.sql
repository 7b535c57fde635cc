-- events the product records where they happen (a credit check that
-- blocked an order, a duplicate group found for the first time, a closing
-- check turning to attention), listed as anomalies by the cfo digest
-- (spec 7.2). an event is stored once per (company, kind, key).
-- the same table as the sqlite migration of the same number.

create table product_events (
    company_id bigint not null,
    -- credit_blocked, duplicate_group or closing_attention
    kind text not null,
    -- identifies the event within its kind, e.g. the sorted member ids of
    -- a duplicate group
    event_key text not null,
    severity text not null check (severity in ('high', 'medium', 'low')),
    description text not null,
    -- the tool that saw it
    source text not null,
    occurred_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (company_id, kind, event_key)
);

create index product_events_by_time on product_events (company_id, occurred_at);

-- the company a proposal's tool answered for, so a digest counts the
-- proposals of its own company; null for proposals stored before.
alter table proposals add column company_id bigint;

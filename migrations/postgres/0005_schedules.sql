-- scheduled jobs (daily digests, saved reports) and the record of each due
-- run. the same tables as the sqlite migration of the same number.

create table schedules (
    id uuid primary key,
    name text not null,
    -- agent::schedule::Job: {"kind": "digest", ...}
    job jsonb not null,
    -- 5-field cron expression, read in timezone (an iana name)
    cron text not null,
    timezone text not null,
    target_channel text not null,
    target_recipient text not null,
    owner text not null,
    -- where failures are reported ({"channel", "recipient"}); null: the target
    owner_target jsonb,
    enabled boolean not null,
    next_run timestamptz not null
);

create index schedules_due on schedules (next_run) where enabled;

create table schedule_runs (
    id bigint generated always as identity primary key,
    schedule_id uuid not null references schedules (id) on delete cascade,
    due timestamptz not null,
    delivery_key text not null,
    status text not null check (status in ('delivered', 'failed', 'missed', 'duplicate')),
    attempts integer not null default 0 check (attempts >= 0),
    error text,
    finished_at timestamptz not null
);

-- at most one successful delivery per key (spec 7.6)
create unique index schedule_runs_delivered on schedule_runs (delivery_key)
    where status = 'delivered';
create index schedule_runs_by_schedule on schedule_runs (schedule_id, id);

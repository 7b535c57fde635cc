-- scheduled jobs (daily digests, saved reports) and the record of each due
-- run. the same tables as the postgres migration of the same number.
--
-- next_run and due are unix microseconds: the scheduler compares them with
-- "now", and integers compare correctly where rfc 3339 text of varying
-- precision would not.

create table schedules (
    id text primary key,
    name text not null,
    -- agent::schedule::Job as json: {"kind": "digest", ...}
    job text not null check (json_valid(job)),
    -- 5-field cron expression, read in timezone (an iana name)
    cron text not null,
    timezone text not null,
    target_channel text not null,
    target_recipient text not null,
    owner text not null,
    -- where failures are reported ({"channel", "recipient"}); null: the target
    owner_target text check (owner_target is null or json_valid(owner_target)),
    enabled integer not null check (enabled in (0, 1)),
    next_run integer not null
) strict;

create index schedules_due on schedules (next_run) where enabled = 1;

create table schedule_runs (
    id integer primary key,
    schedule_id text not null references schedules (id) on delete cascade,
    due integer not null,
    delivery_key text not null,
    status text not null check (status in ('delivered', 'failed', 'missed', 'duplicate')),
    attempts integer not null default 0 check (attempts >= 0),
    error text,
    finished_at text not null
) strict;

-- at most one successful delivery per key (spec 7.6)
create unique index schedule_runs_delivered on schedule_runs (delivery_key)
    where status = 'delivered';
create index schedule_runs_by_schedule on schedule_runs (schedule_id, id);

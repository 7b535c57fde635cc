-- durable ingress (every chat channel): a message is stored here before the
-- platform is acknowledged, answered once by a worker, and survives a crash
-- between the two. the same tables as the postgres migration of the same
-- number. times are unix microseconds so sql compares them as numbers.

-- platform event ids already taken, kept for longer than the platform's
-- retry window; a key seen again within it is a duplicate delivery.
create table ingress_seen (
    dedupe_key text primary key,
    seen_at integer not null
);

create table ingress_jobs (
    seq integer primary key autoincrement,
    id text not null unique,
    dedupe_key text not null,
    channel text not null,
    -- one platform conversation (slack channel + thread_ts, telegram chat…):
    -- its jobs are answered one at a time, in seq order
    conversation_key text not null,
    -- agent::ingress::InboundMessage
    message text not null check (json_valid(message)),
    state text not null check (state in ('pending', 'running', 'done', 'failed')),
    attempts integer not null default 0,
    -- a pending job is not claimed before this time (delivery retries)
    available_at integer not null,
    claimed_at integer,
    -- agent::ingress::Reply once the turn has run, so a restart delivers
    -- it without running the turn again
    reply text check (reply is null or json_valid(reply)),
    error text,
    created_at integer not null,
    updated_at integer not null
);

create index ingress_jobs_open on ingress_jobs (conversation_key, state, seq)
    where state in ('pending', 'running');
create index ingress_jobs_pending on ingress_jobs (seq) where state = 'pending';

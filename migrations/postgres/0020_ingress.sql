-- durable ingress (every chat channel): a message is stored here before the
-- platform is acknowledged, answered once by a worker, and survives a crash
-- between the two. the same tables as the sqlite migration of the same
-- number. times are unix microseconds, as in sqlite, so one set of
-- queries' arithmetic serves both.

-- platform event ids already taken, kept for longer than the platform's
-- retry window; a key seen again within it is a duplicate delivery.
create table ingress_seen (
    dedupe_key text primary key,
    seen_at bigint not null
);

create table ingress_jobs (
    seq bigserial primary key,
    id uuid not null unique,
    dedupe_key text not null,
    channel text not null,
    -- one platform conversation (slack channel + thread_ts, telegram chat…):
    -- its jobs are answered one at a time, in seq order
    conversation_key text not null,
    -- agent::ingress::InboundMessage
    message jsonb not null,
    state text not null check (state in ('pending', 'running', 'done', 'failed')),
    attempts bigint not null default 0,
    -- a pending job is not claimed before this time (delivery retries)
    available_at bigint not null,
    claimed_at bigint,
    -- agent::ingress::Reply once the turn has run, so a restart delivers
    -- it without running the turn again
    reply jsonb,
    error text,
    created_at bigint not null,
    updated_at bigint not null
);

create index ingress_jobs_open on ingress_jobs (conversation_key, state, seq)
    where state in ('pending', 'running');
create index ingress_jobs_pending on ingress_jobs (seq) where state = 'pending';

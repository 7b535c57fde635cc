-- conversations: threads, the messages in them, the turns that wrote those
-- messages and the audit of every tool call a turn made.
--
-- the same tables as the postgres migration of the same number, in sqlite
-- types: ids are hyphenated uuid text, timestamps are rfc 3339 text (as sqlx
-- encodes chrono values), json is text checked by json_valid. strict tables
-- reject a value of the wrong type instead of storing it anyway.
--
-- ids and timestamps are written by the application; timestamps are truncated
-- to microseconds so both backends read back the same values.

create table threads (
    id text primary key,
    -- where the conversation happens: api, cli, slack...
    channel text not null,
    -- the platform's own reference (slack channel + thread_ts...), if any
    external_ref text,
    -- positions the next recorded turn takes; advanced under the thread's
    -- row lock, so concurrent turns of a thread never collide
    next_message_seq integer not null default 0 check (next_message_seq >= 0),
    next_turn_seq integer not null default 0 check (next_turn_seq >= 0),
    created_at text not null,
    -- bumped by every recorded turn
    updated_at text not null
) strict;

create table turns (
    id text primary key,
    thread_id text not null references threads (id),
    -- 0-based position among the thread's turns, in recording order; turns
    -- read back in this order
    seq integer not null check (seq >= 0),
    identity_id text not null,
    channel text not null,
    provider text not null,
    model text not null,
    -- store::TurnStatus
    status text not null check (status in ('completed', 'limit_reached', 'failed')),
    -- why the turn ended, in words (end_turn, max_iterations...)
    stop_reason text not null,
    -- provider::Usage summed over the turn's model calls, in tokens
    input_tokens integer not null check (input_tokens >= 0),
    output_tokens integer not null check (output_tokens >= 0),
    cache_creation_input_tokens integer not null check (cache_creation_input_tokens >= 0),
    cache_read_input_tokens integer not null check (cache_read_input_tokens >= 0),
    -- model calls made
    iterations integer not null check (iterations >= 0),
    started_at text not null,
    finished_at text not null,
    -- internal error detail for failed turns, never shown to users
    error text,
    created_at text not null,
    updated_at text not null,
    -- also the index that reads a thread's turns in order
    constraint turns_thread_seq_key unique (thread_id, seq)
) strict;

create table messages (
    thread_id text not null references threads (id),
    -- 0-based position in the thread, allocated under the database write lock
    -- (begin immediate), so concurrent turns never interleave or collide
    seq integer not null check (seq >= 0),
    -- the turn that wrote the message
    turn_id text not null references turns (id),
    -- copied out of content so it can be queried without parsing json
    role text not null check (role in ('user', 'assistant')),
    -- the serialised provider::Message (role and content blocks)
    content text not null check (json_valid(content)),
    created_at text not null,
    updated_at text not null,
    -- also the index that reads a thread's messages in order
    primary key (thread_id, seq)
) strict;

create table tool_calls (
    turn_id text not null references turns (id),
    -- 0-based position of the call within its turn, so the audit reads back
    -- in the order the calls were made
    ordinal integer not null check (ordinal >= 0),
    -- the provider's tool-call id
    call_id text not null,
    thread_id text not null references threads (id),
    identity_id text not null,
    tool text not null,
    arguments text not null check (json_valid(arguments)),
    -- ok, or the error kind (invalid_args, timeout...)
    outcome text not null,
    -- what the model was sent back
    result text not null check (json_valid(result)),
    duration_ms integer not null check (duration_ms >= 0),
    -- when the call was made (the record's own timestamp)
    created_at text not null,
    updated_at text not null,
    -- also the index that reads a turn's calls in order
    primary key (turn_id, ordinal),
    -- tool_result blocks refer to a call by this id, so two calls of one
    -- turn sharing it would make the conversation ambiguous
    constraint tool_calls_turn_call_key unique (turn_id, call_id)
) strict;

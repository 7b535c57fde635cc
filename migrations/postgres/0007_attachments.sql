-- files produced by tool calls (csv and xlsx exports), kept so that people can
-- download them later. the same table as the sqlite migration of the same
-- number.
--
-- thread_id and turn_id are not foreign keys: a file is stored as soon as its
-- tool call returns, so the model can be told its id and download url, while
-- the turn (and, on a first turn, its thread) is written only when the turn
-- ends.

create table attachments (
    id uuid primary key,
    -- the identity the tool call ran for; only it (or an admin) may download
    owner text not null,
    thread_id uuid not null,
    turn_id uuid not null,
    -- the provider's tool-call id of the call that produced the file
    call_id text not null,
    -- 0-based position of the file among the files of its call
    ordinal integer not null check (ordinal >= 0),
    file_name text not null check (length(file_name) > 0),
    media_type text not null,
    -- length of bytes
    size bigint not null check (size >= 0),
    -- lowercase hex sha-256 of bytes
    sha256 text not null check (length(sha256) = 64),
    bytes bytea not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

-- the files of one turn, in the order they were produced
create index attachments_by_turn on attachments (turn_id, created_at, call_id, ordinal);

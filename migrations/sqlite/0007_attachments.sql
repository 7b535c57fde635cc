-- files produced by tool calls (csv and xlsx exports), kept so that people can
-- download them later. the same table as the postgres migration of the same
-- number.
--
-- thread_id and turn_id are not foreign keys: a file is stored as soon as its
-- tool call returns, so the model can be told its id and download url, while
-- the turn (and, on a first turn, its thread) is written only when the turn
-- ends.

create table attachments (
    id text primary key,
    -- the identity the tool call ran for; only it (or an admin) may download
    owner text not null,
    thread_id text not null,
    turn_id text not null,
    -- the provider's tool-call id of the call that produced the file
    call_id text not null,
    -- 0-based position of the file among the files of its call
    ordinal integer not null check (ordinal >= 0),
    file_name text not null check (length(file_name) > 0),
    media_type text not null,
    -- length of bytes
    size integer not null check (size >= 0),
    -- lowercase hex sha-256 of bytes
    sha256 text not null check (length(sha256) = 64),
    bytes blob not null,
    created_at text not null,
    updated_at text not null
) strict;

-- the files of one turn; they read back in rowid (insertion) order, since rfc
-- 3339 text of varying precision does not sort by time
create index attachments_by_turn on attachments (turn_id);

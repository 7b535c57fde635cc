-- write proposals (spec 0.6): the changes tools offer, their approval or
-- rejection, the outcome of their one execution, the audit of every step,
-- and the duplicate groups people marked "not duplicates" (spec 4.9).
-- the same tables as the postgres migration of the same number.
--
-- expires_at is unix microseconds: the conditional claim compares it with
-- "now" in sql, and integers compare correctly where rfc 3339 text of
-- varying precision would not. other timestamps are rfc 3339 text.

create table proposals (
    id text primary key,
    -- the conversation that produced it; null for proposals made outside a
    -- turn. no foreign key: a turn is stored when it ends, its proposals as
    -- soon as a tool returns them
    thread_id text,
    turn_id text,
    -- the identity whose turn produced it
    created_by text not null,
    -- tools::proposals::ProposalAction: the action's name and its params
    action text not null,
    params text not null check (json_valid(params)),
    target_model text not null,
    -- json array of record ids
    target_ids text not null check (json_valid(target_ids)),
    -- human text with the exact values before and after
    preview text not null,
    -- json array of tools::proposals::Precondition, re-read before execution
    preconditions text not null check (json_valid(preconditions)),
    required_role text not null,
    expires_at integer not null,
    status text not null check (status in ('pending', 'approved', 'executing', 'executed',
                                           'failed', 'rejected', 'expired')),
    -- what the execution returned, or odoo's refusal verbatim
    outcome text check (outcome is null or json_valid(outcome)),
    -- who approved or rejected it, when, and (rejections) why
    decided_by text,
    decided_at text,
    reason text,
    created_at text not null,
    updated_at text not null
) strict;

create index proposals_by_turn on proposals (turn_id) where turn_id is not null;

create table proposal_audit (
    id integer primary key,
    proposal_id text not null references proposals (id),
    -- created, approved, rejected, expired, denied, blocked, executed, failed
    event text not null,
    identity_id text not null,
    -- event detail (odoo's answer, the failed precondition, the reason)
    detail text not null check (json_valid(detail)),
    created_at text not null,
    updated_at text not null
) strict;

create index proposal_audit_by_proposal on proposal_audit (proposal_id, id);

create table dismissed_duplicates (
    -- partners, leads or products
    kind text not null,
    -- a pair of record ids, smaller first
    first_id integer not null,
    second_id integer not null check (first_id < second_id),
    dismissed_by text not null,
    created_at text not null,
    updated_at text not null,
    primary key (kind, first_id, second_id)
) strict;

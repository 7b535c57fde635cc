-- the closing checklist (spec 1.5): one closing per company and month,
-- holding the latest month-end scan and what people did about each check.
-- the same table as the postgres migration of the same number.

create table closings (
    -- odoo id of the company
    company_id integer not null,
    -- yyyy-mm
    period text not null check (period glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
    -- copied out of body so it can be queried without parsing json
    status text not null check (status in ('open', 'completed')),
    -- bumped by every save; a save naming an older version changes nothing,
    -- so concurrent changes never overwrite each other
    version integer not null check (version >= 1),
    -- agent::closing::Closing as json: steps with their people's status,
    -- the latest scan
    body text not null check (json_valid(body)),
    created_at text not null,
    updated_at text not null,
    primary key (company_id, period)
) strict;

-- rules learned from bank matches people confirmed (spec 2.8), per company
-- and bank or cash journal. bank_reconciliation_suggest reads them on every
-- run and adds its learned bonus to pairs that look alike.
-- the same table as the sqlite migration of the same number.

create table reconciliation_rules (
    id bigint generated always as identity primary key,
    -- odoo ids of the company and the journal
    company_id bigint not null,
    journal_id bigint not null,
    -- the patterns: normalised text with digit runs as '#', '' when the
    -- value was empty. a pattern of only digits, '#' and spaces would match
    -- unrelated lines, so it is refused.
    bank_text text not null check (bank_text = '' or btrim(bank_text, '0123456789# ') <> ''),
    bank_partner text not null
        check (bank_partner = '' or btrim(bank_partner, '0123456789# ') <> ''),
    entry_ref text not null check (entry_ref = '' or btrim(entry_ref, '0123456789# ') <> ''),
    entry_partner text not null
        check (entry_partner = '' or btrim(entry_partner, '0123456789# ') <> ''),
    -- suggestions the rule's bonus contributed to
    use_count bigint not null default 0 check (use_count >= 0),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    -- a rule without any pattern would match every pair
    check (bank_text <> '' or bank_partner <> '' or entry_ref <> '' or entry_partner <> ''),
    -- confirming the same match again finds this row
    unique (company_id, journal_id, bank_text, bank_partner, entry_ref, entry_partner)
);

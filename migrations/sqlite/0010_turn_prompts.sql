-- the prompt templates each turn's system prompt was rendered from: a json
-- array of {name, version, sha256}, so a change in behaviour can be traced
-- to a prompt version. turns stored before this migration name none.
-- the same column as the postgres migration of the same number.

alter table turns add column prompts text not null default '[]' check (json_valid(prompts));

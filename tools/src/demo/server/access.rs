//! Access rights as Odoo checks them: per model and operation
//! (`ir.model.access`) and per field (`groups=`), against the groups of the
//! calling user, refused with Odoo's own `AccessError` wording.

use crate::demo::{DemoUser, FieldDef, Table};

use super::fault::Fault;

/// What a call does to a model's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    Read,
    Write,
    Create,
    Unlink,
}

impl Operation {
    fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Create => "create",
            Self::Unlink => "unlink",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::Read => "access",
            Self::Write => "modify",
            Self::Create => "create",
            Self::Unlink => "delete",
        }
    }
}

/// Refuses the operation when the user is in none of the model's groups.
pub(crate) fn check_model(table: &Table, user: &DemoUser, op: Operation) -> Result<(), Fault> {
    let groups = match op {
        Operation::Read => table.def.read_groups,
        Operation::Write | Operation::Create | Operation::Unlink => table.def.write_groups,
    };
    if user.in_any(groups) {
        return Ok(());
    }
    let listed: Vec<String> = groups.iter().map(|g| format!("\t- {g}")).collect();
    Err(Fault::access_error(format!(
        "You are not allowed to {} '{}' ({}) records.\n\nThis operation is allowed for the \
         following groups:\n{}\n\nContact your administrator to request access if necessary.",
        op.verb(),
        table.def.description,
        table.def.name,
        listed.join("\n"),
    )))
}

/// Whether the user may see `field` (its `groups=` attribute).
pub(crate) fn can_see(field: &FieldDef, user: &DemoUser) -> bool {
    user.in_any(field.groups)
}

/// Refuses access to any of `fields` the user may not see.
pub(crate) fn check_fields<'f>(
    table: &Table,
    user: &DemoUser,
    fields: impl IntoIterator<Item = &'f FieldDef>,
    op: Operation,
) -> Result<(), Fault> {
    let hidden: Vec<&str> = fields
        .into_iter()
        .filter(|f| !can_see(f, user))
        .map(|f| f.name)
        .collect();
    if hidden.is_empty() {
        return Ok(());
    }
    Err(Fault::access_error(format!(
        "You do not have enough rights to access the fields \"{}\" on {} ({}). Please contact \
         your system administrator.\n\nOperation: {}",
        hidden.join(","),
        table.def.description,
        table.def.name,
        op.as_str(),
    )))
}

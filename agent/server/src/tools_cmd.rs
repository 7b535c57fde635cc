//! `odoo-agent tools list`.

#![allow(clippy::print_stdout)] // this command's output is its product

use agent::odoo::OdooBackend;
use agent::odoo_tools;

pub fn list(json: bool) -> anyhow::Result<()> {
    // The same tools `serve` offers; describing them needs no Odoo.
    let specs = odoo_tools(&OdooBackend::offline(), None)?.specs();
    if json {
        println!("{}", serde_json::to_string_pretty(&*specs)?);
        return Ok(());
    }
    for spec in specs.iter() {
        println!("{} ({:?})", spec.name, spec.kind);
        println!("  {}", spec.description);
        println!(
            "  arguments: {}",
            serde_json::to_string(&spec.input_schema)?
        );
        println!();
    }
    Ok(())
}

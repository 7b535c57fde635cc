//! Rebuild when a migration is added: `sqlx::migrate!` embeds the migration
//! folders at compile time, and cargo does not watch them on its own.

#![allow(clippy::print_stdout)] // build scripts talk to cargo on stdout

fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}

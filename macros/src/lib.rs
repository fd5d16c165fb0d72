//! Procedural macros of Retort: `#[derive(Model)]`, `#[derive(DbEnum)]` and
//! `revisions!`.
//!
//! Each entry point only parses its input and hands it to a module that works on
//! `proc_macro2` tokens: parse (`ast`, `attr`) → validate (`check`) → expand.

mod ast;
mod attr;
mod check;
mod ctxt;
mod db_enum;
mod expand;
mod revisions;
mod symbol;
mod types;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Describes a table. See the `retort` crate for the attributes.
#[proc_macro_derive(Model, attributes(model))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}

/// A Rust enum of unit variants stored as a database enum. See the `retort`
/// crate for the attributes.
#[proc_macro_derive(DbEnum, attributes(db_enum))]
pub fn derive_db_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    db_enum::derive(&input).into()
}

/// Reads the crate's `Retort.toml` (or the file named) and compiles each of its
/// databases' versions folders into a `retort::Project`: as an item,
/// `project!(static PROJECT);`, or as an expression.
#[proc_macro]
pub fn project(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as revisions::ProjectInput);
    revisions::expand_project(&input).into()
}

/// Compiles every `.rs` file of a versions folder (relative to the crate's
/// `Cargo.toml`) into a `retort::Migrations` value: as an item,
/// `revisions!(static MIGRATIONS = "versions");`, or as an expression.
#[proc_macro]
pub fn revisions(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as revisions::RevisionsInput);
    revisions::expand(&input).into()
}

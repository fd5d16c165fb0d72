//! `revisions!("versions")`: one `#[path] mod` per revision file, and the
//! `Migrations` value that lists them.
//!
//! Two forms. As an item, `revisions!(static MIGRATIONS = "versions");` (and
//! `project!(static PROJECT);`) declares the modules at the level of the
//! invocation, inside a private module named after the static, and the static
//! beside them: rustc compiles each module of a crate as its own codegen unit,
//! so a new revision file compiles that file and reuses the rest (a new small
//! revision beside a 1000-table one: ~1.5 s instead of ~5 s, dev). As an
//! expression, `static M: Migrations = revisions!("versions");`, the modules
//! sit in a block inside the static's initializer, which rustc places in the
//! codegen unit of the enclosing module with everything else: every new
//! revision recompiles the whole history. Both give the same value.
//!
//! A proc macro cannot watch a folder: the crate's build script prints
//! `cargo::rerun-if-changed=versions`, so a new file triggers a rebuild, and this
//! macro sees it.

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use retort_vocab::project::{versions_folder, SINGLE_DATABASE, VERSIONS_WITH_DATABASES};
use retort_vocab::revision_files;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token, Visibility};

/// `[#[attr]…] [vis] static NAME`: the item form's static (its doc comment
/// and attributes go on the static).
pub struct Static {
    attrs: Vec<syn::Attribute>,
    vis: Visibility,
    name: Ident,
}

impl Static {
    /// The private module that holds the revision modules.
    fn holder(&self) -> Ident {
        format_ident!("__retort_{}", self.name)
    }
}

/// What `revisions!` was given: `"versions"`, or `[vis] static NAME = "versions";`.
pub struct RevisionsInput {
    item: Option<Static>,
    dir: LitStr,
}

impl Parse for RevisionsInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return Ok(RevisionsInput {
                item: None,
                dir: input.parse()?,
            });
        }
        let item = parse_static(input)?;
        input.parse::<Token![=]>()?;
        let dir = input.parse()?;
        input.parse::<Option<Token![;]>>()?;
        Ok(RevisionsInput {
            item: Some(item),
            dir,
        })
    }
}

/// What `project!` was given: nothing or `"Retort.toml"`, or
/// `[vis] static NAME [= "Retort.toml"];`.
pub struct ProjectInput {
    item: Option<Static>,
    file: Option<LitStr>,
}

impl Parse for ProjectInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() || input.peek(LitStr) {
            return Ok(ProjectInput {
                item: None,
                file: input.parse()?,
            });
        }
        let item = parse_static(input)?;
        let file = if input.parse::<Option<Token![=]>>()?.is_some() {
            Some(input.parse()?)
        } else {
            None
        };
        input.parse::<Option<Token![;]>>()?;
        Ok(ProjectInput {
            item: Some(item),
            file,
        })
    }
}

fn parse_static(input: ParseStream) -> syn::Result<Static> {
    let attrs = input.call(syn::Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    if !input.peek(Token![static]) {
        return Err(input.error(
            "expected a folder (`\"versions\"`) or an item (`static MIGRATIONS = \"versions\";`)",
        ));
    }
    input.parse::<Token![static]>()?;
    let name = input.parse()?;
    Ok(Static { attrs, vis, name })
}

pub fn expand(input: &RevisionsInput) -> TokenStream {
    match try_expand(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand(input: &RevisionsInput) -> syn::Result<TokenStream> {
    let dir = &input.dir;
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(
            dir.span(),
            "revisions! needs CARGO_MANIFEST_DIR; build with cargo",
        )
    })?;
    let versions: PathBuf = Path::new(&manifest_dir).join(dir.value());
    let Some(item) = &input.item else {
        let (mods, value) = migrations_of(&versions, dir.span(), &quote!())?;
        return Ok(quote! {
            {
                #(#mods)*
                #value
            }
        });
    };
    let holder = item.holder();
    let (mods, value) = migrations_of(&versions, dir.span(), &quote!(#holder::))?;
    let (attrs, vis, name) = (&item.attrs, &item.vis, &item.name);
    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_snake_case)]
        mod #holder {
            #(#mods)*
        }
        #(#attrs)*
        #vis static #name: ::retort::Migrations = #value;
    })
}

/// The modules of one versions folder's files, and the `Migrations` value that
/// lists them through `prefix` (the path to the modules from the value).
fn migrations_of(
    versions: &Path,
    span: Span,
    prefix: &TokenStream,
) -> syn::Result<(Vec<TokenStream>, TokenStream)> {
    let dir_span = span;
    let files = revision_files(versions).map_err(|e| {
        syn::Error::new(dir_span, format!("cannot read {}: {e}", versions.display()))
    })?;
    let versions_str = versions.to_string_lossy().into_owned();
    let mut mods = Vec::new();
    let mut entries = Vec::new();
    for file in &files {
        let stem = file.trim_end_matches(".rs");
        let module = format_ident!("r_{}", sanitize(stem), span = Span::call_site());
        let full = versions.join(file);
        let text = std::fs::read(&full).map_err(|e| {
            syn::Error::new(dir_span, format!("cannot read {}: {e}", full.display()))
        })?;
        let checksum = fnv1a(&text);
        if let Some(problem) = declared_id(&text)
            .and_then(|id| retort_vocab::revision_id_problem(&id).map(|p| (id, p)))
        {
            let (id, problem) = problem;
            return Err(syn::Error::new(
                dir_span,
                format!(
                    "{}: revision id `{id}` is not valid: {problem}",
                    full.display()
                ),
            ));
        }
        let path = full.to_string_lossy().into_owned();
        mods.push(quote! {
            #[path = #path]
            #[allow(missing_docs)]
            pub(crate) mod #module;
        });
        entries.push(quote! {
            ::retort::Migration {
                revision: #prefix #module::REVISION,
                upgrade: #prefix #module::upgrade,
                downgrade: #prefix #module::downgrade,
                file: #file,
                checksum: #checksum,
            }
        });
    }
    let value = quote! {
        ::retort::Migrations {
            versions_dir: #versions_str,
            revisions: &[#(#entries),*],
        }
    };
    Ok((mods, value))
}

/// The id a revision file declares: the string literal after the first
/// `Revision::new(` (a scan, not a parse: the compiler parses the file anyway,
/// and a build of a long history should not pay twice).
fn declared_id(text: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(text).ok()?;
    let after = &text[text.find("Revision::new(")? + "Revision::new(".len()..];
    let literal = after.trim_start().strip_prefix('"')?;
    Some(literal[..literal.find('"')?].to_owned())
}

/// FNV-1a (64 bits) of the text without carriage returns, as 16 hex digits:
/// the same on every platform and compiler version.
fn fnv1a(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes.iter().filter(|b| **b != b'\r') {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn sanitize(stem: &str) -> String {
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `project!()` / `project!("Retort.toml")`: every database of the config file,
/// each with its versions folder compiled in.
pub fn expand_project(input: &ProjectInput) -> TokenStream {
    match try_expand_project(input) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand_project(input: &ProjectInput) -> syn::Result<TokenStream> {
    let file = input.file.as_ref();
    let span = file.map_or_else(Span::call_site, LitStr::span);
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(span, "project! needs CARGO_MANIFEST_DIR; build with cargo")
    })?;
    let name = file.map_or_else(|| "Retort.toml".to_owned(), LitStr::value);
    let path = Path::new(&manifest_dir).join(&name);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        syn::Error::new(
            span,
            format!(
                "cannot read {}: {e}; `migrations-cli init` writes one, or compile one folder with retort::revisions!(\"versions\")",
                path.display()
            ),
        )
    })?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| syn::Error::new(span, format!("{}: {e}", path.display())))?;
    let mut databases = Vec::new();
    match table.get("databases") {
        None => {
            let written = table.get("versions").and_then(toml::Value::as_str);
            databases.push((
                SINGLE_DATABASE.to_owned(),
                versions_folder(SINGLE_DATABASE, written, false),
            ));
        }
        Some(toml::Value::Array(_)) if table.contains_key("versions") => {
            return Err(syn::Error::new(
                span,
                format!("{}: {VERSIONS_WITH_DATABASES}", path.display()),
            ));
        }
        Some(toml::Value::Array(items)) => {
            for item in items {
                let name = item
                    .get("name")
                    .and_then(toml::Value::as_str)
                    .ok_or_else(|| {
                        syn::Error::new(
                            span,
                            format!("{}: every [[databases]] needs a name", path.display()),
                        )
                    })?;
                let written = item.get("versions").and_then(toml::Value::as_str);
                let versions = versions_folder(name, written, true);
                databases.push((name.to_owned(), versions));
            }
        }
        Some(_) => {
            return Err(syn::Error::new(
                span,
                format!(
                    "{}: databases is written [[databases]], one table per database",
                    path.display()
                ),
            ))
        }
    }
    let config_dir = path
        .parent()
        .unwrap_or(Path::new(&manifest_dir))
        .to_path_buf();
    let holder = input.item.as_ref().map(Static::holder);
    let mut entries = Vec::new();
    let mut modules = Vec::new();
    for (i, (name, versions)) in databases.into_iter().enumerate() {
        // Item form: each database's modules in a module of their own (two
        // folders may hold files of the same name).
        let database = format_ident!("database_{i}");
        let prefix = match &holder {
            Some(holder) => quote!(#holder::#database::),
            None => quote!(),
        };
        let (mods, migrations) = migrations_of(&config_dir.join(versions), span, &prefix)?;
        match &holder {
            Some(_) => {
                modules.push(quote! {
                    pub(crate) mod #database {
                        #(#mods)*
                    }
                });
                entries.push(quote! { (#name, #migrations) });
            }
            None => entries.push(quote! { (#name, { #(#mods)* #migrations }) }),
        }
    }
    let file = path.to_string_lossy().into_owned();
    let value = quote! {
        ::retort::Project {
            config_file: #file,
            databases: &[#(#entries),*],
        }
    };
    Ok(match (&input.item, &holder) {
        (Some(item), Some(holder)) => {
            let (attrs, vis, name) = (&item.attrs, &item.vis, &item.name);
            quote! {
                #[doc(hidden)]
                #[allow(non_snake_case)]
                mod #holder {
                    #(#modules)*
                }
                #(#attrs)*
                #vis static #name: ::retort::Project = #value;
            }
        }
        _ => value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_declared_id() {
        let file = br#"use retort::migration::prelude::*;
pub const REVISION: Revision = Revision::new( "ae10_x", &[], "m").branch_labels(&["a"]);"#;
        assert_eq!(declared_id(file).as_deref(), Some("ae10_x"));
        assert_eq!(declared_id(b"no revision here"), None);
        let long = format!(
            "pub const REVISION: Revision = Revision::new(\"{}\", &[], \"m\");",
            "a".repeat(40)
        );
        let id = declared_id(long.as_bytes()).unwrap();
        assert!(retort_vocab::revision_id_problem(&id).is_some());
    }
}

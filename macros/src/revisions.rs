//! `revisions!("versions")`: one `#[path] mod` per revision file, and the
//! `Migrations` value that lists them.
//!
//! A proc macro cannot watch a folder: the crate's build script prints
//! `cargo::rerun-if-changed=versions`, so a new file triggers a rebuild, and this
//! macro sees it.

use std::path::{Path, PathBuf};

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::LitStr;

pub fn expand(dir: &LitStr) -> TokenStream {
    match try_expand(dir) {
        Ok(tokens) => tokens,
        Err(e) => e.to_compile_error(),
    }
}

fn try_expand(dir: &LitStr) -> syn::Result<TokenStream> {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").map_err(|_| {
        syn::Error::new(
            dir.span(),
            "revisions! needs CARGO_MANIFEST_DIR; build with cargo",
        )
    })?;
    let versions: PathBuf = Path::new(&manifest_dir).join(dir.value());
    let files = revision_files(&versions).map_err(|e| {
        syn::Error::new(
            dir.span(),
            format!("cannot read {}: {e}", versions.display()),
        )
    })?;
    let versions_str = versions.to_string_lossy().into_owned();
    let mut mods = Vec::new();
    let mut entries = Vec::new();
    for file in &files {
        let stem = file.trim_end_matches(".rs");
        let module = format_ident!("r_{}", sanitize(stem), span = Span::call_site());
        let full = versions.join(file);
        let text = std::fs::read(&full).map_err(|e| {
            syn::Error::new(dir.span(), format!("cannot read {}: {e}", full.display()))
        })?;
        let checksum = fnv1a(&text);
        let path = full.to_string_lossy().into_owned();
        mods.push(quote! {
            #[path = #path]
            #[allow(missing_docs)]
            mod #module;
        });
        entries.push(quote! {
            ::retort::Migration {
                revision: #module::REVISION,
                upgrade: #module::upgrade,
                downgrade: #module::downgrade,
                file: #file,
                checksum: #checksum,
            }
        });
    }
    Ok(quote! {
        {
            #(#mods)*
            ::retort::Migrations {
                versions_dir: #versions_str,
                revisions: &[#(#entries),*],
            }
        }
    })
}

/// `.rs` files of the folder, sorted; `_` and `.` files skipped; none when the
/// folder does not exist yet.
fn revision_files(dir: &Path) -> std::io::Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.ends_with(".rs") && !name.starts_with(['.', '_']) && entry.file_type()?.is_file() {
            files.push(name);
        }
    }
    files.sort();
    Ok(files)
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

//! `#[derive(DbEnum)]`: a Rust enum of unit variants stored as a database enum.
//! Parse and check (errors collected in a `Ctxt`, at the user's tokens), then
//! expand to the `retort::DbEnum` impl, the hidden const helpers
//! `#[derive(Model)]` uses for defaults, `From<…> for Value`, and (behind
//! `retort`'s `diesel-tables`) the diesel conversions through
//! `retort::__db_enum_diesel!`.

use std::collections::BTreeMap;

use heck::ToSnakeCase;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident, LitStr};

use crate::attr;
use crate::ctxt::Ctxt;

/// PostgreSQL's limit on a type name and on an enum label (NAMEDATALEN - 1).
const MAX_NAME: usize = 63;

/// A parsed `#[derive(DbEnum)]` enum.
struct DbEnum<'a> {
    ident: &'a Ident,
    /// The database type's name.
    name: String,
    name_span: Span,
    variants: Vec<Variant<'a>>,
}

struct Variant<'a> {
    ident: &'a Ident,
    /// The value stored for it.
    value: String,
    /// `rename = ".."` when given, else the variant's name.
    value_span: Span,
    renamed_from: Option<LitStr>,
}

/// An identifier without its `r#`.
fn unraw(ident: &Ident) -> String {
    ident.to_string().trim_start_matches("r#").to_owned()
}

pub fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let parsed = parse(&cx, input);
    if let Some(parsed) = &parsed {
        check(&cx, parsed);
    }
    match (cx.check(), parsed) {
        (Ok(()), Some(parsed)) => expand(&parsed),
        (Err(errors), _) => fallback(input, &errors),
        // `parse` reports an error whenever it returns `None`.
        (Ok(()), None) => TokenStream::new(),
    }
}

fn parse<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<DbEnum<'a>> {
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "#[derive(DbEnum)] works on enums of unit variants (enum Status { Active, Closed }), \
             stored as a database enum; a table is a struct with #[derive(Model)]",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "a database enum cannot be generic: its values are fixed; remove the parameters",
        );
    }
    let attrs = attr::enum_attrs(cx, &input.attrs);
    let (name, name_span) = match &attrs.name {
        Some(lit) => (lit.value(), lit.span()),
        None => (unraw(&input.ident).to_snake_case(), input.ident.span()),
    };
    if data.variants.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            format!(
                "`{}` has no variants, and a database enum needs at least one value: add a variant per value",
                input.ident
            ),
        );
    }
    let variants = data
        .variants
        .iter()
        .map(|variant| {
            if !matches!(variant.fields, Fields::Unit) {
                cx.error_spanned_by(
                    &variant.fields,
                    format!(
                        "DbEnum variants carry no data: `{}` is stored as one value of the database enum `{name}`; \
                         remove its fields (keep the data in other columns of the model, or make the column \
                         a Json<T>)",
                        variant.ident
                    ),
                );
            }
            let attrs = attr::variant_attrs(cx, &variant.attrs);
            let (value, value_span) = match &attrs.rename {
                Some(lit) => (lit.value(), lit.span()),
                None => (unraw(&variant.ident).to_snake_case(), variant.ident.span()),
            };
            Variant {
                ident: &variant.ident,
                value,
                value_span,
                renamed_from: attrs.renamed_from,
            }
        })
        .collect();
    Some(DbEnum {
        ident: &input.ident,
        name,
        name_span,
        variants,
    })
}

fn too_long(what: &str, text: &str, fix: &str) -> String {
    format!(
        "{what} `{text}` is {} bytes long; PostgreSQL, the strictest supported database, allows {MAX_NAME}: {fix}",
        text.len()
    )
}

fn check(cx: &Ctxt, e: &DbEnum<'_>) {
    if e.name.trim().is_empty() {
        cx.syn_error(syn::Error::new(
            e.name_span,
            "#[db_enum(name = ..)] cannot be empty: it is the database type's name",
        ));
    } else if e.name.len() > MAX_NAME {
        cx.syn_error(syn::Error::new(
            e.name_span,
            too_long(
                "the enum's name",
                &e.name,
                "choose a shorter one with #[db_enum(name = \"...\")]",
            ),
        ));
    }
    // Values and former values: which variant has each.
    let mut values: BTreeMap<&str, &Variant<'_>> = BTreeMap::new();
    for variant in &e.variants {
        if variant.value.trim().is_empty() {
            cx.syn_error(syn::Error::new(
                variant.value_span,
                "#[db_enum(rename = ..)] cannot be empty: it is the value stored for the variant",
            ));
        } else if variant.value.len() > MAX_NAME {
            cx.syn_error(syn::Error::new(
                variant.value_span,
                too_long(
                    "the value",
                    &variant.value,
                    "choose a shorter one with #[db_enum(rename = \"...\")]",
                ),
            ));
        }
        if let Some(first) = values.insert(&variant.value, variant) {
            cx.syn_error(syn::Error::new(
                variant.value_span,
                format!(
                    "variant `{}` is stored as `{}`, and so is variant `{}`: one value cannot mean two variants; \
                     give one of them another #[db_enum(rename = \"...\")]",
                    variant.ident, variant.value, first.ident
                ),
            ));
            // Keep the first one's name for later messages.
            values.insert(&first.value, first);
        }
    }
    let mut former: BTreeMap<String, &Variant<'_>> = BTreeMap::new();
    for variant in &e.variants {
        let Some(lit) = &variant.renamed_from else {
            continue;
        };
        let old = lit.value();
        if old.trim().is_empty() {
            cx.error_spanned_by(
                lit,
                "#[db_enum(renamed_from = ..)] cannot be empty: it is the value the variant had before",
            );
        } else if old == variant.value {
            cx.error_spanned_by(
                lit,
                format!(
                    "the variant is already stored as `{old}`; remove renamed_from (it names the value \
                     this variant had before a rename)"
                ),
            );
        } else if let Some(other) = values.get(old.as_str()) {
            cx.error_spanned_by(
                lit,
                format!(
                    "`{old}` is the value of variant `{}` now, so it cannot be the value `{}` had before; \
                     remove renamed_from, or rename `{}` too",
                    other.ident, variant.ident, other.ident
                ),
            );
        } else if let Some(first) = former.insert(old.clone(), variant) {
            cx.error_spanned_by(
                lit,
                format!(
                    "variant `{}` is already renamed from `{old}`; one former value becomes one variant",
                    first.ident
                ),
            );
        }
    }
}

fn expand(e: &DbEnum<'_>) -> TokenStream {
    let ident = e.ident;
    let ident_text = unraw(ident);
    let name = &e.name;
    let values: Vec<&str> = e.variants.iter().map(|v| v.value.as_str()).collect();
    let variants: Vec<&Ident> = e.variants.iter().map(|v| v.ident).collect();
    let renames = e.variants.iter().filter_map(|v| {
        let old = v.renamed_from.as_ref()?.value();
        let new = &v.value;
        Some(quote!((#old, #new)))
    });
    quote! {
        const _: () = {
            impl ::retort::DbEnum for #ident {
                const META: ::retort::model::EnumMeta = ::retort::model::EnumMeta {
                    rust_path: ::core::concat!(::core::module_path!(), "::", #ident_text),
                    name: #name,
                    values: &[#(#values),*],
                    renamed_from: &[#(#renames),*],
                };

                fn as_db_str(&self) -> &'static str {
                    self.__retort_db_value()
                }

                fn from_db_str(value: &str) -> ::core::option::Option<Self> {
                    match value {
                        #(#values => ::core::option::Option::Some(Self::#variants),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            impl #ident {
                /// The value stored for this variant (a `const fn`, for
                /// `#[derive(Model)]`'s defaults).
                #[doc(hidden)]
                pub const fn __retort_db_value(&self) -> &'static str {
                    match self {
                        #(Self::#variants => #values,)*
                    }
                }

                /// Whether `value` is one of the stored values (a `const fn`,
                /// for `#[derive(Model)]`'s compile-time check of a default).
                #[doc(hidden)]
                pub const fn __retort_has_value(value: &str) -> bool {
                    const fn same(a: &[u8], b: &[u8]) -> bool {
                        if a.len() != b.len() {
                            return false;
                        }
                        let mut i = 0;
                        while i < a.len() {
                            if a[i] != b[i] {
                                return false;
                            }
                            i += 1;
                        }
                        true
                    }
                    let value = value.as_bytes();
                    #(same(value, #values.as_bytes()))||*
                }
            }

            impl ::core::convert::From<#ident> for ::retort::schema::Value {
                fn from(value: #ident) -> Self {
                    ::retort::schema::Value::Enum(::std::string::String::from(value.__retort_db_value()))
                }
            }

            impl ::core::convert::From<&#ident> for ::retort::schema::Value {
                fn from(value: &#ident) -> Self {
                    ::retort::schema::Value::Enum(::std::string::String::from(value.__retort_db_value()))
                }
            }

            ::retort::__diesel_tables! {
                ::retort::__db_enum_diesel!(#ident);
            }
        };
    }
}

/// On error: the errors, plus the impl and helpers with placeholder values so
/// that models using the enum add no cascade of unrelated errors.
fn fallback(input: &DeriveInput, errors: &syn::Error) -> TokenStream {
    let ident = &input.ident;
    let errors = errors.to_compile_error();
    if !input.generics.params.is_empty() {
        return errors;
    }
    quote! {
        #errors
        const _: () = {
            impl ::retort::DbEnum for #ident {
                const META: ::retort::model::EnumMeta = ::retort::model::EnumMeta {
                    rust_path: "",
                    name: "",
                    values: &[],
                    renamed_from: &[],
                };

                fn as_db_str(&self) -> &'static str {
                    ""
                }

                fn from_db_str(_: &str) -> ::core::option::Option<Self> {
                    ::core::option::Option::None
                }
            }

            impl #ident {
                #[doc(hidden)]
                pub const fn __retort_db_value(&self) -> &'static str {
                    ""
                }

                #[doc(hidden)]
                pub const fn __retort_has_value(_: &str) -> bool {
                    true
                }
            }
        };
    }
}

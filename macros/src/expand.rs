//! Code generation for `#[derive(Model)]`: a static `ModelMeta`, the `Model` impl,
//! and the `inventory` registration, all inside `const _: () = { .. };`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use crate::ast::{DefaultValue, Field, Model, ReferenceTarget};
use crate::check;
use crate::ctxt::Ctxt;
use crate::types::Kind;

pub fn derive(input: &DeriveInput) -> TokenStream {
    match try_expand(input) {
        Ok(tokens) => tokens,
        Err(errors) => fallback(input, errors),
    }
}

fn try_expand(input: &DeriveInput) -> Result<TokenStream, syn::Error> {
    let cx = Ctxt::new();
    let model = Model::from_ast(&cx, input);
    if let Some(model) = &model {
        check::check(&cx, model);
    }
    cx.check()?;
    let model = model.expect("errors reported when None");
    Ok(impl_model(&model))
}

/// On error: the errors, plus an impl so that uses of the type elsewhere do not
/// add a cascade of unrelated errors.
fn fallback(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let errors = errors.to_compile_error();
    quote! {
        #errors
        const _: () = {
            impl ::retort::Model for #ident {
                fn meta() -> &'static ::retort::model::ModelMeta {
                    ::core::unreachable!("the derive reported errors")
                }
            }
        };
    }
}

fn impl_model(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let name = ident.to_string();
    let table = &model.table;
    let columns = model.fields.iter().map(column_meta);
    let indexes = model.indexes.iter().map(|index| {
        let name = match &index.name {
            Some(lit) => quote!(::core::option::Option::Some(#lit)),
            None => quote!(::core::option::Option::None),
        };
        let columns = index.columns.iter().map(|c| {
            let field = model.field(c).expect("checked");
            field.column.clone()
        });
        let unique = index.unique;
        quote! {
            ::retort::model::IndexMeta {
                name: #name,
                columns: &[#(#columns),*],
                unique: #unique,
            }
        }
    });
    let checks = model.checks.iter().map(|c| {
        let (name, sql) = (&c.name, &c.sql);
        quote! { ::retort::model::CheckMeta { name: #name, sql: #sql } }
    });
    let renamed_from = option_str(model.renamed_from.as_ref().map(|l| l.value()));
    quote! {
        const _: () = {
            static __RETORT_META: ::retort::model::ModelMeta = ::retort::model::ModelMeta {
                rust_path: ::core::concat!(::core::module_path!(), "::", #name),
                table: #table,
                columns: &[#(#columns),*],
                indexes: &[#(#indexes),*],
                checks: &[#(#checks),*],
                renamed_from: #renamed_from,
            };

            impl ::retort::Model for #ident {
                fn meta() -> &'static ::retort::model::ModelMeta {
                    &__RETORT_META
                }
            }

            ::retort::__private::inventory::submit! {
                ::retort::model::Registration(&__RETORT_META)
            }
        };
    }
}

fn column_meta(field: &Field<'_>) -> TokenStream {
    let field_name = field.ident.to_string();
    let column = &field.column;
    let sql_type = sql_type(field);
    let nullable = field.nullable;
    let primary_key = field.attrs.primary_key.is_some();
    let autoincrement = match &field.attrs.autoincrement {
        Some(lit) => {
            let value = lit.value;
            quote!(::core::option::Option::Some(#value))
        }
        None => quote!(::core::option::Option::None),
    };
    let unique = field.attrs.unique.is_some();
    let index = field.attrs.index.is_some();
    let default = match &field.default {
        Some(d) => {
            let d = default_value(d);
            quote!(::core::option::Option::Some(#d))
        }
        None => quote!(::core::option::Option::None),
    };
    let references = match &field.reference {
        Some(r) => {
            let r = reference(r);
            quote!(::core::option::Option::Some(#r))
        }
        None => quote!(::core::option::Option::None),
    };
    let action = |lit: &Option<syn::LitStr>| {
        let variant = lit
            .as_ref()
            .and_then(|l| check::fk_action(&l.value()))
            .unwrap_or("NoAction");
        let variant = Ident::new(variant, Span::call_site());
        quote!(::retort::schema::FkAction::#variant)
    };
    let on_delete = action(&field.attrs.on_delete);
    let on_update = action(&field.attrs.on_update);
    let renamed_from = option_str(field.attrs.renamed_from.as_ref().map(|l| l.value()));
    quote! {
        ::retort::model::ColumnMeta {
            field: #field_name,
            name: #column,
            sql_type: #sql_type,
            nullable: #nullable,
            primary_key: #primary_key,
            autoincrement: #autoincrement,
            unique: #unique,
            index: #index,
            default: #default,
            references: #references,
            on_delete: #on_delete,
            on_update: #on_update,
            renamed_from: #renamed_from,
        }
    }
}

fn option_str(value: Option<String>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn sql_type(field: &Field<'_>) -> TokenStream {
    if let Some(lit) = &field.attrs.sql_type {
        return quote!(::retort::schema::SqlType::Custom(::std::borrow::Cow::Borrowed(#lit)));
    }
    if let (Some(Kind::String), Some(n)) = (field.kind, &field.attrs.max_length) {
        let n: u32 = n.base10_parse().unwrap_or(1);
        return quote!(::retort::schema::SqlType::Varchar(#n));
    }
    let variant = Ident::new(field.kind.map_or("Text", Kind::variant), Span::call_site());
    quote!(::retort::schema::SqlType::#variant)
}

fn default_value(default: &DefaultValue) -> TokenStream {
    let cow = |s: &str| quote!(::std::borrow::Cow::Borrowed(#s));
    match default {
        DefaultValue::Number(n) => {
            let n = cow(n);
            quote!(::retort::schema::ServerDefault::Number(#n))
        }
        DefaultValue::Bool(b) => quote!(::retort::schema::ServerDefault::Bool(#b)),
        DefaultValue::Text(s) => {
            let s = cow(s);
            quote!(::retort::schema::ServerDefault::Text(#s))
        }
        DefaultValue::Now => quote!(::retort::schema::ServerDefault::CurrentTimestamp),
        DefaultValue::CurrentDate => quote!(::retort::schema::ServerDefault::CurrentDate),
        DefaultValue::CurrentTime => quote!(::retort::schema::ServerDefault::CurrentTime),
        DefaultValue::Sql(s) => {
            let s = cow(s);
            quote!(::retort::schema::ServerDefault::Sql(#s))
        }
    }
}

fn reference(target: &ReferenceTarget) -> TokenStream {
    match target {
        ReferenceTarget::Model { path, field } => {
            // Spanned at the user's path: "`X` is not a retort model" points there.
            let span = syn::spanned::Spanned::span(path);
            let target = quote_spanned!(span=> <#path as ::retort::Model>::meta);
            let field = match field {
                Some(f) => {
                    let f = f.to_string();
                    quote!(::core::option::Option::Some(#f))
                }
                None => quote!(::core::option::Option::None),
            };
            quote! {
                ::retort::model::Reference::Model { target: #target, field: #field }
            }
        }
        ReferenceTarget::Table { table, column } => {
            let column = match column {
                Some(c) => quote!(::core::option::Option::Some(#c)),
                None => quote!(::core::option::Option::None),
            };
            quote! {
                ::retort::model::Reference::Table { table: #table, column: #column }
            }
        }
    }
}

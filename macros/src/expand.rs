//! Code generation for `#[derive(Model)]`: a static `ModelMeta`, the `Model` impl,
//! and the registration (a constructor, `inventory` on other targets), all
//! inside `const _: () = { .. };`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{DeriveInput, LitStr};

use crate::ast::{DefaultValue, Field, KeyTarget, Model, ReferenceTarget};
use crate::attr::IndexTarget;
use crate::check;
use crate::ctxt::Ctxt;
use crate::types::Kind;
use retort_vocab::FkAction;

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
                type Key = ();
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
    let table = model.qualified_table();
    let columns = model.fields.iter().map(column_meta);
    let indexes = model.indexes.iter().map(|index| {
        let name = match &index.name {
            Some(lit) => quote!(::core::option::Option::Some(#lit)),
            None => quote!(::core::option::Option::None),
        };
        let keys = index.keys.iter().map(|k| {
            let (column, expression) = match &k.target {
                IndexTarget::Field(f) => (model.field(f).expect("checked").column.clone(), false),
                IndexTarget::Expr(lit) => (lit.value(), true),
            };
            let descending = k.descending;
            let nulls = match k.nulls_first {
                Some(true) => quote!(::core::option::Option::Some(
                    ::retort::schema::NullsOrder::First
                )),
                Some(false) => quote!(::core::option::Option::Some(
                    ::retort::schema::NullsOrder::Last
                )),
                None => quote!(::core::option::Option::None),
            };
            let opclass = option_str(k.opclass.as_ref().map(LitStr::value));
            let length = match &k.length {
                Some(n) => quote!(::core::option::Option::Some(#n)),
                None => quote!(::core::option::Option::None),
            };
            quote! {
                ::retort::model::IndexKeyMeta {
                    column: #column,
                    expression: #expression,
                    descending: #descending,
                    nulls: #nulls,
                    opclass: #opclass,
                    length: #length,
                }
            }
        });
        let unique = index.unique.is_some();
        let predicate = option_str(index.predicate.as_ref().map(LitStr::value));
        let using = option_str(index.using.as_ref().map(|l| l.value().to_ascii_lowercase()));
        let include = index
            .include
            .iter()
            .map(|c| model.field(c).expect("checked").column.clone());
        let nulls_not_distinct = index.nulls_not_distinct.is_some();
        quote! {
            ::retort::model::IndexMeta {
                name: #name,
                keys: &[#(#keys),*],
                unique: #unique,
                predicate: #predicate,
                using: #using,
                include: &[#(#include),*],
                nulls_not_distinct: #nulls_not_distinct,
            }
        }
    });
    let column_names = |idents: &[Ident]| -> Vec<String> {
        idents
            .iter()
            .map(|c| model.field(c).expect("checked").column.clone())
            .collect()
    };
    let uniques = model.uniques.iter().map(|u| {
        let name = option_str(u.name.as_ref().map(|l| l.value()));
        let columns = column_names(&u.columns);
        quote! {
            ::retort::model::UniqueMeta { name: #name, columns: &[#(#columns),*] }
        }
    });
    let foreign_keys = model
        .foreign_keys
        .iter()
        .filter_map(|(fk, target)| Some((fk, target.as_ref()?)))
        .map(|(fk, target)| {
            let name = option_str(fk.name.as_ref().map(|l| l.value()));
            let columns = column_names(&fk.columns);
            let references = key_reference(target);
            let on_delete = fk_action(&fk.on_delete);
            let on_update = fk_action(&fk.on_update);
            let deferrable = deferral(fk.deferrable);
            let match_full = fk.match_full.is_some();
            quote! {
                ::retort::model::ForeignKeyMeta {
                    name: #name,
                    columns: &[#(#columns),*],
                    references: #references,
                    on_delete: #on_delete,
                    on_update: #on_update,
                    deferrable: #deferrable,
                    match_full: #match_full,
                }
            }
        });
    let checks = model.checks.iter().map(|c| {
        let (name, sql, generated) = (&c.name, &c.sql, c.generated);
        quote! { ::retort::model::CheckMeta { name: #name, sql: #sql, generated: #generated } }
    });
    let renamed_from = option_str(model.renamed_from.as_ref().map(|l| model.old_table(l)));
    let keys: Vec<&syn::Type> = model
        .fields
        .iter()
        .filter(|f| f.attrs.primary_key.is_some())
        .map(|f| f.full_ty)
        .collect();
    let key = match keys.as_slice() {
        [one] => quote!(#one),
        many => quote!((#(#many),*)),
    };
    let database_name = &model.database;
    let model_comment = option_str(model.doc.clone());
    let columns_consts = column_consts(model);
    let reference_checks = reference_checks(model);
    let enum_default_checks = enum_default_checks(model);
    let diesel = diesel_items(model);
    quote! {
        const _: () = {
            static __RETORT_META: ::retort::model::ModelMeta = ::retort::model::ModelMeta {
                rust_path: ::core::concat!(::core::module_path!(), "::", #name),
                table: #table,
                columns: &[#(#columns),*],
                indexes: &[#(#indexes),*],
                uniques: &[#(#uniques),*],
                foreign_keys: &[#(#foreign_keys),*],
                checks: &[#(#checks),*],
                renamed_from: #renamed_from,
                database: #database_name,
                comment: #model_comment,
                registry_next: ::retort::model::RegistryLink::NEW,
            };

            impl ::retort::Model for #ident {
                type Key = #key;
                fn meta() -> &'static ::retort::model::ModelMeta {
                    &__RETORT_META
                }
            }

            // Registered before `main` by a constructor (see
            // `retort::model::Registration`); `inventory` elsewhere.
            #[cfg(any(
                target_os = "linux", target_os = "android", target_os = "freebsd",
                target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly",
                target_os = "illumos", target_os = "macos", target_os = "ios", windows
            ))]
            #[used]
            #[cfg_attr(
                any(
                    target_os = "linux", target_os = "android", target_os = "freebsd",
                    target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly",
                    target_os = "illumos"
                ),
                unsafe(link_section = ".init_array")
            )]
            #[cfg_attr(
                any(target_os = "macos", target_os = "ios"),
                unsafe(link_section = "__DATA,__mod_init_func,mod_init_funcs")
            )]
            #[cfg_attr(windows, unsafe(link_section = ".CRT$XCU"))]
            static __RETORT_CTOR: extern "C" fn() = {
                extern "C" fn register() {
                    ::retort::model::register(&__RETORT_META)
                }
                register
            };
            #[cfg(not(any(
                target_os = "linux", target_os = "android", target_os = "freebsd",
                target_os = "netbsd", target_os = "openbsd", target_os = "dragonfly",
                target_os = "illumos", target_os = "macos", target_os = "ios", windows
            )))]
            ::retort::__private::inventory::submit! {
                ::retort::model::Registration(&__RETORT_META)
            }

            #columns_consts
            #reference_checks
            #enum_default_checks
        };
        #diesel
    }
}

/// `User::__retort_col_<field>` (and `__retort_pk`): each column with its Rust
/// type, so that other models' foreign keys are checked against it.
fn column_consts(model: &Model<'_>) -> TokenStream {
    let ident = model.ident;
    let consts = model.fields.iter().map(|f| {
        let name = format_ident!(
            "__retort_col_{}",
            f.ident.to_string().trim_start_matches("r#")
        );
        let ty = f.full_ty;
        let column = &f.column;
        quote! {
            #[doc(hidden)]
            #[allow(non_upper_case_globals)]
            pub const #name: ::retort::model::Field<#ty> = ::retort::model::Field::new(#column);
        }
    });
    quote! {
        impl #ident {
            #(#consts)*
        }
    }
}

/// For `references = User` / `User::field`: the column exists, and the field's
/// type fits it. Errors point at the user's tokens.
fn reference_checks(model: &Model<'_>) -> TokenStream {
    let mut out = TokenStream::new();
    for field in &model.fields {
        let Some(ReferenceTarget::Model {
            path,
            field: target,
        }) = &field.reference
        else {
            continue;
        };
        let ty = field.full_ty;
        let (span, column) = match target {
            Some(f) => {
                let name = format_ident!("__retort_col_{}", f, span = f.span());
                (f.span(), quote_spanned!(f.span()=> <#path>::#name))
            }
            None => {
                let span = syn::spanned::Spanned::span(path);
                (
                    span,
                    quote_spanned!(span=> ::retort::model::Field::<<#path as ::retort::Model>::Key>::new("")),
                )
            }
        };
        out.extend(quote_spanned! {span=>
            const _: () = ::retort::model::check_reference::<#ty, _>(&#column);
        });
    }
    // Struct-level foreign keys to a model: column by column, each field's type
    // against the referenced field's (or the key's column at that position).
    for (fk, target) in &model.foreign_keys {
        let Some(KeyTarget::Model { path, fields }) = target else {
            continue;
        };
        if !fields.is_empty() && fields.len() != fk.columns.len() {
            continue;
        }
        let path_span = syn::spanned::Spanned::span(path);
        let types: Vec<&syn::Type> = fk
            .columns
            .iter()
            .filter_map(|c| model.field(c).map(|f| f.full_ty))
            .collect();
        if types.len() != fk.columns.len() {
            continue;
        }
        if fields.is_empty() {
            // Against the key's Rust type (a tuple for a composite key), in one
            // obligation: each column's type, and the number of columns.
            let check = match types.as_slice() {
                [one] => quote_spanned! {path_span=>
                    ::retort::model::check_reference::<#one, _>(
                        &::retort::model::Field::<<#path as ::retort::Model>::Key>::new("")
                    )
                },
                many => quote_spanned! {path_span=>
                    ::retort::model::check_key::<(#(#many,)*), <#path as ::retort::Model>::Key>()
                },
            };
            out.extend(quote_spanned!(path_span=> const _: () = #check;));
            continue;
        }
        for (ty, f) in types.iter().zip(fields) {
            let name = format_ident!("__retort_col_{}", f, span = f.span());
            out.extend(quote_spanned! {f.span()=>
                const _: () = ::retort::model::check_reference::<#ty, _>(&<#path>::#name);
            });
        }
    }
    out
}

/// `default = "active"` on an enum field: the text is one of the enum's values,
/// checked when the crate compiles (the error points at the text).
fn enum_default_checks(model: &Model<'_>) -> TokenStream {
    let mut out = TokenStream::new();
    for field in model.fields.iter().filter(|f| f.db_enum) {
        let (Some(DefaultValue::Text(text)), Some(expr)) = (&field.default, &field.attrs.default)
        else {
            continue;
        };
        let ty = field.ty;
        let span = syn::spanned::Spanned::span(expr);
        let message = format!(
            "default = {text:?} is not a value of the enum `{}` (the type of `{}.{}`): write one of its \
             values (a variant's name in snake_case, or its #[db_enum(rename = \"...\")]), or a variant \
             (default = {}::...)",
            type_text(ty),
            model.ident,
            field.ident,
            type_text(ty),
        );
        out.extend(quote_spanned! {span=>
            const _: () = if !<#ty>::__retort_has_value(#text) {
                ::core::panic!(#message)
            };
        });
    }
    out
}

/// A type as written, without spaces (`Option<Status>`).
fn type_text(ty: &syn::Type) -> String {
    quote::ToTokens::to_token_stream(ty)
        .to_string()
        .replace(' ', "")
}

/// The name an enum field's type has inside its diesel `table!` module:
/// `__retort_enum_<Model>_<field>`.
fn enum_alias(model: &Model<'_>, field: &Field<'_>) -> Ident {
    format_ident!(
        "__retort_enum_{}_{}",
        model.ident.to_string().trim_start_matches("r#"),
        field.ident.to_string().trim_start_matches("r#")
    )
}

/// How the `table!` module imports an enum field's type (see [`enum_alias`]):
/// an absolute path (`crate::…`, `::…`) as it is; a single name from the
/// enclosing module (`use super::Status as …`, which also works for a model
/// declared in a function when the enum is not); any other path through a
/// hidden type alias next to the struct (which the returned item declares).
fn enum_import(model: &Model<'_>, field: &Field<'_>) -> (TokenStream, TokenStream) {
    let alias = enum_alias(model, field);
    let ty = field.ty;
    let path = match crate::types::plain_path(ty) {
        Some(path) => path,
        None => return type_alias(&alias, ty),
    };
    let absolute =
        path.leading_colon.is_some() || path.segments.first().is_some_and(|s| s.ident == "crate");
    if absolute {
        (quote!(), quote!(use #path as #alias;))
    } else if let Some(ident) = path.get_ident() {
        (quote!(), quote!(use super::#ident as #alias;))
    } else {
        type_alias(&alias, ty)
    }
}

/// A hidden `type __retort_enum_… = T;` next to the struct, and its import.
fn type_alias(alias: &Ident, ty: &syn::Type) -> (TokenStream, TokenStream) {
    let item = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        type #alias = #ty;
    };
    (item, quote!(use super::#alias;))
}

/// The module name of a model's diesel table: its table name when that is an
/// identifier, else the struct name in snake_case plus `s`.
fn table_module(model: &Model<'_>) -> Ident {
    let valid = model
        .table
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && model
            .table
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && syn::parse_str::<Ident>(&model.table).is_ok();
    if valid {
        Ident::new(&model.table, Span::call_site())
    } else {
        Ident::new(
            &crate::ast::default_table_name(model.ident),
            Span::call_site(),
        )
    }
}

/// `diesel::table!` for the model, and the joins along its foreign keys.
fn diesel_items(model: &Model<'_>) -> TokenStream {
    if !model.diesel {
        return TokenStream::new();
    }
    let ident = model.ident;
    let module = table_module(model);
    let table = &model.table;
    let sql_name = if module != table.as_str() {
        quote!(#[sql_name = #table])
    } else {
        quote!()
    };
    // `billing.invoices`: diesel qualifies the table with its schema.
    let schema = match &model.schema {
        Some(lit) => {
            let ident = Ident::new(&lit.value(), lit.span());
            quote!(#ident.)
        }
        None => quote!(),
    };
    let keys = model
        .fields
        .iter()
        .filter(|f| f.attrs.primary_key.is_some())
        .map(|f| f.ident);
    // An enum field's type is named inside the `table!` module (and its
    // `columns` module, where diesel adds a `super::` to imports that start
    // with one) by an import of the enum, renamed to the field's alias name.
    let enum_fields: Vec<&Field<'_>> = model
        .fields
        .iter()
        .filter(|f| f.db_enum && f.attrs.diesel_type.is_none())
        .collect();
    let (aliases, imports): (Vec<TokenStream>, Vec<TokenStream>) =
        enum_fields.iter().map(|f| enum_import(model, f)).unzip();
    let aliases = quote!(#(#aliases)*);
    let imports = if enum_fields.is_empty() {
        quote!()
    } else {
        quote! {
            use ::diesel::sql_types::*;
            #(#imports)*
        }
    };
    let columns = model.fields.iter().map(|f| {
        let name = f.ident;
        let base = match (&f.attrs.diesel_type, crate::types::diesel_type(f.kind)) {
            (None, _) if f.db_enum => {
                let alias = enum_alias(model, f);
                quote!(::retort::sql_types::Enum<#alias>)
            }
            (None, _) if matches!(f.kind, Some(Kind::Unsigned(_))) => {
                let signed = match f.kind {
                    Some(Kind::Unsigned(8)) => "TinyInt",
                    Some(Kind::Unsigned(16)) => "SmallInt",
                    Some(Kind::Unsigned(32)) => "Integer",
                    _ => "BigInt",
                };
                let signed = Ident::new(signed, Span::call_site());
                quote!(::retort::sql_types::Unsigned<::diesel::sql_types::#signed>)
            }
            (Some(ty), _) => quote!(#ty),
            (None, Some((krate, ty))) => {
                let krate = Ident::new(krate, Span::call_site());
                let ty = Ident::new(ty, Span::call_site());
                quote!(::#krate::sql_types::#ty)
            }
            (None, None) => quote!(::diesel::sql_types::Text),
        };
        let base = if f.array {
            quote!(::retort::sql_types::Array<#base>)
        } else {
            base
        };
        let ty = if f.nullable {
            quote!(::diesel::sql_types::Nullable<#base>)
        } else {
            base
        };
        let rename = if *name != f.column {
            let column = &f.column;
            quote!(#[sql_name = #column])
        } else {
            quote!()
        };
        quote!(#rename #name -> #ty,)
    });
    let mut joins = TokenStream::new();
    let mut seen = std::collections::BTreeSet::new();
    for field in &model.fields {
        let Some(ReferenceTarget::Model { path, field: None }) = &field.reference else {
            continue;
        };
        let key = quote!(#path).to_string();
        let is_self = path.is_ident(ident) || path.is_ident("Self");
        if is_self || !seen.insert(key) {
            continue;
        }
        let fk = field.ident;
        // Every token that names the parent points at the user's path: when it is
        // not a model, each error says so there, and they collapse into one.
        let span = syn::spanned::Spanned::span(path);
        let parent = quote_spanned!(span=> <#path as ::retort::model::ModelTable>::Table);
        let parent_value = quote_spanned!(span=> <#parent as ::core::default::Default>::default());
        let pk_ty = quote_spanned!(span=> <#parent as ::diesel::Table>::PrimaryKey);
        let pk = quote_spanned!(span=> <#parent as ::diesel::Table>::primary_key(&#parent_value));
        let on = quote_spanned! {span=>
            ::diesel::dsl::Eq<
                ::diesel::internal::table_macro::NullableExpression<#module::#fk>,
                ::diesel::internal::table_macro::NullableExpression<#pk_ty>,
            >
        };
        let join = quote_spanned! {span=>
            {
                use ::diesel::{ExpressionMethods as _, NullableExpressionMethods as _};
                #module::#fk.nullable().eq(#pk.nullable())
            }
        };
        // What diesel's `joinable!` and `allow_tables_to_appear_in_same_query!`
        // write, with the parent named through its model.
        joins.extend(quote_spanned! {span=>
            impl ::diesel::JoinTo<#parent> for #module::table
            {
                type FromClause = #parent;
                type OnClause = #on;
                fn join_target(rhs: #parent) -> (Self::FromClause, Self::OnClause) {
                    (rhs, #join)
                }
            }
            impl ::diesel::JoinTo<#module::table> for #parent
            {
                type FromClause = #module::table;
                type OnClause = #on;
                fn join_target(rhs: #module::table) -> (Self::FromClause, Self::OnClause) {
                    (rhs, #join)
                }
            }
            impl ::diesel::query_source::TableNotEqual<#parent> for #module::table {}
            impl ::diesel::query_source::TableNotEqual<#module::table> for #parent {}
        });
    }
    // Arrays need PostgreSQL's diesel types and unsigned integers MySQL's, each
    // checked at its field.
    let arrays = model.fields.iter().filter_map(|f| {
        let field = f.ident;
        let span = syn::spanned::Spanned::span(f.ty);
        if f.array {
            Some(quote_spanned!(span=> ::retort::__array_column!(#ident, #field);))
        } else if matches!(f.kind, Some(Kind::Unsigned(_))) && f.attrs.diesel_type.is_none() {
            Some(quote_spanned!(span=> ::retort::__unsigned_column!(#ident, #field);))
        } else {
            None
        }
    });
    let width = quote!(#(#arrays)*);
    // Wider than diesel's default: checked against retort's column-count features.
    let count = model.fields.len();
    let column_count = proc_macro2::Literal::usize_unsuffixed(count);
    let width = match count {
        0..=32 => width,
        // Spanned at the struct's name: the error points there.
        33..=64 => {
            quote_spanned!(ident.span()=> #width ::retort::__wide_table_64!(#ident, #column_count);)
        }
        _ => {
            quote_spanned!(ident.span()=> #width ::retort::__wide_table_128!(#ident, #column_count);)
        }
    };
    // Behind `retort`'s `diesel-tables` feature: a migrations binary that runs no
    // query does not compile any of it.
    quote! {
        ::retort::__diesel_tables! {
            #width
            #aliases
            ::diesel::table! {
                #imports
                #sql_name
                #schema #module (#(#keys),*) {
                    #(#columns)*
                }
            }

            impl ::retort::model::ModelTable for #ident {
                type Table = #module::table;
            }

            #joins
        }
    }
}

/// A field's `ColumnMeta`: what its attributes set, the rest from
/// `ColumnMeta::BASE` (fewer expressions for rustc to check per column).
fn column_meta(field: &Field<'_>) -> TokenStream {
    let field_name = field.ident.to_string();
    let column = &field.column;
    let sql_type = sql_type(field);
    let mut set: Vec<TokenStream> = Vec::new();
    let some = |value: TokenStream| quote!(::core::option::Option::Some(#value));
    let flag = |set: &mut Vec<TokenStream>, name: &str, on: bool| {
        if on {
            let name = Ident::new(name, Span::call_site());
            set.push(quote!(#name: true));
        }
    };
    let text = |set: &mut Vec<TokenStream>, name: &str, value: Option<String>| {
        if let Some(value) = value {
            let name = Ident::new(name, Span::call_site());
            set.push(quote!(#name: ::core::option::Option::Some(#value)));
        }
    };
    flag(&mut set, "array", field.array);
    flag(&mut set, "nullable", field.nullable);
    flag(&mut set, "primary_key", field.attrs.primary_key.is_some());
    if let Some(lit) = &field.attrs.autoincrement {
        let value = some(quote!(#lit));
        set.push(quote!(autoincrement: #value));
    }
    flag(&mut set, "unique", field.attrs.unique.is_some());
    flag(&mut set, "index", field.attrs.index.is_some());
    if let Some(d) = &field.default {
        let value = some(default_value(d, field));
        set.push(quote!(default: #value));
    }
    if let Some(r) = &field.reference {
        let value = some(reference(r));
        set.push(quote!(references: #value));
    }
    if field.attrs.on_delete.is_some() {
        let action = fk_action(&field.attrs.on_delete);
        set.push(quote!(on_delete: #action));
    }
    if field.attrs.on_update.is_some() {
        let action = fk_action(&field.attrs.on_update);
        set.push(quote!(on_update: #action));
    }
    if field.attrs.deferrable.span().is_some() {
        let deferrable = deferral(field.attrs.deferrable);
        set.push(quote!(deferrable: #deferrable));
    }
    let value = |lit: &Option<LitStr>| lit.as_ref().map(LitStr::value);
    text(&mut set, "unique_name", value(&field.attrs.unique_name));
    text(&mut set, "index_name", value(&field.attrs.index_name));
    text(&mut set, "fk_name", value(&field.attrs.fk_name));
    text(&mut set, "renamed_from", value(&field.attrs.renamed_from));
    text(&mut set, "comment", field.doc.clone());
    flag(
        &mut set,
        "on_update_now",
        field.attrs.on_update_now.is_some(),
    );
    text(&mut set, "generated", value(&field.attrs.generated));
    flag(&mut set, "generated_stored", field.attrs.stored.is_some());
    text(&mut set, "collation", value(&field.attrs.collation));
    if let Some(i) = &field.attrs.identity {
        let always = i.always;
        let opt = |n: Option<i64>| match n {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        };
        let (start, increment) = (opt(i.start), opt(i.increment));
        set.push(
            quote!(identity: ::core::option::Option::Some(::retort::schema::Identity {
                always: #always,
                start: #start,
                increment: #increment,
            })),
        );
    }
    if field.db_enum {
        // Spanned at the field's type: a type that is neither known nor a
        // `DbEnum` gets the trait's message there.
        let ty = field.ty;
        let meta =
            quote_spanned!(syn::spanned::Spanned::span(ty)=> <#ty as ::retort::DbEnum>::META);
        set.push(quote!(db_enum: ::core::option::Option::Some(&#meta)));
    }
    quote! {
        ::retort::model::ColumnMeta {
            field: #field_name,
            name: #column,
            sql_type: #sql_type,
            #(#set,)*
            ..::retort::model::ColumnMeta::BASE
        }
    }
}

/// `ON DELETE`/`ON UPDATE` as `FkAction` (checked before).
fn fk_action(lit: &Option<syn::LitStr>) -> TokenStream {
    let variant = lit
        .as_ref()
        .and_then(|l| FkAction::parse(&l.value()))
        .unwrap_or_default()
        .variant();
    let variant = Ident::new(variant, Span::call_site());
    quote!(::retort::schema::FkAction::#variant)
}

/// `retort::schema::Deferrable::…`.
fn deferral(d: crate::attr::Deferral) -> TokenStream {
    let variant = Ident::new(d.variant(), Span::call_site());
    quote!(::retort::schema::Deferrable::#variant)
}

/// A struct-level foreign key's target, as static data.
fn key_reference(target: &KeyTarget) -> TokenStream {
    match target {
        KeyTarget::Model { path, fields } => {
            let span = syn::spanned::Spanned::span(path);
            let target = quote_spanned!(span=> <#path as ::retort::Model>::meta);
            let fields = fields.iter().map(ToString::to_string);
            quote! {
                ::retort::model::KeyReference::Model { target: #target, fields: &[#(#fields),*] }
            }
        }
        KeyTarget::Table { table, columns } => quote! {
            ::retort::model::KeyReference::Table { table: #table, columns: &[#(#columns),*] }
        },
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
    if field.kind == Some(Kind::Decimal) {
        let digits = |lit: &Option<syn::LitInt>| {
            lit.as_ref()
                .and_then(|l| l.base10_parse::<u16>().ok())
                .unwrap_or(0)
        };
        let precision = digits(&field.attrs.precision);
        let scale = digits(&field.attrs.scale);
        return quote!(::retort::schema::SqlType::Decimal { precision: #precision, scale: #scale });
    }
    if let Some(Kind::Unsigned(bits)) = field.kind {
        return quote!(::retort::schema::SqlType::Unsigned(#bits));
    }
    let variant = Ident::new(field.kind.map_or("Text", Kind::variant), Span::call_site());
    quote!(::retort::schema::SqlType::#variant)
}

fn default_value(default: &DefaultValue, field: &Field<'_>) -> TokenStream {
    let cow = |s: &str| quote!(::std::borrow::Cow::Borrowed(#s));
    match default {
        DefaultValue::Variant(path) => {
            // `<Status>::__retort_db_value(&Status::Active)`: a path that is no
            // variant of the field's enum is rustc's error, at the path.
            let ty = field.ty;
            let span = syn::spanned::Spanned::span(path);
            let value = quote_spanned!(span=> <#ty>::__retort_db_value(&#path));
            quote!(::retort::schema::ServerDefault::Text(::std::borrow::Cow::Borrowed(#value)))
        }
        DefaultValue::Number(n) => {
            let n = cow(n);
            quote!(::retort::schema::ServerDefault::Number(#n))
        }
        DefaultValue::Bool(b) => quote!(::retort::schema::ServerDefault::Bool(#b)),
        DefaultValue::Text(s) => {
            let s = cow(s);
            quote!(::retort::schema::ServerDefault::Text(#s))
        }
        DefaultValue::Time(time) => {
            let variant = Ident::new(time.variant(), Span::call_site());
            quote!(::retort::schema::ServerDefault::#variant)
        }
        DefaultValue::Sql(s) => {
            let s = cow(s);
            quote!(::retort::schema::ServerDefault::Sql(#s))
        }
        DefaultValue::NewUuid => quote!(::retort::schema::ServerDefault::NewUuid),
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

//! The typed view of a `#[derive(Model)]` struct. Keeps references to the user's
//! tokens so that later errors point at them.

use heck::ToSnakeCase;
use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Expr, ExprCall, ExprLit, ExprUnary, Fields, Ident, Lit, Type, UnOp};

use crate::attr::{self, CheckAttr, FieldAttrs, ForeignKeyAttr, IndexAttr, UniqueAttr};
use crate::ctxt::Ctxt;
use crate::types::{self, Kind};
use retort_vocab::TimeDefault;

pub struct Model<'a> {
    pub ident: &'a Ident,
    pub table: String,
    pub table_span: Span,
    pub fields: Vec<Field<'a>>,
    pub indexes: Vec<IndexAttr>,
    /// Struct-level `unique(..)`.
    pub uniques: Vec<UniqueAttr>,
    /// Struct-level `foreign_key(..)`, with their parsed targets (`None`: an
    /// error was reported).
    pub foreign_keys: Vec<(ForeignKeyAttr, Option<KeyTarget>)>,
    pub checks: Vec<CheckAttr>,
    pub renamed_from: Option<syn::LitStr>,
    /// Emit a diesel `table!` (default; `#[model(diesel = false)]` turns it off).
    pub diesel: bool,
    /// The project database the table is in.
    pub database: String,
    /// `schema = "billing"`: the PostgreSQL schema the table is in (`None`: the
    /// connection's current schema).
    pub schema: Option<syn::LitStr>,
    /// The struct's doc comment: the table's comment.
    pub doc: Option<String>,
}

pub struct Field<'a> {
    /// The field's whole type (with `Option`).
    pub full_ty: &'a Type,
    pub ident: &'a Ident,
    /// The type without `Option`.
    pub ty: &'a Type,
    pub nullable: bool,
    /// `None` when the type is not supported (an error was reported) or when
    /// `sql_type` is given. For an array, the element's.
    pub kind: Option<Kind>,
    /// A `Vec<T>` (not `Vec<u8>`): a PostgreSQL array of `T`.
    pub array: bool,
    /// A type the derive does not know by name, and no `sql_type`: a
    /// `#[derive(DbEnum)]` enum (the trait bound says so when it is not one).
    /// `kind` is then `None`.
    pub db_enum: bool,
    pub column: String,
    pub column_span: Span,
    pub attrs: FieldAttrs,
    pub default: Option<DefaultValue>,
    pub reference: Option<ReferenceTarget>,
    /// The field's doc comment: the column's comment.
    pub doc: Option<String>,
}

/// A parsed `default = ...`.
pub enum DefaultValue {
    Number(String),
    Bool(bool),
    Text(String),
    /// `now()`, `current_date()`, `current_time()` (or the same as a string).
    Time(TimeDefault),
    Sql(String),
    /// `gen_random_uuid()`.
    NewUuid,
    /// `Status::Active`, on an enum field: the variant's value, checked by
    /// rustc (the path must be a variant of the field's enum).
    Variant(syn::ExprPath),
}

/// A parsed `references = ...`.
pub enum ReferenceTarget {
    /// `references = User` / `references = User::id`.
    Model {
        path: syn::Path,
        field: Option<Ident>,
    },
    /// `references = "users"` / `references = "users.id"`.
    Table {
        table: String,
        column: Option<String>,
    },
}

/// A parsed struct-level `foreign_key(.., references = ...)`.
pub enum KeyTarget {
    /// `references = Order` (its primary key) or `references = Order(id, version)`
    /// (those fields, in order).
    Model { path: syn::Path, fields: Vec<Ident> },
    /// `references = "orders"` or `references = "orders(id, version)"`.
    Table { table: String, columns: Vec<String> },
}

/// `User` → `users`, `OrderItem` → `order_items` (Diesel's rule).
pub fn default_table_name(ident: &Ident) -> String {
    format!("{}s", ident.to_string().to_snake_case())
}

impl<'a> Model<'a> {
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Model<'a>> {
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                _ => {
                    cx.error_spanned_by(
                        &input.ident,
                        "#[derive(Model)] needs a struct with named fields, one per column",
                    );
                    return None;
                }
            },
            _ => {
                cx.error_spanned_by(
                    &input.ident,
                    "#[derive(Model)] works on structs only, one per table",
                );
                return None;
            }
        };
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "a model cannot be generic: it describes one table",
            );
        }
        let attrs = attr::struct_attrs(cx, &input.attrs);
        let (table, table_span) = match attrs.table {
            Some((_, lit)) => (lit.value(), lit.span()),
            None => (default_table_name(&input.ident), input.ident.span()),
        };
        let fields: Vec<Field<'_>> = fields
            .iter()
            .map(|field| Field::from_ast(cx, field))
            .collect();
        // `check = "…"` on a field: a check named after the table and column.
        let mut checks = attrs.checks;
        for field in &fields {
            if let Some(sql) = &field.attrs.check {
                checks.push(attr::CheckAttr {
                    name: syn::LitStr::new(&format!("ck_{table}_{}", field.column), sql.span()),
                    sql: sql.clone(),
                    generated: true,
                });
            }
        }
        name_checks(&table, &fields, &mut checks);
        let foreign_keys = attrs
            .foreign_keys
            .into_iter()
            .map(|fk| {
                let target = fk.references.as_ref().and_then(|e| parse_key_target(cx, e));
                (fk, target)
            })
            .collect();
        Some(Model {
            ident: &input.ident,
            table,
            table_span,
            fields,
            indexes: attrs.indexes,
            uniques: attrs.uniques,
            foreign_keys,
            checks,
            renamed_from: attrs.renamed_from,
            diesel: attrs.diesel.is_none_or(|b| b.value),
            database: attrs
                .database
                .map_or_else(|| "main".to_owned(), |l| l.value()),
            schema: attrs.schema,
            doc: doc_comment(&input.attrs),
        })
    }

    /// The table's name as the registry knows it: `schema.table` when a schema
    /// is given.
    pub fn qualified_table(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", schema.value(), self.table),
            None => self.table.clone(),
        }
    }

    /// `renamed_from = "old"`: the old table in the model's schema; a name with
    /// a dot (`public.invoices`) names its schema.
    pub fn old_table(&self, renamed_from: &syn::LitStr) -> String {
        let old = renamed_from.value();
        match &self.schema {
            Some(schema) if !old.contains('.') => format!("{}.{old}", schema.value()),
            _ => old,
        }
    }

    pub fn field(&self, ident: &Ident) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.ident == ident)
    }
}

impl<'a> Field<'a> {
    fn from_ast(cx: &Ctxt, field: &'a syn::Field) -> Field<'a> {
        let ident = field.ident.as_ref().expect("named fields");
        let attrs = attr::field_attrs(cx, &field.attrs);
        let (ty, nullable) = types::unwrap_option(&field.ty);
        let element = types::array_element(ty);
        let array = element.is_some() && attrs.sql_type.is_none();
        let kind = types::kind_of(element.unwrap_or(ty));
        let mut db_enum = false;
        let unknown = kind.is_none() && attrs.sql_type.is_none();
        let type_text = |ty: &Type| {
            quote::ToTokens::to_token_stream(ty)
                .to_string()
                .replace(' ', "")
        };
        match element {
            _ if !unknown => {}
            Some(element) if types::enum_candidate(element) => cx.error_spanned_by(
                ty,
                format!(
                    "arrays of enums are not supported yet: `{}` would be a PostgreSQL array of the enum `{}`; \
                     use a child table with one row per value, or give the column's SQL type with \
                     #[model(sql_type = \"...\")] (a Vec<T> field is an array of T, one of {})",
                    type_text(ty),
                    type_text(element),
                    types::SUPPORTED.trim_end_matches(", or an Option of one of them")
                ),
            ),
            Some(element) => cx.error_spanned_by(
                element,
                format!(
                    "unsupported array element `{}`: a Vec<T> field is a PostgreSQL array of T, one of {} \
                     (not an Option, not another Vec); for another type, give its SQL type with #[model(sql_type = \"...\")]",
                    type_text(element),
                    types::SUPPORTED.trim_end_matches(", or an Option of one of them")
                ),
            ),
            None if types::is_bare_value(ty) => cx.error_spanned_by(
                ty,
                "a bare `Value` could be anything: for a JSON document write `serde_json::Value` \
                 (or its alias `JsonValue`); for an enum of yours named `Value`, write its path (`self::Value`)",
            ),
            None if types::enum_candidate(ty) => db_enum = true,
            None => cx.error_spanned_by(
                ty,
                format!(
                    "unsupported field type `{}`: a model field is {}, an enum with #[derive(retort::DbEnum)], \
                     or an Option of one of them; for another type, give its SQL type with #[model(sql_type = \"...\")]",
                    type_text(ty),
                    types::SUPPORTED.trim_end_matches(", or an Option of one of them")
                ),
            ),
        }
        let (column, column_span) = match &attrs.column {
            Some(lit) => (lit.value(), lit.span()),
            None => (ident.to_string(), ident.span()),
        };
        let default = attrs
            .default
            .as_ref()
            .and_then(|e| parse_default(cx, e, db_enum));
        let reference = attrs
            .references
            .as_ref()
            .and_then(|e| parse_reference(cx, e));
        Field {
            ident,
            full_ty: &field.ty,
            ty,
            nullable,
            kind: if attrs.sql_type.is_some() { None } else { kind },
            array,
            db_enum,
            column,
            column_span,
            attrs,
            default,
            reference,
            doc: doc_comment(&field.attrs),
        }
    }
}

/// The `///` lines of an item, as one text (each line's first space dropped,
/// blank lines at the ends trimmed): its comment in the database.
pub fn doc_comment(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(s), ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .flat_map(|text| {
            // `split`, not `lines`: an empty `///` line is a blank line of the comment.
            text.split('\n')
                .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let text = lines.join("\n");
    let text = text.trim_matches('\n');
    (!text.trim().is_empty()).then(|| text.to_owned())
}

/// `db_enum`: the field is an enum, whose default may be a variant.
fn parse_default(cx: &Ctxt, expr: &Expr, db_enum: bool) -> Option<DefaultValue> {
    match expr {
        Expr::Path(path) if db_enum && path.qself.is_none() => {
            Some(DefaultValue::Variant(path.clone()))
        }
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Int(i) => Some(DefaultValue::Number(i.base10_digits().to_owned())),
            Lit::Float(f) => Some(DefaultValue::Number(f.base10_digits().to_owned())),
            Lit::Bool(b) => Some(DefaultValue::Bool(b.value)),
            Lit::Str(s) => Some(match TimeDefault::parse(&s.value()) {
                Some(time) => DefaultValue::Time(time),
                None => DefaultValue::Text(s.value()),
            }),
            _ => {
                cx.error_spanned_by(lit, UNSUPPORTED_DEFAULT);
                None
            }
        },
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match parse_default(cx, expr, false)? {
            DefaultValue::Number(n) => Some(DefaultValue::Number(format!("-{n}"))),
            _ => {
                cx.error_spanned_by(expr, UNSUPPORTED_DEFAULT);
                None
            }
        },
        Expr::Call(ExprCall { func, args, .. }) => {
            let name = match &**func {
                Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
                _ => None,
            };
            let time = name.as_deref().and_then(TimeDefault::from_function);
            match (name.as_deref(), args.len()) {
                (Some(_), 0) if time.is_some() => time.map(DefaultValue::Time),
                (Some("gen_random_uuid"), 0) => Some(DefaultValue::NewUuid),
                (Some("sql"), 1) => match &args[0] {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) if !s.value().trim().is_empty() => Some(DefaultValue::Sql(s.value())),
                    other => {
                        cx.error_spanned_by(
                            other,
                            "sql(..) takes the SQL expression as a string: sql(\"lower('X')\")",
                        );
                        None
                    }
                },
                _ => {
                    cx.error_spanned_by(expr, UNSUPPORTED_DEFAULT);
                    None
                }
            }
        }
        _ => {
            cx.error_spanned_by(expr, UNSUPPORTED_DEFAULT);
            None
        }
    }
}

const UNSUPPORTED_DEFAULT: &str = "unsupported default: write a literal (default = 0, default = true, \
default = \"pending\"), the current time (default = now(), current_date(), current_time()), a new UUID \
(default = gen_random_uuid()), or an SQL expression (default = sql(\"...\"))";

fn parse_reference(cx: &Ctxt, expr: &Expr) -> Option<ReferenceTarget> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => {
            let mut path = p.path.clone();
            let last = path.segments.last().expect("paths are not empty");
            let is_field = path.segments.len() >= 2
                && last.arguments.is_empty()
                && last
                    .ident
                    .to_string()
                    .starts_with(|c: char| c.is_lowercase() || c == '_');
            if is_field {
                let field = path.segments.pop().expect("checked").into_value().ident;
                // Drop the trailing `::` left behind.
                let segments = path.segments.into_iter().collect();
                path.segments = segments;
                Some(ReferenceTarget::Model {
                    path,
                    field: Some(field),
                })
            } else {
                Some(ReferenceTarget::Model { path, field: None })
            }
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            let value = s.value();
            let (table, column) = match value.split_once('.') {
                Some((t, c)) => (t.to_owned(), Some(c.to_owned())),
                None => (value.clone(), None),
            };
            if table.is_empty() || column.as_deref() == Some("") {
                cx.error_spanned_by(
                    s,
                    "write references = \"table\" or references = \"table.column\"",
                );
                return None;
            }
            Some(ReferenceTarget::Table { table, column })
        }
        other => {
            cx.syn_error(syn::Error::new(
                other.span(),
                "references takes a model (references = User), a model's field (references = User::id), \
                 or a table by name (references = \"users.id\")",
            ));
            None
        }
    }
}

const KEY_TARGET: &str = "references takes a model (references = Order: its primary key), some of its fields \
(references = Order(id, version)), or a table by name (references = \"orders\" or \"orders(id, version)\")";

/// `Order`, `Order(id, version)`, `"orders"`, `"orders(id, version)"`.
fn parse_key_target(cx: &Ctxt, expr: &Expr) -> Option<KeyTarget> {
    match expr {
        Expr::Path(p) if p.qself.is_none() => Some(KeyTarget::Model {
            path: p.path.clone(),
            fields: Vec::new(),
        }),
        Expr::Call(ExprCall { func, args, .. }) => {
            let Expr::Path(p) = &**func else {
                cx.error_spanned_by(func, KEY_TARGET);
                return None;
            };
            let mut fields = Vec::new();
            for arg in args {
                match arg {
                    Expr::Path(f) if f.path.get_ident().is_some() => {
                        fields.push(f.path.get_ident().expect("checked").clone());
                    }
                    other => {
                        cx.error_spanned_by(other, "expected a field of the referenced model");
                        return None;
                    }
                }
            }
            if fields.is_empty() {
                cx.error_spanned_by(expr, KEY_TARGET);
                return None;
            }
            Some(KeyTarget::Model {
                path: p.path.clone(),
                fields,
            })
        }
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            let value = s.value();
            let (table, columns) = match value.split_once('(') {
                Some((table, rest)) => match rest.strip_suffix(')') {
                    Some(list) => (
                        table.trim().to_owned(),
                        list.split(',').map(|c| c.trim().to_owned()).collect(),
                    ),
                    None => (String::new(), Vec::new()),
                },
                None => (value.trim().to_owned(), Vec::new()),
            };
            if table.is_empty() || columns.iter().any(String::is_empty) {
                cx.error_spanned_by(s, KEY_TARGET);
                return None;
            }
            Some(KeyTarget::Table { table, columns })
        }
        other => {
            cx.error_spanned_by(other, KEY_TARGET);
            None
        }
    }
}

/// Names for struct-level checks written without one: `ck_<table>_<column>`
/// after the first column the condition names (`price > 0` on `products`:
/// `ck_products_price`), `ck_<table>_check` when it names none, with `_2`, `_3`
/// where that name is taken. Stable under reordering and edits elsewhere.
fn name_checks(table: &str, fields: &[Field<'_>], checks: &mut [CheckAttr]) {
    let mut taken: std::collections::BTreeSet<String> = checks
        .iter()
        .filter(|c| !c.name.value().is_empty())
        .map(|c| c.name.value())
        .collect();
    for check in checks.iter_mut().filter(|c| c.name.value().is_empty()) {
        let sql = check.sql.value();
        let column = sql_identifiers(&sql)
            .into_iter()
            .find(|word| fields.iter().any(|f| f.column == *word));
        let base = format!("ck_{table}_{}", column.as_deref().unwrap_or("check"));
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        check.name = syn::LitStr::new(&name, check.sql.span());
    }
}

/// The identifiers of an SQL expression, in order: bare words and `"quoted"` or
/// `` `quoted` `` names, outside string literals.
fn sql_identifiers(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                // A string literal ('' inside is a quote).
                while let Some(d) = chars.next() {
                    if d == '\'' && chars.peek() != Some(&'\'') {
                        break;
                    }
                    if d == '\'' {
                        chars.next();
                    }
                }
            }
            '"' | '`' => {
                let word: String = chars.by_ref().take_while(|d| *d != c).collect();
                out.push(word);
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut word = c.to_string();
                while let Some(d) = chars.peek().copied() {
                    if d.is_ascii_alphanumeric() || d == '_' {
                        word.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(word);
            }
            c if c.is_ascii_digit() => {
                while chars
                    .peek()
                    .is_some_and(|d| d.is_ascii_alphanumeric() || *d == '.')
                {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    out
}

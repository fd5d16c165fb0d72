//! `import`: Rust source for the models of a live database, `#[derive(Model)]`
//! structs (and `#[derive(DbEnum)]` enums) with every attribute the schema needs,
//! so that right after import the models and the database compare equal.
//!
//! Pure: [`models_source`] turns a [`Schema`] (as introspection reads it) into
//! one formatted module. Names the database gave its objects are kept where they
//! differ from Retort's convention (a baseline revision then builds the same
//! names); what a model cannot say is listed, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use retort::schema::{
    naming, Column, Deferrable, FkAction, ForeignKey, Schema, ServerDefault, SqlType, Table,
};
use retort::Backend;

/// What [`models_source`] wrote, and what it had to approximate or leave out.
#[derive(Debug, Clone, Default)]
pub struct ImportedModels {
    /// The module's Rust source, formatted.
    pub source: String,
    /// How many models it declares.
    pub models: usize,
    /// What the models say only approximately (`table.column: ...`), also written
    /// as doc comments on the fields.
    pub approximations: Vec<String>,
    /// What Retort cannot express at all (views, triggers, tables without a
    /// primary key...), also listed at the top of the module.
    pub unsupported: Vec<String>,
    /// Tables left out (no primary key): `exclude` them in `Retort.toml`, or
    /// the first autogenerate drops them.
    pub skipped_tables: Vec<String>,
    /// Features of the `retort` crate the module needs (`uuid`, `json`, `decimal`).
    pub features: BTreeSet<&'static str>,
    /// Crates the module names (`chrono`, `uuid`, `serde_json`, `bigdecimal`).
    pub crates: BTreeSet<&'static str>,
}

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// A Rust identifier for a database name: snake_case (or UpperCamelCase),
/// ASCII, not a keyword, not starting with a digit, not in `used`.
fn ident_for(name: &str, camel: bool, used: &mut BTreeSet<String>) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut base = if camel {
        cleaned.to_upper_camel_case()
    } else {
        cleaned.to_snake_case()
    };
    if base.is_empty() {
        base = if camel {
            "Unnamed".into()
        } else {
            "unnamed".into()
        };
    }
    if base.starts_with(|c: char| c.is_ascii_digit()) {
        base = if camel {
            format!("N{base}")
        } else {
            format!("n_{base}")
        };
    }
    if KEYWORDS.contains(&base.as_str()) {
        base.push('_');
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{base}{}{n}", if camel { "" } else { "_" });
        n += 1;
    }
    candidate
}

/// `orders` → `Order`, `categories` → `Category`, `news` → `News`.
fn singular(table: &str) -> String {
    if let Some(stem) = table.strip_suffix("ies") {
        format!("{stem}y")
    } else if table.ends_with('s') && !table.ends_with("ss") && table.len() > 1 {
        table[..table.len() - 1].to_owned()
    } else {
        table.to_owned()
    }
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A database comment as doc comment lines (`///`), which the derive reads back
/// as the same comment.
fn comment_docs(comment: Option<&str>) -> Vec<TokenStream> {
    comment
        .map(|c| c.split('\n').map(doc).collect())
        .unwrap_or_default()
}

fn doc(text: &str) -> TokenStream {
    let text = format!(" {text}");
    quote!(#[doc = #text])
}

/// An enum the module declares: its Rust name, database name and values.
struct EnumDecl {
    rust: String,
    /// PostgreSQL's type name (empty elsewhere: the column's type).
    db_name: String,
    values: Vec<String>,
}

struct Names {
    /// table → struct name.
    structs: BTreeMap<String, String>,
    /// table → its primary key's columns.
    primary_keys: BTreeMap<String, Vec<String>>,
    /// table → the other tables its single-column foreign keys reference.
    foreign_targets: BTreeMap<String, BTreeSet<String>>,
    /// (table, column) → field name.
    fields: BTreeMap<(String, String), String>,
    /// PostgreSQL enum name, or `table.column` → enum declaration index.
    enums: BTreeMap<String, usize>,
    enum_decls: Vec<EnumDecl>,
}

fn enum_key(table: &str, column: &str, ty: &SqlType) -> Option<String> {
    let inner = match ty {
        SqlType::Array(inner) => inner,
        other => other,
    };
    match inner {
        SqlType::Enum { name, .. } if !name.is_empty() => Some(name.clone()),
        SqlType::Enum { .. } => Some(format!("{table}.{column}")),
        _ => None,
    }
}

fn names(schema: &Schema, tables: &[&Table]) -> Names {
    let mut used_types = BTreeSet::new();
    let mut structs = BTreeMap::new();
    for table in tables {
        let name = ident_for(&singular(&table.name), true, &mut used_types);
        structs.insert(table.name.clone(), name);
    }
    let mut fields = BTreeMap::new();
    let mut enums = BTreeMap::new();
    let mut enum_decls = Vec::new();
    for table in tables {
        let mut used = BTreeSet::new();
        for column in &table.columns {
            let f = ident_for(&column.name, false, &mut used);
            fields.insert((table.name.clone(), column.name.clone()), f);
            if let Some(key) = enum_key(&table.name, &column.name, &column.sql_type) {
                if enums.contains_key(&key) {
                    continue;
                }
                let SqlType::Enum { name, values } = &column.sql_type else {
                    continue;
                };
                let (rust_seed, db_name) = if name.is_empty() {
                    (
                        format!("{}_{}", singular(&table.name), column.name),
                        String::new(),
                    )
                } else {
                    (name.clone(), name.clone())
                };
                let rust = ident_for(&rust_seed, true, &mut used_types);
                let values = schema
                    .enums
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| values.clone());
                enums.insert(key, enum_decls.len());
                enum_decls.push(EnumDecl {
                    rust,
                    db_name,
                    values,
                });
            }
        }
    }
    Names {
        structs,
        primary_keys: tables
            .iter()
            .map(|t| (t.name.clone(), t.primary_key.clone()))
            .collect(),
        foreign_targets: tables
            .iter()
            .map(|t| {
                let targets = t
                    .foreign_keys
                    .iter()
                    .filter(|fk| fk.columns.len() == 1 && fk.ref_table != t.name)
                    .map(|fk| fk.ref_table.clone())
                    .collect();
                (t.name.clone(), targets)
            })
            .collect(),
        fields,
        enums,
        enum_decls,
    }
}

/// The Rust type of a column's values (without `Option`), the attributes the
/// type needs, and what it approximates.
struct FieldType {
    ty: TokenStream,
    attrs: Vec<TokenStream>,
    approximation: Option<String>,
    /// The diesel `table!` cannot name it: the model gets `diesel = false`.
    no_diesel: Option<String>,
}

fn field_type(table: &str, column: &Column, names: &Names, out: &mut ImportedModels) -> FieldType {
    let mut attrs = Vec::new();
    let mut approximation = None;
    let mut no_diesel = None;
    let ty = scalar_type(table, column, &column.sql_type, names, out, &mut attrs)
        .map(|ty| match &column.sql_type {
            SqlType::Array(_) => quote!(Vec<#ty>),
            _ => ty,
        })
        .unwrap_or_else(|| {
            let sql = custom_sql(&column.sql_type);
            attrs.push(quote!(sql_type = #sql));
            approximation = Some(format!(
                "`{sql}` has no Rust type Retort knows: the column keeps its SQL type (`sql_type`) and is read as a String"
            ));
            no_diesel = Some(format!("`{}` has no diesel type", column.name));
            quote!(String)
        });
    if column.sql_type == SqlType::TimestampTz {
        no_diesel = Some(format!(
            "`{}` is a zoned timestamp, which diesel names per backend (diesel_type = diesel::sql_types::Timestamptz on PostgreSQL)",
            column.name
        ));
    }
    FieldType {
        ty,
        attrs,
        approximation,
        no_diesel,
    }
}

/// The SQL type as the database names it, for `sql_type = "..."`.
fn custom_sql(ty: &SqlType) -> String {
    match ty {
        SqlType::Custom(s) => s.to_string(),
        SqlType::Array(inner) => format!("{}[]", custom_sql(inner)),
        other => format!("{other:?}"),
    }
}

fn scalar_type(
    table: &str,
    column: &Column,
    ty: &SqlType,
    names: &Names,
    out: &mut ImportedModels,
    attrs: &mut Vec<TokenStream>,
) -> Option<TokenStream> {
    Some(match ty {
        SqlType::SmallInt => quote!(i16),
        SqlType::Integer => quote!(i32),
        SqlType::BigInt => quote!(i64),
        SqlType::Real => quote!(f32),
        SqlType::Double => quote!(f64),
        SqlType::Boolean => quote!(bool),
        SqlType::Text => quote!(String),
        SqlType::Varchar(n) => {
            let n = Literal::u32_unsuffixed(*n);
            attrs.push(quote!(max_length = #n));
            quote!(String)
        }
        SqlType::Blob => quote!(Vec<u8>),
        SqlType::Date => {
            out.crates.insert("chrono");
            quote!(chrono::NaiveDate)
        }
        SqlType::Time => {
            out.crates.insert("chrono");
            quote!(chrono::NaiveTime)
        }
        SqlType::Timestamp => {
            out.crates.insert("chrono");
            quote!(chrono::NaiveDateTime)
        }
        SqlType::TimestampTz => {
            out.crates.insert("chrono");
            quote!(chrono::DateTime<chrono::Utc>)
        }
        SqlType::Uuid => {
            out.crates.insert("uuid");
            out.features.insert("uuid");
            quote!(uuid::Uuid)
        }
        SqlType::Json => {
            out.crates.insert("serde_json");
            out.features.insert("json");
            quote!(serde_json::Value)
        }
        SqlType::Decimal { precision, scale } => {
            out.crates.insert("bigdecimal");
            out.features.insert("decimal");
            let (p, sc) = (
                Literal::u16_unsuffixed(*precision),
                Literal::u16_unsuffixed(*scale),
            );
            attrs.push(quote!(precision = #p));
            if *scale != 0 {
                attrs.push(quote!(scale = #sc));
            }
            quote!(bigdecimal::BigDecimal)
        }
        SqlType::Unsigned(bits) => match bits {
            8 => quote!(u8),
            16 => quote!(u16),
            32 => quote!(u32),
            _ => quote!(u64),
        },
        SqlType::Array(inner) => match &**inner {
            SqlType::Array(_) | SqlType::Enum { .. } | SqlType::Custom(_) => return None,
            inner => scalar_type(table, column, inner, names, out, attrs)?,
        },
        SqlType::Enum { .. } => {
            let key = enum_key(table, &column.name, ty)?;
            let decl = &names.enum_decls[*names.enums.get(&key)?];
            let name = ident(&decl.rust);
            quote!(#name)
        }
        SqlType::Custom(_) => return None,
    })
}

/// `default = …` for a column, or an approximation note.
fn default_attr(column: &Column, field: &FieldType) -> Option<TokenStream> {
    let default = column.default.as_ref()?;
    let textual = matches!(
        column.sql_type,
        SqlType::Text
            | SqlType::Varchar(_)
            | SqlType::Date
            | SqlType::Time
            | SqlType::Timestamp
            | SqlType::TimestampTz
            | SqlType::Uuid
            | SqlType::Json
            | SqlType::Enum { .. }
    ) && field.approximation.is_none();
    let temporal = matches!(
        column.sql_type,
        SqlType::Date | SqlType::Time | SqlType::Timestamp | SqlType::TimestampTz | SqlType::Text
    ) || matches!(column.sql_type, SqlType::Varchar(_));
    let sql = |s: &str| quote!(default = sql(#s));
    Some(match default {
        ServerDefault::Number(n) if field.approximation.is_none() => number_literal(n)
            .map(|lit| quote!(default = #lit))
            .unwrap_or_else(|| sql(n)),
        ServerDefault::Bool(b) if column.sql_type == SqlType::Boolean => quote!(default = #b),
        ServerDefault::Text(t) if textual => {
            let t = t.to_string();
            quote!(default = #t)
        }
        ServerDefault::CurrentTimestamp if temporal => quote!(default = now()),
        ServerDefault::CurrentDate if temporal => quote!(default = current_date()),
        ServerDefault::CurrentTime if temporal => quote!(default = current_time()),
        ServerDefault::NewUuid if column.sql_type == SqlType::Uuid => {
            quote!(default = gen_random_uuid())
        }
        ServerDefault::Sql(s) => sql(s),
        other => {
            let text = match other {
                ServerDefault::Number(n) => n.to_string(),
                ServerDefault::Bool(b) => b.to_string(),
                ServerDefault::Text(t) => format!("'{}'", t.replace('\'', "''")),
                ServerDefault::CurrentTimestamp => "CURRENT_TIMESTAMP".into(),
                ServerDefault::CurrentDate => "CURRENT_DATE".into(),
                ServerDefault::CurrentTime => "CURRENT_TIME".into(),
                ServerDefault::NewUuid => "gen_random_uuid()".into(),
                ServerDefault::Sql(s) => s.to_string(),
            };
            sql(&text)
        }
    })
}

/// `5`, `-2`, `1.5` as a literal (with its sign).
fn number_literal(n: &str) -> Option<TokenStream> {
    let (negative, digits) = match n.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, n),
    };
    let lit = if digits.contains(['.', 'e', 'E']) {
        let v: f64 = digits.parse().ok()?;
        if !v.is_finite() {
            return None;
        }
        Literal::f64_unsuffixed(v)
    } else {
        Literal::u64_unsuffixed(digits.parse().ok()?)
    };
    Some(if negative {
        quote!(-#lit)
    } else {
        quote!(#lit)
    })
}

fn action_attrs(fk: &ForeignKey) -> Vec<TokenStream> {
    let mut attrs = Vec::new();
    for (key, action) in [("on_delete", fk.on_delete), ("on_update", fk.on_update)] {
        if action != FkAction::NoAction {
            let key = ident(key);
            let word = action.as_sql().to_lowercase();
            attrs.push(quote!(#key = #word));
        }
    }
    if fk.match_full && fk.columns.len() > 1 {
        attrs.push(quote!(match_full));
    }
    match fk.deferrable {
        Deferrable::No => {}
        Deferrable::Immediate => attrs.push(quote!(deferrable)),
        Deferrable::Deferred => attrs.push(quote!(initially_deferred)),
    }
    attrs
}

fn strs(columns: &[String]) -> Vec<&str> {
    columns.iter().map(String::as_str).collect()
}

/// Writes the models of `schema` (read from a `backend` database) as one Rust
/// module for the project database `database`. `other_objects` are what the
/// database holds besides tables (views, triggers...), listed as unsupported.
pub fn models_source(
    schema: &Schema,
    backend: Backend,
    database: &str,
    other_objects: &[String],
) -> ImportedModels {
    let mut out = ImportedModels {
        unsupported: other_objects.to_vec(),
        ..ImportedModels::default()
    };
    let mut tables: Vec<&Table> = Vec::new();
    for table in schema.tables.values() {
        if table.primary_key.is_empty() {
            out.skipped_tables.push(table.name.clone());
            out.unsupported.push(format!(
                "table `{}` has no primary key, which every model has: it is left out; keep \
                 autogenerate from dropping it with `exclude_tables = [\"{}\"]` in Retort.toml \
                 (or --exclude {}), or give it a key and import again",
                table.name, table.name, table.name
            ));
        } else {
            tables.push(table);
        }
    }
    let names = names(schema, &tables);
    let mut items = Vec::new();
    for decl in &names.enum_decls {
        items.push(enum_item(decl));
    }
    for table in &tables {
        items.push(model_item(table, &names, backend, database, &mut out));
        out.models += 1;
    }
    let backend_name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
        Backend::Mysql => "MySQL/MariaDB",
    };
    let mut header = vec![
        format!(
            " Models imported by `import` from a {backend_name} database: one struct per table,"
        ),
        " with the names the database gave its keys, indexes and constraints.".to_owned(),
    ];
    if !out.features.is_empty() || !out.crates.is_empty() {
        header.push(String::new());
        header.push(format!(
            " Needs: retort with the features {}; the crates {}.",
            list(out.features.iter()),
            list(out.crates.iter())
        ));
    }
    if !out.approximations.is_empty() {
        header.push(String::new());
        header.push(" Approximated:".to_owned());
        for what in &out.approximations {
            header.push(format!(" - {what}"));
        }
    }
    if !out.unsupported.is_empty() {
        header.push(String::new());
        header.push(" Not imported (Retort cannot express it):".to_owned());
        for what in &out.unsupported {
            header.push(format!(" - {what}"));
        }
    }
    let header = header.iter().map(|line| quote!(#![doc = #line]));
    let uses_enums = !names.enum_decls.is_empty();
    let imports = if uses_enums {
        quote!(
            use retort::{DbEnum, Model};
        )
    } else {
        quote!(
            use retort::Model;
        )
    };
    let file = quote! {
        #(#header)*
        #imports
        #(#items)*
    };
    out.source = match syn::parse2::<syn::File>(file.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => file.to_string(),
    };
    out
}

fn list<'a>(items: impl Iterator<Item = &'a &'static str>) -> String {
    let v: Vec<String> = items.map(|s| format!("`{s}`")).collect();
    if v.is_empty() {
        "none".to_owned()
    } else {
        v.join(", ")
    }
}

fn enum_item(decl: &EnumDecl) -> TokenStream {
    let name = ident(&decl.rust);
    let mut used = BTreeSet::new();
    let variants = decl.values.iter().map(|value| {
        let variant = ident_for(value, true, &mut used);
        let rename = if variant.to_snake_case() == *value {
            quote!()
        } else {
            quote!(#[db_enum(rename = #value)])
        };
        let variant = ident(&variant);
        quote!(#rename #variant,)
    });
    let db_name = if !decl.db_name.is_empty() && decl.rust.to_snake_case() != decl.db_name {
        let n = &decl.db_name;
        quote!(#[db_enum(name = #n)])
    } else {
        quote!()
    };
    let what = if decl.db_name.is_empty() {
        "An enum column's values.".to_owned()
    } else {
        format!("The database enum `{}`.", decl.db_name)
    };
    let doc = doc(&what);
    quote! {
        #doc
        #[derive(Debug, Clone, Copy, PartialEq, Eq, DbEnum)]
        #db_name
        pub enum #name {
            #(#variants)*
        }
    }
}

fn model_item(
    table: &Table,
    names: &Names,
    backend: Backend,
    database: &str,
    out: &mut ImportedModels,
) -> TokenStream {
    let t = &table.name;
    let struct_name = &names.structs[t];
    let field_of =
        |table: &str, column: &str| names.fields.get(&(table.to_owned(), column.to_owned()));
    let mut struct_attrs: Vec<TokenStream> = Vec::new();
    let (schema, bare) = retort::schema::split_schema(t);
    if format!("{}s", struct_name.to_snake_case()) != bare {
        struct_attrs.push(quote!(table = #bare));
    }
    if let Some(schema) = schema {
        struct_attrs.push(quote!(schema = #schema));
    }
    if database != "main" {
        struct_attrs.push(quote!(database = #database));
    }
    // Doc comments are the database's comments (the derive makes them comments
    // again); what import has to say goes to the module's header.
    let struct_docs = comment_docs(table.comment.as_deref());
    let single_pk = table.primary_key.len() == 1;
    let mut no_diesel: Vec<String> = Vec::new();
    if let Some(other) = names
        .structs
        .keys()
        .find(|o| *o != t && retort::schema::split_schema(o).1 == bare)
    {
        no_diesel.push(format!(
            "`{other}` has the same name in another schema, and diesel's table! modules would collide"
        ));
    }
    if let Some(schema) = schema.filter(|s| syn::parse_str::<Ident>(s).is_err()) {
        no_diesel.push(format!(
            "schema `{schema}` is not a Rust identifier, which diesel's table! needs"
        ));
    }
    match table.columns.len() {
        0..=32 => {}
        n @ 33..=128 => no_diesel.push(format!(
            "{n} columns, more than diesel's table! takes by default (turn on retort's `{}-column-tables` feature)",
            if n <= 64 { 64 } else { 128 }
        )),
        n => no_diesel.push(format!("{n} columns, more than diesel's table! takes")),
    }
    // Objects a field's attribute cannot say go on the struct.
    // A field's `references` makes diesel joins both ways, which two tables that
    // reference each other cannot both have: the second (by name) declares its
    // key on the struct, which makes none.
    let mutual = |fk: &ForeignKey| {
        fk.ref_table < *t
            && names
                .foreign_targets
                .get(&fk.ref_table)
                .is_some_and(|targets| targets.contains(t))
    };
    let mut field_fk: BTreeMap<&str, &ForeignKey> = BTreeMap::new();
    for fk in &table.foreign_keys {
        if fk.columns.len() == 1 && !field_fk.contains_key(fk.columns[0].as_str()) && !mutual(fk) {
            field_fk.insert(&fk.columns[0], fk);
        }
    }
    let mut fields = Vec::new();
    for column in &table.columns {
        let c = &column.name;
        let field = ident(&names.fields[&(t.clone(), c.clone())]);
        let ft = field_type(t, column, names, out);
        let mut attrs = Vec::new();
        if field != c.as_str() {
            attrs.push(quote!(column = #c));
        }
        let pk = table.primary_key.contains(c);
        if pk {
            attrs.push(quote!(primary_key));
        }
        attrs.extend(ft.attrs.iter().cloned());
        let integer = matches!(
            column.sql_type,
            SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::Unsigned(_)
        );
        if pk && single_pk && integer && !column.autoincrement {
            attrs.push(quote!(autoincrement = false));
        } else if pk && !single_pk && integer && column.autoincrement {
            attrs.push(quote!(autoincrement = true));
        } else if !pk && column.autoincrement {
            let note = format!(
                "`{t}.{c}` counts up (AUTO_INCREMENT/identity) without being the primary key, which a model cannot say"
            );
            out.approximations.push(note);
        }
        if !(column.autoincrement && pk) {
            if let Some(default) = default_attr(column, &ft) {
                attrs.push(default);
            }
        }
        if column.on_update_now {
            attrs.push(quote!(on_update = now()));
        }
        if let Some(collation) = &column.collation {
            attrs.push(quote!(collation = #collation));
        }
        let identity = column
            .identity
            .and_then(retort::schema::Identity::normalized)
            .filter(|_| pk && single_pk);
        if let Some(identity) = identity {
            let mut parts = Vec::new();
            if identity.always {
                parts.push(quote!(always));
            }
            if let Some(n) = identity.start {
                let n = proc_macro2::Literal::i64_unsuffixed(n);
                parts.push(quote!(start = #n));
            }
            if let Some(n) = identity.increment {
                let n = proc_macro2::Literal::i64_unsuffixed(n);
                parts.push(quote!(increment = #n));
            }
            attrs.push(quote!(identity(#(#parts),*)));
        }
        if let Some(generated) = &column.generated {
            let expr = &generated.expr;
            attrs.push(quote!(generated = #expr));
            if generated.stored {
                attrs.push(quote!(stored));
            }
        }
        if let Some(u) = table
            .uniques
            .iter()
            .find(|u| u.columns.len() == 1 && u.columns[0] == *c)
        {
            match &u.name {
                Some(n) if *n != naming::unique(t, &[c]) => attrs.push(quote!(unique(name = #n))),
                _ => attrs.push(quote!(unique)),
            }
        }
        if let Some(ix) = table.indexes.iter().find(|i| {
            i.columns.len() == 1 && i.columns[0].column == *c && !i.unique && i.is_plain()
        }) {
            if ix.name == naming::index(t, &[c]) {
                attrs.push(quote!(index));
            } else {
                let n = &ix.name;
                attrs.push(quote!(index(name = #n)));
            }
        }
        if let Some(fk) = field_fk.get(c.as_str()) {
            match reference(fk, names) {
                Some((target, to_pk)) => {
                    let target = ident(target);
                    if to_pk {
                        attrs.push(quote!(references = #target));
                    } else {
                        let f = ident(
                            field_of(&fk.ref_table, &fk.ref_columns[0]).expect("known table"),
                        );
                        attrs.push(quote!(references = #target::#f));
                    }
                    attrs.extend(action_attrs(fk));
                    if let Some(n) = &fk.name {
                        if *n != naming::foreign_key(t, &[c], &fk.ref_table) {
                            attrs.push(quote!(fk_name = #n));
                        }
                    }
                }
                None => skipped_fk(t, fk, out),
            }
        }
        if let Some(note) = &ft.approximation {
            out.approximations.push(format!("`{t}.{c}`: {note}"));
        }
        if let Some(why) = ft.no_diesel {
            no_diesel.push(why);
        }
        let ty = ft.ty;
        let ty = if column.nullable && !pk {
            quote!(Option<#ty>)
        } else {
            ty
        };
        let model = if attrs.is_empty() {
            quote!()
        } else {
            quote!(#[model(#(#attrs),*)])
        };
        let docs = comment_docs(column.comment.as_deref());
        fields.push(quote! {
            #(#docs)*
            #model
            pub #field: #ty,
        });
    }
    let field_list = |columns: &[String]| -> Vec<Ident> {
        columns
            .iter()
            .map(|c| ident(field_of(t, c).expect("a column of the table")))
            .collect()
    };
    for u in table.uniques.iter().filter(|u| u.columns.len() > 1) {
        let cols = field_list(&u.columns);
        match &u.name {
            Some(n) if *n != naming::unique(t, &strs(&u.columns)) => {
                struct_attrs.push(quote!(unique(name = #n, columns(#(#cols),*))));
            }
            _ => struct_attrs.push(quote!(unique(columns(#(#cols),*)))),
        }
    }
    for ix in &table.indexes {
        if ix.columns.len() == 1 && !ix.unique && ix.is_plain() {
            continue;
        }
        let keys = ix.columns.iter().map(|k| {
            let mut key = if k.expression {
                let sql = &k.column;
                quote!(#sql)
            } else {
                let f = ident(field_of(t, &k.column).expect("a column of the table"));
                quote!(#f)
            };
            if let Some(n) = k.length {
                let n = proc_macro2::Literal::u32_unsuffixed(n);
                key.extend(quote!((#n)));
            }
            if k.descending {
                key.extend(quote!(desc));
            }
            match k.normalized_nulls() {
                Some(retort::schema::NullsOrder::First) => key.extend(quote!(nulls_first)),
                Some(retort::schema::NullsOrder::Last) => key.extend(quote!(nulls_last)),
                None => {}
            }
            if let Some(op) = &k.opclass {
                key.extend(quote!(opclass = #op));
            }
            key
        });
        let n = &ix.name;
        let mut parts = vec![quote!(name = #n), quote!(columns(#(#keys),*))];
        if ix.unique {
            parts.push(quote!(unique));
        }
        if let Some(method) = &ix.using {
            parts.push(quote!(using = #method));
        }
        if !ix.include.is_empty() {
            let cols = field_list(&ix.include);
            parts.push(quote!(include(#(#cols),*)));
        }
        if ix.nulls_not_distinct {
            parts.push(quote!(nulls_not_distinct));
        }
        if let Some(predicate) = &ix.predicate {
            parts.push(quote!(where = #predicate));
        }
        struct_attrs.push(quote!(index(#(#parts),*)));
    }
    for fk in &table.foreign_keys {
        if fk.columns.len() == 1 && field_fk.get(fk.columns[0].as_str()) == Some(&fk) {
            continue;
        }
        let Some((target, to_pk)) = reference(fk, names) else {
            skipped_fk(t, fk, out);
            continue;
        };
        let cols = field_list(&fk.columns);
        let target = ident(target);
        let references = if to_pk {
            quote!(#target)
        } else {
            let fs: Vec<Ident> = fk
                .ref_columns
                .iter()
                .map(|c| ident(field_of(&fk.ref_table, c).expect("known table")))
                .collect();
            quote!(#target(#(#fs),*))
        };
        let mut parts = vec![
            quote!(columns(#(#cols),*)),
            quote!(references = #references),
        ];
        parts.extend(action_attrs(fk));
        if let Some(n) = &fk.name {
            if *n != naming::foreign_key(t, &strs(&fk.columns), &fk.ref_table) {
                parts.push(quote!(name = #n));
            }
        }
        struct_attrs.push(quote!(foreign_key(#(#parts),*)));
    }
    for check in &table.checks {
        let sql = &check.expr;
        // An unnamed check stays unnamed in the database (the model names it
        // after its first column, and compares it by its condition).
        match &check.name {
            Some(name) => struct_attrs.push(quote!(check(name = #name, sql = #sql))),
            None => struct_attrs.push(quote!(check(sql = #sql))),
        }
    }
    if let (Backend::Postgres, Some(n)) = (backend, &table.primary_key_name) {
        if *n != format!("{bare}_pkey") && *n != naming::primary_key(t) {
            let note = format!("`{t}`'s primary key is named `{n}`; a model's key takes the database's default name");
            out.approximations.push(note);
        }
    }
    if !no_diesel.is_empty() {
        struct_attrs.push(quote!(diesel = false));
        out.approximations.push(format!(
            "`{t}` has no diesel table (`diesel = false`): {}; give such columns `diesel_type = ...` to query them with diesel",
            no_diesel.join("; ")
        ));
    }
    let name = ident(struct_name);
    let model = if struct_attrs.is_empty() {
        quote!()
    } else {
        quote!(#[model(#(#struct_attrs),*)])
    };
    quote! {
        #(#struct_docs)*
        #[derive(Debug, Clone, Model)]
        #model
        pub struct #name {
            #(#fields)*
        }
    }
}

/// The target model of a foreign key, and whether it references its primary key
/// (in key order); `None` when the target table is not imported.
fn reference<'a>(fk: &ForeignKey, names: &'a Names) -> Option<(&'a str, bool)> {
    let target = names.structs.get(&fk.ref_table)?;
    let to_pk = names.primary_keys.get(&fk.ref_table) == Some(&fk.ref_columns);
    Some((target.as_str(), to_pk))
}

fn skipped_fk(table: &str, fk: &ForeignKey, out: &mut ImportedModels) {
    let note = format!(
        "the foreign key {}({}) to `{}` is left out: that table is not imported",
        fk.name
            .as_deref()
            .map(|n| format!("`{n}` "))
            .unwrap_or_default(),
        fk.columns.join(", "),
        fk.ref_table
    );
    out.approximations.push(format!("`{table}`: {note}"));
}

//! Rules across fields and attributes, one function per rule. Each reports at the
//! offending span and says how to fix it.

use std::collections::BTreeMap;

use crate::ast::{DefaultValue, Field, KeyTarget, Model};
use crate::ctxt::Ctxt;
use crate::types::Kind;
use retort_vocab::FkAction;
use syn::Ident;

pub fn check(cx: &Ctxt, model: &Model<'_>) {
    check_names(cx, model);
    check_primary_key(cx, model);
    check_indexes(cx, model);
    check_foreign_keys(cx, model);
    check_constraint_names(cx, model);
    check_renames(cx, model);
    check_lengths(cx, model);
    check_diesel_types(cx, model);
    let single_key = model
        .fields
        .iter()
        .filter(|f| f.attrs.primary_key.is_some())
        .count()
        == 1;
    for field in &model.fields {
        check_max_length(cx, field);
        check_decimal(cx, field);
        check_default(cx, field, single_key);
        check_foreign_key_actions(cx, field);
        check_autoincrement(cx, field);
    }
}

/// `schema = "billing"`: a name PostgreSQL takes, and an identifier where the
/// diesel `table!` names it.
fn check_schema(cx: &Ctxt, model: &Model<'_>, schema: &syn::LitStr) {
    let name = schema.value();
    let problem = if name.trim().is_empty() {
        Some("#[model(schema = ..)] cannot be empty: leave it out for the connection's current schema".to_owned())
    } else if name.contains('.') || name.contains('"') {
        Some(format!(
            "schema `{name}` cannot hold a dot or a double quote: it is one PostgreSQL schema name"
        ))
    } else if name.len() > MAX_NAME {
        Some(format!(
            "schema `{name}` is {} bytes long; PostgreSQL allows {MAX_NAME}: choose a shorter name",
            name.len()
        ))
    } else if model.diesel && syn::parse_str::<syn::Ident>(&name).is_err() {
        Some(format!(
            "schema `{name}` is not a Rust identifier, which diesel's table! needs: choose a name \
             like `billing`, or turn the diesel items off with #[model(diesel = false)]"
        ))
    } else {
        None
    };
    if let Some(message) = problem {
        cx.syn_error(syn::Error::new(schema.span(), message));
    }
}

/// Table and column names are not empty, and no column name is used twice.
fn check_names(cx: &Ctxt, model: &Model<'_>) {
    if model.table.trim().is_empty() {
        cx.syn_error(syn::Error::new(
            model.table_span,
            "#[model(table = ..)] cannot be empty",
        ));
    } else if model.table.contains('.') {
        cx.syn_error(syn::Error::new(
            model.table_span,
            format!(
                "a table name cannot hold a dot: for a table in another PostgreSQL schema write \
                 #[model(schema = \"{}\", table = \"{}\")]",
                model.table.split('.').next().unwrap_or_default(),
                model.table.split_once('.').map_or("", |(_, t)| t)
            ),
        ));
    }
    if let Some(schema) = &model.schema {
        check_schema(cx, model, schema);
    }
    let mut seen: BTreeMap<&str, &Field<'_>> = BTreeMap::new();
    for field in &model.fields {
        if field.column.trim().is_empty() {
            cx.syn_error(syn::Error::new(
                field.column_span,
                "#[model(column = ..)] cannot be empty",
            ));
        }
        if let Some(first) = seen.insert(&field.column, field) {
            cx.syn_error(syn::Error::new(
                field.column_span,
                format!(
                    "column `{}` is already used by field `{}`; give one of them another #[model(column = \"...\")]",
                    field.column, first.ident
                ),
            ));
        }
    }
}

/// A model has a primary key, and no key field is an `Option`.
fn check_primary_key(cx: &Ctxt, model: &Model<'_>) {
    let keys: Vec<&Field<'_>> = model
        .fields
        .iter()
        .filter(|f| f.attrs.primary_key.is_some())
        .collect();
    if keys.is_empty() {
        cx.error_spanned_by(
            model.ident,
            format!(
                "model `{}` has no primary key; mark its key field with #[model(primary_key)] \
                 (several fields make a composite key)",
                model.ident
            ),
        );
    }
    for key in keys {
        let span = key.attrs.primary_key.expect("filtered");
        if key.nullable {
            cx.syn_error(syn::Error::new(
                span,
                "#[model(primary_key)] cannot be combined with an Option<T> field: a key is never NULL",
            ));
        }
        if let Some(unique) = key.attrs.unique {
            cx.syn_error(syn::Error::new(
                unique,
                "#[model(unique)] is redundant on a primary key, which is unique already; remove it",
            ));
        }
    }
}

/// PostgreSQL, the strictest of the three databases, takes names of 63 bytes.
const MAX_NAME: usize = 63;

/// Table, column and index names fit every database.
fn check_lengths(cx: &Ctxt, model: &Model<'_>) {
    let too_long = |what: &str, name: &str| {
        format!(
            "{what} `{name}` is {} bytes long; PostgreSQL, the strictest supported database, allows {MAX_NAME}: choose a shorter name",
            name.len()
        )
    };
    if model.table.len() > MAX_NAME {
        cx.syn_error(syn::Error::new(
            model.table_span,
            too_long("table name", &model.table),
        ));
    }
    for field in &model.fields {
        if field.column.len() > MAX_NAME {
            cx.syn_error(syn::Error::new(
                field.column_span,
                too_long("column name", &field.column),
            ));
        }
        if let Some(sql) = &field.attrs.check {
            let generated = format!("ck_{}_{}", model.table, field.column);
            if sql.value().trim().is_empty() {
                cx.syn_error(syn::Error::new(
                    sql.span(),
                    "check = \"\" has no condition: write the SQL that must hold, e.g. check = \"price >= 0\"",
                ));
            } else if generated.len() > MAX_NAME
                && model.table.len() <= MAX_NAME
                && field.column.len() <= MAX_NAME
            {
                cx.syn_error(syn::Error::new(
                    sql.span(),
                    format!(
                        "{}; declare it on the struct with a shorter name: check(name = \"...\", sql = {:?})",
                        too_long("the generated check name", &generated),
                        sql.value()
                    ),
                ));
            }
        }
    }
}

/// Every column of a model that emits a diesel `table!` has a diesel type.
fn check_diesel_types(cx: &Ctxt, model: &Model<'_>) {
    if !model.diesel {
        return;
    }
    if model.fields.len() > 128 {
        cx.error_spanned_by(
            model.ident,
            format!(
                "`{}` has {} columns, and diesel's table! takes at most 128: say #[model(diesel = false)] \
                 (its migrations work at any width) and query it some other way",
                model.ident,
                model.fields.len()
            ),
        );
    }
    for field in &model.fields {
        let unmappable =
            field.attrs.sql_type.is_some() || field.kind == Some(crate::types::Kind::TimestampTz);
        if field.attrs.diesel_type.is_none() && unmappable {
            let why = if field.attrs.sql_type.is_some() {
                "a column with #[model(sql_type)] has no known diesel type"
            } else {
                "diesel has no type for a zoned date and time (DateTime<Utc>, OffsetDateTime) that works on every database"
            };
            cx.error_spanned_by(
                field.full_ty,
                format!(
                    "{why}: name it with #[model(diesel_type = diesel::sql_types::...)] (on PostgreSQL: Timestamptz), \
                     or turn the diesel table off with #[model(diesel = false)] on the struct"
                ),
            );
        }
    }
}

/// `renamed_from` names something else than the current name.
fn check_renames(cx: &Ctxt, model: &Model<'_>) {
    if let Some(lit) = &model.renamed_from {
        if model.old_table(lit) == model.qualified_table() {
            cx.error_spanned_by(
                lit,
                format!(
                    "the table is already called `{}`; remove renamed_from",
                    model.qualified_table()
                ),
            );
        }
    }
    for field in &model.fields {
        if let Some(lit) = &field.attrs.renamed_from {
            if lit.value() == field.column {
                cx.error_spanned_by(
                    lit,
                    format!(
                        "the column is already called `{}`; remove renamed_from",
                        field.column
                    ),
                );
            }
        }
    }
}

/// Struct-level indexes, unique constraints and foreign keys name existing
/// fields, each once.
fn check_indexes(cx: &Ctxt, model: &Model<'_>) {
    let index_lists: Vec<Vec<Ident>> = model
        .indexes
        .iter()
        .map(|i| {
            let mut fields = i.fields();
            fields.extend(i.include.iter().cloned());
            fields
        })
        .collect();
    let lists = index_lists
        .iter()
        .map(|columns| ("index", columns))
        .chain(model.uniques.iter().map(|u| ("unique", &u.columns)))
        .chain(
            model
                .foreign_keys
                .iter()
                .map(|(f, _)| ("foreign key", &f.columns)),
        );
    for (what, columns) in lists {
        let mut seen = std::collections::BTreeSet::new();
        for column in columns {
            if !seen.insert(column.to_string()) {
                cx.error_spanned_by(
                    column,
                    format!("`{column}` is listed twice in this {what}; list each field once"),
                );
            }
            if model.field(column).is_none() {
                let names: Vec<String> = model.fields.iter().map(|f| f.ident.to_string()).collect();
                let best = names
                    .iter()
                    .map(|n| (strsim::jaro_winkler(&column.to_string(), n), n))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(score, _)| *score > 0.8);
                let hint = match best {
                    Some((_, n)) => format!("did you mean `{n}`?"),
                    None => format!("the fields are: {}", names.join(", ")),
                };
                cx.error_spanned_by(
                    column,
                    format!(
                        "{what} column `{column}` is not a field of `{}`; {hint}",
                        model.ident
                    ),
                );
            }
        }
    }
}

/// A struct-level foreign key references as many columns as it has, with
/// known actions, and no array field; `fk_name` goes with `references`.
fn check_foreign_keys(cx: &Ctxt, model: &Model<'_>) {
    for (fk, target) in &model.foreign_keys {
        let referenced = match target {
            Some(KeyTarget::Model { fields, .. }) => fields.len(),
            Some(KeyTarget::Table { columns, .. }) => columns.len(),
            None => 0,
        };
        if referenced != 0 && referenced != fk.columns.len() {
            cx.error_spanned_by(
                fk.references.as_ref().expect("parsed"),
                format!(
                    "this foreign key has {} column{} but references {referenced}: name one referenced field per column, in order",
                    fk.columns.len(),
                    if fk.columns.len() == 1 { "" } else { "s" },
                ),
            );
        }
        for lit in [&fk.on_delete, &fk.on_update].into_iter().flatten() {
            check_action(cx, lit);
        }
        if let (Some(span), 1) = (fk.match_full, fk.columns.len()) {
            cx.syn_error(syn::Error::new(
                span,
                "match_full only changes a foreign key of several columns (a single NULL column is never checked \
                 either way); remove it",
            ));
        }
        for column in &fk.columns {
            if model.field(column).is_some_and(|f| f.array) {
                cx.error_spanned_by(
                    column,
                    "an array column cannot be part of a foreign key (no database checks array elements)",
                );
            }
        }
    }
    let keys = model
        .fields
        .iter()
        .filter(|f| f.attrs.primary_key.is_some())
        .count();
    for field in &model.fields {
        check_generated(cx, field);
        if let Some(identity) = &field.attrs.identity {
            let counts = field.attrs.primary_key.is_some()
                && keys == 1
                && field.kind.is_some_and(Kind::is_integer)
                && field.attrs.autoincrement.as_ref().is_none_or(|a| a.value);
            if !counts {
                cx.syn_error(syn::Error::new(
                    identity.span,
                    format!(
                        "identity(..) on `{}`: identity options are how an autoincrementing key counts, \
                         so they go on the model's single integer primary key (without autoincrement = false)",
                        field.ident
                    ),
                ));
            }
        }
        if let Some(lit) = &field.attrs.collation {
            let text = matches!(field.kind, Some(Kind::String)) || field.attrs.sql_type.is_some();
            if !text {
                cx.syn_error(syn::Error::new(
                    lit.span(),
                    format!(
                        "collation = {:?} on `{}`: a collation orders and compares text, so it applies \
                         to a String field (or one with sql_type = \"...\")",
                        lit.value(),
                        field.ident
                    ),
                ));
            }
        }
        if let Some(span) = field.attrs.on_update_now {
            let timestamp = matches!(field.kind, Some(Kind::Timestamp | Kind::TimestampTz));
            if field.attrs.references.is_some() {
                cx.syn_error(syn::Error::new(
                    span,
                    "on_update = now() on a foreign key field: write the key's action instead (on_update = \"cascade\")",
                ));
            } else if !timestamp {
                cx.syn_error(syn::Error::new(
                    span,
                    "on_update = now() sets the current time on every UPDATE: it applies to a date-time field \
                     (chrono::NaiveDateTime, DateTime<Utc>, time::PrimitiveDateTime, OffsetDateTime)",
                ));
            }
        }
        if let (Some(span), None) = (field.attrs.deferrable.span(), &field.attrs.references) {
            cx.syn_error(syn::Error::new(
                span,
                "deferrable/initially_deferred say when the foreign key of #[model(references = ..)] on the same field \
                 is checked; add references or remove them",
            ));
        }
        if let (Some(name), None) = (&field.attrs.fk_name, &field.attrs.references) {
            cx.error_spanned_by(
                name,
                "fk_name names the foreign key of #[model(references = ..)] on the same field; add references or remove fk_name",
            );
        }
    }
}

/// Every name the model gives or generates for its uniques, indexes, checks and
/// foreign keys is used once (PostgreSQL keeps index names unique per schema,
/// and a unique constraint is an index).
fn check_constraint_names(cx: &Ctxt, model: &Model<'_>) {
    let table = &model.table;
    // (name, where, how to name it when the derive made the name up)
    let mut names: Vec<(String, proc_macro2::Span, Option<&str>)> = Vec::new();
    for field in &model.fields {
        let column = &field.column;
        if let Some(span) = field.attrs.unique {
            names.push(match &field.attrs.unique_name {
                Some(n) => (n.value(), n.span(), None),
                None => (
                    format!("uq_{table}_{column}"),
                    span,
                    Some("unique(name = \"...\")"),
                ),
            });
        }
        if let Some(span) = field.attrs.index {
            names.push(match &field.attrs.index_name {
                Some(n) => (n.value(), n.span(), None),
                None => (
                    format!("ix_{table}_{column}"),
                    span,
                    Some("index(name = \"...\")"),
                ),
            });
        }
        if let Some(n) = &field.attrs.fk_name {
            names.push((n.value(), n.span(), None));
        }
    }
    let column_of = |ident: &syn::Ident| {
        model
            .field(ident)
            .map_or_else(|| ident.to_string(), |f| f.column.clone())
    };
    let joined =
        |columns: &[syn::Ident]| columns.iter().map(column_of).collect::<Vec<_>>().join("_");
    for index in &model.indexes {
        names.push(match &index.name {
            Some(n) => (n.value(), n.span(), None),
            None => (
                format!("ix_{table}_{}", joined(&index.fields())),
                index.span,
                Some("name = \"...\""),
            ),
        });
    }
    for unique in &model.uniques {
        names.push(match &unique.name {
            Some(n) => (n.value(), n.span(), None),
            None => (
                format!("uq_{table}_{}", joined(&unique.columns)),
                unique.span,
                Some("name = \"...\""),
            ),
        });
    }
    for (fk, target) in &model.foreign_keys {
        match (&fk.name, target) {
            (Some(n), _) => names.push((n.value(), n.span(), None)),
            (None, Some(KeyTarget::Table { table: to, .. })) => names.push((
                format!("fk_{table}_{}_{to}", joined(&fk.columns)),
                fk.span,
                Some("name = \"...\""),
            )),
            _ => {}
        }
    }
    // A field's `check = ".."` gets its own message from `check_lengths`.
    let from_field = |name: &str| {
        model
            .fields
            .iter()
            .any(|f| f.attrs.check.is_some() && name == format!("ck_{table}_{}", f.column))
    };
    for check in &model.checks {
        let name = check.name.value();
        if !(name.len() > MAX_NAME && from_field(&name)) {
            let how = check.generated.then_some("check(name = \"...\", sql = ..)");
            names.push((name, check.name.span(), how));
        }
    }
    // Too long a table or column name is reported once, at its own span.
    let parts_fit =
        model.table.len() <= MAX_NAME && model.fields.iter().all(|f| f.column.len() <= MAX_NAME);
    let mut seen = std::collections::BTreeSet::new();
    for (name, span, how) in names {
        if name.len() > MAX_NAME {
            let (what, fix) = match how {
                Some(how) if parts_fit => ("the generated name", format!("name it with {how}")),
                Some(_) => continue,
                None => ("the name", "choose a shorter name".to_owned()),
            };
            cx.syn_error(syn::Error::new(
                span,
                format!(
                    "{what} `{name}` is {} bytes long; PostgreSQL, the strictest supported database, allows {MAX_NAME}: {fix}",
                    name.len()
                ),
            ));
        } else if !seen.insert(name.clone()) {
            cx.syn_error(syn::Error::new(
                span,
                format!("the name `{name}` is used twice in this model; give one of them another name = \"...\""),
            ));
        }
    }
}

/// `max_length` only on `String`, as a positive number, and not with `sql_type`.
fn check_max_length(cx: &Ctxt, field: &Field<'_>) {
    let Some(lit) = &field.attrs.max_length else {
        return;
    };
    if field.attrs.sql_type.is_some() {
        cx.error_spanned_by(
            lit,
            "#[model(max_length)] conflicts with #[model(sql_type)]; put the length in the SQL type",
        );
    } else if field.kind != Some(Kind::String) {
        cx.error_spanned_by(
            lit,
            "#[model(max_length)] applies to String fields only (it makes a VARCHAR(N))",
        );
    }
    match lit.base10_parse::<u32>() {
        Ok(n) if n > 0 => {}
        _ => cx.error_spanned_by(
            lit,
            "#[model(max_length)] must be a whole number from 1 to 4294967295",
        ),
    }
}

/// `precision`/`scale` on decimal fields only; a decimal field has a precision,
/// and its scale fits in it.
fn check_decimal(cx: &Ctxt, field: &Field<'_>) {
    let decimal = field.kind == Some(Kind::Decimal);
    for lit in [&field.attrs.precision, &field.attrs.scale]
        .into_iter()
        .flatten()
    {
        if field.attrs.sql_type.is_some() {
            cx.error_spanned_by(
                lit,
                "#[model(precision/scale)] conflict with #[model(sql_type)]; put them in the SQL type",
            );
            return;
        }
        if !decimal {
            cx.error_spanned_by(
                lit,
                "#[model(precision/scale)] apply to decimal fields only (bigdecimal::BigDecimal, rust_decimal::Decimal)",
            );
            return;
        }
    }
    if !decimal {
        return;
    }
    let Some(precision) = &field.attrs.precision else {
        cx.error_spanned_by(
            field.ty,
            "a decimal field needs its number of digits: #[model(precision = 10, scale = 2)] makes NUMERIC(10, 2) \
             (scale, the digits after the point, defaults to 0)",
        );
        return;
    };
    let p = match precision.base10_parse::<u16>() {
        Ok(p @ 1..=1000) => p,
        _ => {
            cx.error_spanned_by(
                precision,
                "#[model(precision)] must be a whole number from 1 to 1000 (MySQL allows up to 65)",
            );
            return;
        }
    };
    if let Some(scale) = &field.attrs.scale {
        match scale.base10_parse::<u16>() {
            Ok(s) if s <= p => {}
            _ => cx.error_spanned_by(
                scale,
                format!("#[model(scale)] must be a whole number from 0 to the precision ({p})"),
            ),
        }
    }
}

/// An enum field's default is a variant, a value (text; both checked by rustc
/// against the enum), or SQL.
fn check_enum_default(cx: &Ctxt, field: &Field<'_>) {
    let Some(default) = &field.default else {
        return;
    };
    let expr = field.attrs.default.as_ref().expect("parsed from it");
    let what = match default {
        DefaultValue::Variant(_) | DefaultValue::Text(_) | DefaultValue::Sql(_) => return,
        DefaultValue::Number(_) => "a number",
        DefaultValue::Bool(_) => "a boolean",
        DefaultValue::Time(_) => "a time",
        DefaultValue::NewUuid => "a new UUID",
    };
    let ty = quote::ToTokens::to_token_stream(field.ty)
        .to_string()
        .replace(' ', "");
    cx.error_spanned_by(
        expr,
        format!(
            "this default is {what}, but the field is the enum `{ty}`; write one of its variants \
             (default = {ty}::...) or its value as text (default = \"...\"), or an SQL expression \
             with default = sql(\"...\")"
        ),
    );
}

/// A default's kind matches the field's type.
fn check_default(cx: &Ctxt, field: &Field<'_>, single_key: bool) {
    if field.db_enum {
        check_enum_default(cx, field);
        return;
    }
    let (Some(default), Some(kind)) = (&field.default, field.kind) else {
        return;
    };
    let expr = field.attrs.default.as_ref().expect("parsed from it");
    if field.array {
        if !matches!(default, DefaultValue::Sql(_)) {
            cx.error_spanned_by(
                expr,
                "an array column's default is an SQL expression: default = sql(\"'{}'\") (empty), \
                 default = sql(\"'{1,2}'\")",
            );
        }
        return;
    }
    let ty = quote::ToTokens::to_token_stream(field.ty)
        .to_string()
        .replace(' ', "");
    let problem = match default {
        DefaultValue::Number(_) if !kind.is_number() => Some("a number"),
        DefaultValue::Number(n) if kind.is_integer() && n.contains(['.', 'e', 'E']) => {
            Some("a fractional number")
        }
        DefaultValue::Bool(_) if kind != Kind::Boolean => Some("a boolean"),
        DefaultValue::Text(_)
            if !(kind == Kind::String
                || kind.is_temporal()
                || matches!(kind, Kind::Uuid | Kind::Json)) =>
        {
            Some("text")
        }
        DefaultValue::Time(_) if !(kind.is_temporal() || kind == Kind::String) => Some("a time"),
        DefaultValue::NewUuid if kind != Kind::Uuid => Some("a new UUID"),
        DefaultValue::Text(text) if kind == Kind::Uuid && !is_uuid_text(text) => {
            cx.error_spanned_by(
                expr,
                format!("`{text}` is not a UUID; write one as 67e55044-10b1-426f-9247-bb680e5fe0c8, or default = gen_random_uuid()"),
            );
            None
        }
        _ => None,
    };
    if let Some(what) = problem {
        cx.error_spanned_by(
            expr,
            format!(
                "this default is {what}, but the field is `{ty}`; write a default of the field's type, \
                 or an SQL expression with default = sql(\"...\")"
            ),
        );
    }
    let implicit = field.attrs.primary_key.is_some()
        && kind.is_integer()
        && field.attrs.autoincrement.is_none();
    if field.attrs.autoincrement.as_ref().is_some_and(|b| b.value) || (implicit && single_key) {
        cx.error_spanned_by(
            expr,
            "an autoincrement key gets its values from the database, so this default is never used; remove it \
             (or say #[model(autoincrement = false)])",
        );
    }
}

/// A UUID's text: 32 hex digits, hyphenated 8-4-4-4-12 or not at all.
fn is_uuid_text(text: &str) -> bool {
    let hex = text.chars().filter(|c| *c != '-').count() == 32
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit());
    let hyphens: Vec<usize> = text.match_indices('-').map(|(i, _)| i).collect();
    hex && (hyphens.is_empty() || hyphens == [8, 13, 18, 23])
}

/// `on_delete`/`on_update` need `references`, and name a real action.
fn check_foreign_key_actions(cx: &Ctxt, field: &Field<'_>) {
    if let (true, Some(references)) = (field.array, &field.attrs.references) {
        cx.error_spanned_by(
            references,
            "an array column cannot be a foreign key (no database checks array elements); \
             use a child table with one row per element",
        );
    }
    for lit in [&field.attrs.on_delete, &field.attrs.on_update]
        .into_iter()
        .flatten()
    {
        if field.attrs.references.is_none() {
            cx.error_spanned_by(
                lit,
                "on_delete/on_update need #[model(references = ..)] on the same field",
            );
        }
        check_action(cx, lit);
    }
}

/// A foreign key action is one of the words `FkAction` knows.
fn check_action(cx: &Ctxt, lit: &syn::LitStr) {
    if FkAction::parse(&lit.value()).is_none() {
        cx.error_spanned_by(
            lit,
            format!(
                "unknown foreign key action `{}`; expected {}",
                lit.value(),
                FkAction::EXPECTED
            ),
        );
    }
}

/// `autoincrement = true` only on a single integer primary key.
fn check_autoincrement(cx: &Ctxt, field: &Field<'_>) {
    let Some(lit) = &field.attrs.autoincrement else {
        return;
    };
    if lit.value && (field.attrs.primary_key.is_none() || !field.kind.is_some_and(Kind::is_integer))
    {
        cx.error_spanned_by(
            lit,
            "#[model(autoincrement = true)] applies to an integer primary key only",
        );
    }
}

/// A generated column is computed by the database: no default, key, counter or
/// foreign key of its own; `stored` goes with `generated`.
fn check_generated(cx: &Ctxt, field: &Field<'_>) {
    let a = &field.attrs;
    let Some(generated) = &a.generated else {
        if let Some(span) = a.stored {
            cx.syn_error(syn::Error::new(
                span,
                "stored applies to a generated column: add generated = \"<SQL expression>\"",
            ));
        }
        return;
    };
    let conflicts = [
        (
            a.default.as_ref().map(syn::spanned::Spanned::span),
            "a default",
        ),
        (a.primary_key, "a primary key"),
        (a.autoincrement.as_ref().map(|l| l.span), "autoincrement"),
        (
            a.references.as_ref().map(syn::spanned::Spanned::span),
            "a foreign key",
        ),
        (a.on_update_now, "on_update = now()"),
    ];
    for (span, what) in conflicts {
        if let Some(span) = span {
            cx.syn_error(syn::Error::new(
                span,
                format!(
                    "`{}` is generated (generated = {:?}): the database computes it, so it cannot have {what}; \
                     remove one of them",
                    field.ident,
                    generated.value()
                ),
            ));
        }
    }
}

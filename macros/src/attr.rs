//! Reads `#[model(..)]` attributes into typed values, reporting unknown and
//! duplicate keys at their span.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::parse::Parse as _;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitBool, LitInt, LitStr};

use crate::ctxt::Ctxt;
use crate::symbol::*;

/// One attribute value, remembering where it was set to report duplicates.
pub struct Attr<'c, T> {
    cx: &'c Ctxt,
    /// The attribute's namespace: `model`, `db_enum`.
    namespace: &'static str,
    name: &'static str,
    value: Option<(Span, T)>,
}

impl<'c, T> Attr<'c, T> {
    /// A `#[model(..)]` key.
    pub fn none(cx: &'c Ctxt, name: &'static str) -> Self {
        Attr::none_in(cx, MODEL, name)
    }

    /// A key of the `namespace` attribute (`#[db_enum(..)]`).
    pub fn none_in(cx: &'c Ctxt, namespace: &'static str, name: &'static str) -> Self {
        Attr {
            cx,
            namespace,
            name,
            value: None,
        }
    }

    pub fn set(&mut self, span: Span, value: T) {
        if self.value.is_some() {
            self.cx.syn_error(syn::Error::new(
                span,
                format!(
                    "duplicate #[{}({})] attribute; remove one of them",
                    self.namespace, self.name
                ),
            ));
        } else {
            self.value = Some((span, value));
        }
    }

    pub fn get(self) -> Option<(Span, T)> {
        self.value
    }
}

/// `index(name = "...", columns(a desc, "lower(b)"), unique, where = "...",
/// using = "gin", include(c), nulls_not_distinct)` on the struct.
pub struct IndexAttr {
    pub span: Span,
    pub name: Option<LitStr>,
    pub keys: Vec<KeyAttr>,
    pub unique: Option<Span>,
    /// `where = "…"`.
    pub predicate: Option<LitStr>,
    /// `using = "…"`.
    pub using: Option<LitStr>,
    /// `include(a, b)`.
    pub include: Vec<Ident>,
    /// `nulls_not_distinct`.
    pub nulls_not_distinct: Option<Span>,
}

impl IndexAttr {
    /// The fields its keys name (expressions left out).
    pub fn fields(&self) -> Vec<Ident> {
        self.keys
            .iter()
            .filter_map(|k| match &k.target {
                IndexTarget::Field(f) => Some(f.clone()),
                IndexTarget::Expr(_) => None,
            })
            .collect()
    }
}

/// A field's `identity(always, start = 1000, increment = 10)`.
pub struct IdentityAttr {
    pub span: Span,
    pub always: bool,
    pub start: Option<i64>,
    pub increment: Option<i64>,
}

fn identity_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<IdentityAttr> {
    let mut identity = IdentityAttr {
        span: meta.path.span(),
        always: false,
        start: None,
        increment: None,
    };
    if !meta.input.peek(syn::token::Paren) {
        return Err(meta.error(
            "identity(..) says how the key counts: identity(always), identity(start = 1000), \
             identity(increment = 10), or several of them",
        ));
    }
    let number = |inner: &ParseNestedMeta<'_>| -> syn::Result<i64> {
        let expr: Expr = inner.value()?.parse()?;
        let (negative, lit) = match &expr {
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => (true, &*u.expr),
            other => (false, other),
        };
        match lit {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }) => {
                let n = n.base10_parse::<i64>()?;
                Ok(if negative { -n } else { n })
            }
            _ => Err(syn::Error::new(expr.span(), "expected a whole number")),
        }
    };
    meta.parse_nested_meta(|inner| {
        let key = path_name(&inner);
        match key.as_str() {
            "always" => identity.always = true,
            "start" => identity.start = Some(number(&inner)?),
            "increment" => {
                let n = number(&inner)?;
                if n == 0 {
                    return Err(inner.error("an identity counts by a step other than 0"));
                }
                identity.increment = Some(n);
            }
            _ => return Err(unknown_key(&inner, IDENTITY_KEYS, "field identity(..)")),
        }
        Ok(())
    })?;
    Ok(identity)
}

/// What an index key is: a field, or an SQL expression written as a string.
pub enum IndexTarget {
    Field(Ident),
    Expr(LitStr),
}

/// One entry of a struct index's `columns(..)`: `created_at desc nulls_last`,
/// `title(20)`, `"lower(email)"`, `tags opclass = "jsonb_path_ops"`.
pub struct KeyAttr {
    pub target: IndexTarget,
    pub length: Option<LitInt>,
    pub descending: bool,
    /// `Some(true)`: nulls first; `Some(false)`: nulls last.
    pub nulls_first: Option<bool>,
    pub opclass: Option<LitStr>,
}

impl syn::parse::Parse for KeyAttr {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        let target = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            if lit.value().trim().is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    "an index expression is SQL, not empty: columns(\"lower(email)\")",
                ));
            }
            IndexTarget::Expr(lit)
        } else {
            let ident: Ident = input.call(syn::ext::IdentExt::parse_any).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected a field name or an SQL expression in a string: \
                     columns(created_at desc, \"lower(email)\")",
                )
            })?;
            IndexTarget::Field(ident)
        };
        let mut key = KeyAttr {
            target,
            length: None,
            descending: false,
            nulls_first: None,
            opclass: None,
        };
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let n: LitInt = content.parse()?;
            if n.base10_parse::<u32>().ok().filter(|n| *n > 0).is_none() {
                return Err(syn::Error::new(
                    n.span(),
                    "a prefix length counts characters: a whole number above 0, title(20)",
                ));
            }
            if let IndexTarget::Expr(lit) = &key.target {
                return Err(syn::Error::new(
                    lit.span(),
                    "a prefix length applies to a column, not to an expression",
                ));
            }
            key.length = Some(n);
        }
        let mut seen_order = false;
        while !input.is_empty() && !input.peek(syn::Token![,]) {
            let word: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            match word.to_string().as_str() {
                "asc" | "desc" if !seen_order => {
                    seen_order = true;
                    key.descending = word == "desc";
                }
                "nulls_first" | "nulls_last" if key.nulls_first.is_none() => {
                    key.nulls_first = Some(word == "nulls_first");
                }
                "nulls" if key.nulls_first.is_none() => {
                    let which: Ident = input.parse()?;
                    match which.to_string().as_str() {
                        "first" => key.nulls_first = Some(true),
                        "last" => key.nulls_first = Some(false),
                        _ => {
                            return Err(syn::Error::new(
                                which.span(),
                                "write `nulls first` or `nulls last`",
                            ))
                        }
                    }
                }
                "opclass" if key.opclass.is_none() => {
                    input.parse::<syn::Token![=]>()?;
                    key.opclass = Some(input.parse()?);
                }
                "asc" | "desc" | "nulls_first" | "nulls_last" | "nulls" | "opclass" => {
                    let what = match word.to_string().as_str() {
                        "asc" | "desc" => "its order (asc / desc)",
                        "opclass" => "its operator class",
                        _ => "where its NULLs go",
                    };
                    return Err(syn::Error::new(
                        word.span(),
                        format!("this key says {what} twice; keep one"),
                    ));
                }
                _ => {
                    return Err(syn::Error::new(
                        word.span(),
                        format!(
                            "unknown index key option `{word}`; expected asc, desc, nulls_first, \
                             nulls_last or opclass = \"...\" (separate keys with commas)"
                        ),
                    ))
                }
            }
        }
        Ok(key)
    }
}

/// `unique(name = "...", columns(a, b))` on the struct.
pub struct UniqueAttr {
    pub span: Span,
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
}

/// `foreign_key(columns(a, b), references = Model, on_delete = "...", name = "...")`
/// on the struct.
pub struct ForeignKeyAttr {
    pub span: Span,
    pub name: Option<LitStr>,
    pub columns: Vec<Ident>,
    pub references: Option<Expr>,
    pub on_delete: Option<LitStr>,
    pub on_update: Option<LitStr>,
    /// `deferrable` / `initially_deferred`.
    pub deferrable: Deferral,
    /// `match_full`: PostgreSQL's `MATCH FULL`.
    pub match_full: Option<Span>,
}

/// A foreign key's `deferrable` / `initially_deferred` flags.
#[derive(Clone, Copy, Default)]
pub struct Deferral {
    pub deferrable: Option<Span>,
    pub initially_deferred: Option<Span>,
}

impl Deferral {
    /// The `retort::schema::Deferrable` variant.
    pub fn variant(self) -> &'static str {
        match (self.deferrable, self.initially_deferred) {
            (_, Some(_)) => "Deferred",
            (Some(_), None) => "Immediate",
            (None, None) => "No",
        }
    }

    /// Where a flag was written, if any.
    pub fn span(self) -> Option<Span> {
        self.deferrable.or(self.initially_deferred)
    }
}

/// `check(name = "...", sql = "...")` on the struct.
pub struct CheckAttr {
    /// Given, or made up by the model (`generated`): `ck_<table>_<column>`.
    pub name: LitStr,
    pub sql: LitStr,
    /// No `name = ..` was written: the model names it.
    pub generated: bool,
}

/// Struct-level attributes.
pub struct StructAttrs {
    pub table: Option<(Span, LitStr)>,
    pub indexes: Vec<IndexAttr>,
    pub uniques: Vec<UniqueAttr>,
    pub foreign_keys: Vec<ForeignKeyAttr>,
    pub checks: Vec<CheckAttr>,
    pub renamed_from: Option<LitStr>,
    pub diesel: Option<LitBool>,
    pub database: Option<LitStr>,
    /// `schema = "billing"`: the PostgreSQL schema the table is in.
    pub schema: Option<LitStr>,
}

/// Field-level attributes.
pub struct FieldAttrs {
    pub primary_key: Option<Span>,
    pub column: Option<LitStr>,
    pub max_length: Option<LitInt>,
    /// `precision = P`: the digits of a decimal field.
    pub precision: Option<LitInt>,
    /// `scale = S`: the digits after its point.
    pub scale: Option<LitInt>,
    pub sql_type: Option<LitStr>,
    pub unique: Option<Span>,
    /// `unique(name = "...")`: the constraint's name instead of `uq_<table>_<column>`.
    pub unique_name: Option<LitStr>,
    pub index: Option<Span>,
    /// `index(name = "...")`: the index's name instead of `ix_<table>_<column>`.
    pub index_name: Option<LitStr>,
    pub default: Option<Expr>,
    pub references: Option<Expr>,
    /// `fk_name = "..."`: the foreign key's name instead of
    /// `fk_<table>_<column>_<ref_table>`.
    pub fk_name: Option<LitStr>,
    /// `deferrable` / `initially_deferred` on the foreign key.
    pub deferrable: Deferral,
    /// `on_update = now()`: MySQL's `ON UPDATE CURRENT_TIMESTAMP` (not a foreign
    /// key action).
    pub on_update_now: Option<Span>,
    /// `generated = "…"`: a generated column's expression.
    pub generated: Option<LitStr>,
    /// `stored`: the generated column is computed on write and kept.
    pub stored: Option<Span>,
    /// `collation = "…"`.
    pub collation: Option<LitStr>,
    /// `identity(always, start = .., increment = ..)`.
    pub identity: Option<IdentityAttr>,
    pub on_delete: Option<LitStr>,
    pub on_update: Option<LitStr>,
    pub autoincrement: Option<LitBool>,
    pub renamed_from: Option<LitStr>,
    pub diesel_type: Option<syn::Type>,
    /// `check = "price >= 0"`: a check constraint on the column, named
    /// `ck_<table>_<column>`.
    pub check: Option<LitStr>,
}

fn is_model(attr: &Attribute) -> bool {
    attr.path().is_ident(MODEL)
}

/// "unknown attribute `primry_key`; did you mean `primary_key`?"
pub fn unknown_key(meta: &ParseNestedMeta<'_>, allowed: &[&str], place: &str) -> syn::Error {
    unknown_key_in(MODEL, meta, allowed, &format!("a {place}"))
}

/// [`unknown_key`] for the keys of another attribute (`#[db_enum(..)]`);
/// `place` with its article ("an enum").
pub fn unknown_key_in(
    namespace: &str,
    meta: &ParseNestedMeta<'_>,
    allowed: &[&str],
    place: &str,
) -> syn::Error {
    let key = meta
        .path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| quote::ToTokens::to_token_stream(&meta.path).to_string());
    let best = allowed
        .iter()
        .map(|k| (strsim::jaro_winkler(&key, k), *k))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.8);
    let message = match best {
        Some((_, k)) => {
            format!("unknown #[{namespace}] attribute `{key}` on {place}; did you mean `{k}`?")
        }
        None => format!(
            "unknown #[{namespace}] attribute `{key}` on {place}; expected one of: {}",
            allowed.join(", ")
        ),
    };
    syn::Error::new(meta.path.span(), message)
}

pub fn struct_attrs(cx: &Ctxt, attrs: &[Attribute]) -> StructAttrs {
    let mut table = Attr::none(cx, TABLE);
    let mut renamed_from = Attr::none(cx, RENAMED_FROM);
    let mut diesel = Attr::none(cx, DIESEL);
    let mut database = Attr::none(cx, DATABASE);
    let mut schema = Attr::none(cx, SCHEMA);
    let mut indexes = Vec::new();
    let mut uniques = Vec::new();
    let mut foreign_keys = Vec::new();
    let mut checks = Vec::new();
    for attr in attrs.iter().filter(|a| is_model(a)) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident(TABLE) {
                let lit: LitStr = meta.value()?.parse()?;
                table.set(meta.path.span(), lit);
            } else if meta.path.is_ident(INDEX) {
                indexes.push(index_attr(&meta)?);
            } else if meta.path.is_ident(UNIQUE) {
                uniques.push(unique_attr(&meta)?);
            } else if meta.path.is_ident(FOREIGN_KEY) {
                foreign_keys.push(foreign_key_attr(&meta)?);
            } else if meta.path.is_ident(CHECK) {
                checks.push(check_attr(&meta)?);
            } else if meta.path.is_ident(RENAMED_FROM) {
                let lit: LitStr = meta.value()?.parse()?;
                renamed_from.set(meta.path.span(), lit);
            } else if meta.path.is_ident(DATABASE) {
                let lit: LitStr = meta.value()?.parse()?;
                database.set(meta.path.span(), lit);
            } else if meta.path.is_ident(SCHEMA) {
                let lit: LitStr = meta.value()?.parse()?;
                schema.set(meta.path.span(), lit);
            } else if meta.path.is_ident(DIESEL) {
                let lit: LitBool = meta.value()?.parse()?;
                diesel.set(meta.path.span(), lit);
            } else if meta.path.is_ident(REFERENCES) {
                return Err(meta.error(
                    "#[model(references = ..)] belongs on a field; on the struct, a foreign key over several \
                     columns is foreign_key(columns(a, b), references = Model)",
                ));
            } else if FIELD_KEYS.contains(&path_name(&meta).as_str())
                && path_name(&meta) != RENAMED_FROM
            {
                return Err(meta.error(format!(
                    "#[model({})] belongs on a field, not on the struct",
                    path_name(&meta)
                )));
            } else {
                return Err(unknown_key(&meta, STRUCT_KEYS, "struct"));
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    StructAttrs {
        table: table.get(),
        indexes,
        uniques,
        foreign_keys,
        checks,
        renamed_from: renamed_from.get().map(|(_, v)| v),
        diesel: diesel.get().map(|(_, v)| v),
        database: database.get().map(|(_, v)| v),
        schema: schema.get().map(|(_, v)| v),
    }
}

fn check_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<CheckAttr> {
    let span = meta.path.span();
    let mut name = None;
    let mut sql = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(NAME) {
            name = Some(inner.value()?.parse::<LitStr>()?);
        } else if inner.path.is_ident(SQL) {
            sql = Some(inner.value()?.parse::<LitStr>()?);
        } else {
            return Err(unknown_key(&inner, CHECK_KEYS, "struct check(..)"));
        }
        Ok(())
    })?;
    match (name, sql) {
        (name, Some(sql)) if !sql.value().trim().is_empty() => Ok(CheckAttr {
            generated: name.is_none(),
            name: name.unwrap_or_else(|| LitStr::new("", span)),
            sql,
        }),
        _ => Err(syn::Error::new(
            span,
            "check(..) needs an SQL condition: check(sql = \"price > 0\"), named ck_<table>_<first column it names> \
             unless you name it: check(name = \"ck_products_price\", sql = \"price > 0\")",
        )),
    }
}

fn path_name(meta: &ParseNestedMeta<'_>) -> String {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_default()
}

/// `key()`: parentheses with nothing inside.
fn paren_empty(meta: &ParseNestedMeta<'_>) -> bool {
    let inside = |input: syn::parse::ParseStream<'_>| -> syn::Result<bool> {
        let content;
        syn::parenthesized!(content in input);
        Ok(content.is_empty())
    };
    inside(&meta.input.fork()).unwrap_or(false)
}

/// `columns(a, b)`: field names.
fn field_list(meta: &ParseNestedMeta<'_>, into: &mut Vec<Ident>) -> syn::Result<()> {
    if paren_empty(meta) {
        return Err(meta.error("columns(..) lists one field or more: columns(a, b)"));
    }
    meta.parse_nested_meta(|col| match col.path.get_ident() {
        Some(ident) => {
            into.push(ident.clone());
            Ok(())
        }
        None => Err(col.error("expected a field name")),
    })
}

fn unique_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<UniqueAttr> {
    let mut unique = UniqueAttr {
        span: meta.path.span(),
        name: None,
        columns: Vec::new(),
    };
    if !meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            unique.span,
            "on the struct, unique(..) names its fields: unique(columns(a, b)) or \
             unique(name = \"uq_...\", columns(a, b)); a single column's is #[model(unique)] on its field",
        ));
    }
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(NAME) {
            unique.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident(COLUMNS) {
            field_list(&inner, &mut unique.columns)?;
        } else {
            return Err(unknown_key(&inner, UNIQUE_KEYS, "struct unique(..)"));
        }
        Ok(())
    })?;
    if unique.columns.is_empty() {
        return Err(syn::Error::new(
            unique.span,
            "unique(..) needs its fields: unique(name = \"uq_...\", columns(a, b))",
        ));
    }
    Ok(unique)
}

fn foreign_key_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<ForeignKeyAttr> {
    let mut fk = ForeignKeyAttr {
        span: meta.path.span(),
        name: None,
        columns: Vec::new(),
        references: None,
        on_delete: None,
        on_update: None,
        deferrable: Deferral::default(),
        match_full: None,
    };
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(NAME) {
            fk.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident(COLUMNS) {
            field_list(&inner, &mut fk.columns)?;
        } else if inner.path.is_ident(REFERENCES) {
            fk.references = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident(ON_DELETE) {
            fk.on_delete = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident(ON_UPDATE) {
            fk.on_update = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident(DEFERRABLE) {
            fk.deferrable.deferrable = Some(inner.path.span());
        } else if inner.path.is_ident(INITIALLY_DEFERRED) {
            fk.deferrable.initially_deferred = Some(inner.path.span());
        } else if inner.path.is_ident(MATCH_FULL) {
            fk.match_full = Some(inner.path.span());
        } else {
            return Err(unknown_key(
                &inner,
                FOREIGN_KEY_KEYS,
                "struct foreign_key(..)",
            ));
        }
        Ok(())
    })?;
    if fk.columns.is_empty() || fk.references.is_none() {
        return Err(syn::Error::new(
            fk.span,
            "foreign_key(..) needs its fields and what they reference: \
             foreign_key(columns(a, b), references = Model) (its primary key), \
             references = Model(x, y) (its fields x, y) or references = \"table(x, y)\"",
        ));
    }
    Ok(fk)
}

/// A field's `unique` / `index`, bare or with `(name = "...")`.
fn named_flag(meta: &ParseNestedMeta<'_>, place: &str) -> syn::Result<Option<LitStr>> {
    if !meta.input.peek(syn::token::Paren) {
        return Ok(None);
    }
    let mut name = None;
    if paren_empty(meta) {
        return Err(meta.error(format!(
            "write {place} with a name, {}(name = \"...\"), or bare",
            path_name(meta)
        )));
    }
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(NAME) {
            name = Some(inner.value()?.parse::<LitStr>()?);
            Ok(())
        } else {
            Err(unknown_key(&inner, FIELD_NAME_KEYS, place))
        }
    })?;
    match name {
        Some(name) => Ok(Some(name)),
        None => Err(meta.error(format!(
            "write {place} with a name, {}(name = \"...\"), or bare",
            path_name(meta)
        ))),
    }
}

fn index_attr(meta: &ParseNestedMeta<'_>) -> syn::Result<IndexAttr> {
    let mut index = IndexAttr {
        span: meta.path.span(),
        name: None,
        keys: Vec::new(),
        unique: None,
        predicate: None,
        using: None,
        include: Vec::new(),
        nulls_not_distinct: None,
    };
    let mut saw_columns = false;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident(NAME) {
            index.name = Some(inner.value()?.parse()?);
        } else if inner.path.is_ident(COLUMNS) {
            saw_columns = true;
            let content;
            syn::parenthesized!(content in inner.input);
            let keys = content.parse_terminated(KeyAttr::parse, syn::Token![,])?;
            index.keys.extend(keys);
        } else if inner.path.is_ident(UNIQUE) {
            index.unique = Some(inner.path.span());
        } else if inner.path.is_ident(WHERE) {
            let lit: LitStr = inner.value()?.parse()?;
            if lit.value().trim().is_empty() {
                return Err(syn::Error::new(
                    lit.span(),
                    "a partial index's predicate is SQL, not empty: where = \"deleted_at IS NULL\"",
                ));
            }
            index.predicate = Some(lit);
        } else if inner.path.is_ident(USING) {
            let lit: LitStr = inner.value()?.parse()?;
            let method = lit.value();
            if method.is_empty()
                || !method
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(syn::Error::new(
                    lit.span(),
                    "an index method is a name: using = \"gin\" (or gist, brin, hash, btree)",
                ));
            }
            index.using = Some(lit);
        } else if inner.path.is_ident(INCLUDE) {
            field_list(&inner, &mut index.include)?;
        } else if inner.path.is_ident(NULLS_NOT_DISTINCT) {
            index.nulls_not_distinct = Some(inner.path.span());
        } else {
            return Err(unknown_key(&inner, INDEX_KEYS, "struct index(..)"));
        }
        Ok(())
    })?;
    if !saw_columns || index.keys.is_empty() {
        return Err(syn::Error::new(
            index.span,
            "index(..) needs its fields: index(name = \"...\", columns(a, b))",
        ));
    }
    if let (Some(span), None) = (index.nulls_not_distinct, index.unique) {
        return Err(syn::Error::new(
            span,
            "nulls_not_distinct is for a unique index: add `unique` to this index(..)",
        ));
    }
    let expression = index.keys.iter().find_map(|k| match &k.target {
        IndexTarget::Expr(lit) => Some(lit.span()),
        IndexTarget::Field(_) => None,
    });
    if let (Some(span), None) = (expression, &index.name) {
        return Err(syn::Error::new(
            span,
            "an index over an expression needs a name: index(name = \"ix_...\", columns(..))",
        ));
    }
    Ok(index)
}

pub fn field_attrs(cx: &Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut primary_key = Attr::none(cx, PRIMARY_KEY);
    let mut column = Attr::none(cx, COLUMN);
    let mut max_length = Attr::none(cx, MAX_LENGTH);
    let mut precision = Attr::none(cx, PRECISION);
    let mut scale = Attr::none(cx, SCALE);
    let mut sql_type = Attr::none(cx, SQL_TYPE);
    let mut unique = Attr::none(cx, UNIQUE);
    let mut index = Attr::none(cx, INDEX);
    let mut fk_name = Attr::none(cx, FK_NAME);
    let mut deferrable = Attr::none(cx, DEFERRABLE);
    let mut on_update_now = Attr::none(cx, ON_UPDATE);
    let mut initially_deferred = Attr::none(cx, INITIALLY_DEFERRED);
    let mut default = Attr::none(cx, DEFAULT);
    let mut references = Attr::none(cx, REFERENCES);
    let mut on_delete = Attr::none(cx, ON_DELETE);
    let mut on_update = Attr::none(cx, ON_UPDATE);
    let mut autoincrement = Attr::none(cx, AUTOINCREMENT);
    let mut renamed_from = Attr::none(cx, RENAMED_FROM);
    let mut diesel_type = Attr::none(cx, DIESEL_TYPE);
    let mut check = Attr::none(cx, CHECK);
    let mut generated = Attr::none(cx, GENERATED);
    let mut stored = Attr::none(cx, STORED);
    let mut collation = Attr::none(cx, COLLATION);
    let mut identity = Attr::none(cx, IDENTITY);
    for attr in attrs.iter().filter(|a| is_model(a)) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            let key = path_name(&meta);
            match key.as_str() {
                PRIMARY_KEY => primary_key.set(span, ()),
                UNIQUE => unique.set(span, named_flag(&meta, "field unique(..)")?),
                INDEX => index.set(span, named_flag(&meta, "field index(..)")?),
                FK_NAME => fk_name.set(span, meta.value()?.parse::<LitStr>()?),
                DEFERRABLE => deferrable.set(span, ()),
                INITIALLY_DEFERRED => initially_deferred.set(span, ()),
                COLUMN => column.set(span, meta.value()?.parse::<LitStr>()?),
                MAX_LENGTH => max_length.set(span, meta.value()?.parse::<LitInt>()?),
                PRECISION => precision.set(span, meta.value()?.parse::<LitInt>()?),
                SCALE => scale.set(span, meta.value()?.parse::<LitInt>()?),
                SQL_TYPE => sql_type.set(span, meta.value()?.parse::<LitStr>()?),
                DEFAULT => default.set(span, meta.value()?.parse::<Expr>()?),
                REFERENCES => references.set(span, meta.value()?.parse::<Expr>()?),
                ON_DELETE => on_delete.set(span, meta.value()?.parse::<LitStr>()?),
                ON_UPDATE => match meta.value()?.parse::<Expr>()? {
                    Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(lit),
                        ..
                    }) => on_update.set(span, lit),
                    Expr::Call(call)
                        if call.args.is_empty()
                            && matches!(&*call.func, Expr::Path(p) if p.path.is_ident("now")) =>
                    {
                        on_update_now.set(span, ())
                    }
                    other => {
                        return Err(syn::Error::new(
                            other.span(),
                            "on_update takes a foreign key action (on_update = \"cascade\") or, on a timestamp \
                             column, on_update = now() (MySQL's ON UPDATE CURRENT_TIMESTAMP)",
                        ))
                    }
                },
                AUTOINCREMENT => autoincrement.set(span, meta.value()?.parse::<LitBool>()?),
                RENAMED_FROM => renamed_from.set(span, meta.value()?.parse::<LitStr>()?),
                DIESEL_TYPE => diesel_type.set(span, meta.value()?.parse::<syn::Type>()?),
                CHECK => check.set(span, meta.value()?.parse::<LitStr>()?),
                GENERATED => {
                    let lit = meta.value()?.parse::<LitStr>()?;
                    if lit.value().trim().is_empty() {
                        return Err(syn::Error::new(
                            lit.span(),
                            "a generated column's expression is SQL, not empty: \
                             generated = \"price * quantity\"",
                        ));
                    }
                    generated.set(span, lit)
                }
                STORED => stored.set(span, ()),
                IDENTITY => identity.set(span, identity_attr(&meta)?),
                COLLATION => {
                    let lit = meta.value()?.parse::<LitStr>()?;
                    let name = lit.value();
                    if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'))
                    {
                        return Err(syn::Error::new(
                            lit.span(),
                            "a collation is a name the database knows: collation = \"C\" (PostgreSQL), \
                             \"utf8mb4_bin\" (MySQL), \"NOCASE\" (SQLite)",
                        ));
                    }
                    collation.set(span, lit)
                }
                TABLE => {
                    return Err(
                        meta.error("#[model(table = ..)] belongs on the struct, not on a field")
                    )
                }
                _ => return Err(unknown_key(&meta, FIELD_KEYS, "field")),
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    let unique = unique.get();
    let index = index.get();
    FieldAttrs {
        primary_key: primary_key.get().map(|(s, ())| s),
        column: column.get().map(|(_, v)| v),
        max_length: max_length.get().map(|(_, v)| v),
        precision: precision.get().map(|(_, v)| v),
        scale: scale.get().map(|(_, v)| v),
        sql_type: sql_type.get().map(|(_, v)| v),
        unique: unique.as_ref().map(|(s, _)| *s),
        unique_name: unique.and_then(|(_, n)| n),
        index: index.as_ref().map(|(s, _)| *s),
        index_name: index.and_then(|(_, n)| n),
        fk_name: fk_name.get().map(|(_, v)| v),
        on_update_now: on_update_now.get().map(|(s, ())| s),
        deferrable: Deferral {
            deferrable: deferrable.get().map(|(s, ())| s),
            initially_deferred: initially_deferred.get().map(|(s, ())| s),
        },
        default: default.get().map(|(_, v)| v),
        references: references.get().map(|(_, v)| v),
        on_delete: on_delete.get().map(|(_, v)| v),
        on_update: on_update.get().map(|(_, v)| v),
        autoincrement: autoincrement.get().map(|(_, v)| v),
        renamed_from: renamed_from.get().map(|(_, v)| v),
        diesel_type: diesel_type.get().map(|(_, v)| v),
        check: check.get().map(|(_, v)| v),
        generated: generated.get().map(|(_, v)| v),
        stored: stored.get().map(|(s, ())| s),
        collation: collation.get().map(|(_, v)| v),
        identity: identity.get().map(|(_, v)| v),
    }
}

fn is_db_enum(attr: &Attribute) -> bool {
    attr.path().is_ident(DB_ENUM)
}

/// `#[db_enum(..)]` on a `#[derive(DbEnum)]` enum.
pub struct EnumAttrs {
    /// `name = "order_status"`: the database type's name.
    pub name: Option<LitStr>,
}

/// `#[db_enum(..)]` on one of its variants.
pub struct VariantAttrs {
    /// `rename = "x"`: the value stored for the variant.
    pub rename: Option<LitStr>,
    /// `renamed_from = "old"`: the value the variant had before.
    pub renamed_from: Option<LitStr>,
}

pub fn enum_attrs(cx: &Ctxt, attrs: &[Attribute]) -> EnumAttrs {
    let mut name = Attr::none_in(cx, DB_ENUM, NAME);
    for attr in attrs.iter().filter(|a| is_db_enum(a)) {
        let result = attr.parse_nested_meta(|meta| {
            let key = path_name(&meta);
            match key.as_str() {
                NAME => name.set(meta.path.span(), meta.value()?.parse::<LitStr>()?),
                RENAME | RENAMED_FROM => {
                    return Err(meta.error(format!(
                        "#[db_enum({key})] belongs on a variant, not on the enum"
                    )))
                }
                _ => return Err(unknown_key_in(DB_ENUM, &meta, ENUM_KEYS, "an enum")),
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    EnumAttrs {
        name: name.get().map(|(_, v)| v),
    }
}

const NAME_ON_VARIANT: &str =
    "#[db_enum(name = ..)] belongs on the enum (the database type's name); \
a variant's value is #[db_enum(rename = \"...\")]";

pub fn variant_attrs(cx: &Ctxt, attrs: &[Attribute]) -> VariantAttrs {
    let mut rename = Attr::none_in(cx, DB_ENUM, RENAME);
    let mut renamed_from = Attr::none_in(cx, DB_ENUM, RENAMED_FROM);
    for attr in attrs.iter().filter(|a| is_db_enum(a)) {
        let result = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            match path_name(&meta).as_str() {
                RENAME => rename.set(span, meta.value()?.parse::<LitStr>()?),
                RENAMED_FROM => renamed_from.set(span, meta.value()?.parse::<LitStr>()?),
                NAME => return Err(meta.error(NAME_ON_VARIANT)),
                _ => return Err(unknown_key_in(DB_ENUM, &meta, VARIANT_KEYS, "a variant")),
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    VariantAttrs {
        rename: rename.get().map(|(_, v)| v),
        renamed_from: renamed_from.get().map(|(_, v)| v),
    }
}

//! Ops → the Rust source of a revision file, in the same `op` API a person would
//! write. Built with `quote`, laid out by `prettyplease`.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::autogenerate::Changes;
use crate::error::{Error, Result};
use retort::ops::{
    AddColumn, AddConstraint, AlterColumn, AlterEnum, Batch, BulkInsert, CreateEnum, CreateIndex,
    CreateTable, DropColumn, DropConstraint, DropEnum, DropIndex, DropTable, Execute, Op,
    RenameTable,
};
use retort::schema::{
    Check, Column, Constraint, ConstraintKind, FkAction, ForeignKey, Identity, Index, IndexKey,
    NullsOrder, ServerDefault, SqlType, Table, Unique, Value,
};

/// What goes into a revision file besides its ops.
#[derive(Debug, Clone)]
pub struct RevisionHeader<'a> {
    /// New revision id.
    pub id: &'a str,
    /// Parent revisions.
    pub down_revisions: &'a [String],
    /// Branch labels.
    pub branch_labels: &'a [String],
    /// Cross-branch dependencies.
    pub depends_on: &'a [String],
    /// Message.
    pub message: &'a str,
    /// Creation time, as printed.
    pub created: &'a str,
    /// The database the ops were compared on: each op that locks, rewrites,
    /// destroys or breaks something there gets a comment saying so.
    pub backend: Option<retort::Backend>,
    /// Whether the project runs revisions with a lock timeout (else the first
    /// op that waits for a lock is noted as breaking `require-timeout-settings`).
    pub lock_timeout: bool,
    /// The revisions a squash replaces, oldest first (empty otherwise).
    pub replaces: &'a [String],
    /// Why the downgrade cannot be done, when it cannot: it returns this error.
    pub irreversible: Option<&'a str>,
    /// Tables to write a typed snapshot of (`--with-snapshot`), as the revision
    /// leaves them.
    pub snapshot: &'a [Table],
}

/// Renders a whole revision file: `changes.ops` as the upgrade, with a
/// `// WARNING:` line before each op `changes.warnings` names and the
/// suggestions and notes as comments at the top of the upgrade; `downgrade` as
/// the downgrade. Empty bodies get a placeholder to fill in.
pub fn revision_file(
    header: &RevisionHeader<'_>,
    changes: &Changes,
    downgrade: &[Op],
) -> Result<String> {
    let mut comments: Vec<String> = Vec::new();
    let mut up = Vec::new();
    for note in changes.suggestions.iter().chain(&changes.notes) {
        up.push(comment(&mut comments, format!("NOTE: {note}")));
    }
    let safety = header
        .backend
        .map(|b| crate::safety::annotate(&changes.ops, b, header.lock_timeout))
        .unwrap_or_default();
    up.extend(body(
        &changes.ops,
        &changes.warnings,
        &safety,
        &mut comments,
    ));
    // A downgrade undoes: what it destroys is what the upgrade made.
    let down = body(downgrade, &[], &[], &mut comments);
    let id = header.id;
    let message = header.message;
    let parents = header.down_revisions;
    let revises = if parents.is_empty() {
        "<base>".to_owned()
    } else {
        parents.join(", ")
    };
    let mut docs: Vec<String> = header.message.lines().map(|l| format!(" {l}")).collect();
    if docs.is_empty() {
        docs.push(String::new());
    }
    docs.push(String::new());
    docs.push(format!(" Revision ID: {id}"));
    docs.push(format!(" Revises: {revises}"));
    docs.push(format!(" Create Date: {}", header.created));
    let mut extras = TokenStream::new();
    if !header.branch_labels.is_empty() {
        let labels = header.branch_labels;
        extras.extend(quote! { .branch_labels(&[#(#labels),*]) });
    }
    if !header.depends_on.is_empty() {
        let deps = header.depends_on;
        extras.extend(quote! { .depends_on(&[#(#deps),*]) });
    }
    if !header.replaces.is_empty() {
        let replaces = header.replaces;
        extras.extend(quote! { .replaces(&[#(#replaces),*]) });
    }
    // A long body is split into parts of PART statements, each its own function:
    // the compiler's work then grows with the revision instead of faster (one
    // function of thousands of statements is what makes optimisers slow).
    let (up_parts, down_parts) = (parts(&up), parts(&down));
    let mut bodies: Vec<&[Stmt<'_>]> = Vec::new();
    let (up_body, up_fns) = entry(&up_parts, "upgrade", &mut bodies);
    let (down_body, down_fns) = entry(&down_parts, "downgrade", &mut bodies);
    let downgrade = match header.irreversible {
        Some(reason) => quote! {
            pub fn downgrade(_op: &mut Operations) -> Result {
                Err(#reason.into())
            }
        },
        None => quote! {
            pub fn downgrade(op: &mut Operations) -> Result {
                #down_body
                Ok(())
            }
        },
    };
    let file = quote! {
        #(#![doc = #docs])*
        use retort::migration::prelude::*;

        pub const REVISION: Revision = Revision::new(#id, &[#(#parents),*], #message) #extras;

        pub fn upgrade(op: &mut Operations) -> Result {
            #up_body
            Ok(())
        }

        #downgrade

        #up_fns
        #down_fns
    };
    // The skeleton and the statements are laid out apart, a batch at a time, so
    // memory stays small whatever the number of tables (a syntax tree of the whole
    // file of a thousand tables would take tens of megabytes).
    let skeleton = unparse(file)?;
    let total: usize = bodies.iter().map(|b| b.len()).sum();
    let mut text = String::with_capacity(skeleton.len() + 256 * total);
    for line in skeleton.lines() {
        let marker = line
            .trim()
            .strip_prefix("__retort_body!(")
            .and_then(|rest| rest.strip_suffix(");"))
            .and_then(|n| n.parse::<usize>().ok());
        let Some(body) = marker.and_then(|n| bodies.get(n)) else {
            text.push_str(line);
            text.push('\n');
            continue;
        };
        for batch in body.chunks(32) {
            // Tokens for one batch at a time, too: they are the bulkiest part.
            let batch = batch.iter().map(Stmt::tokens);
            let laid_out = unparse(quote! { fn __retort() { #(#batch)* } })?;
            // Between `fn __retort() {` and `}`: the statements, indented as in
            // any function body.
            let lines: Vec<&str> = laid_out.lines().collect();
            for line in lines.iter().skip(1).take(lines.len().saturating_sub(2)) {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    let mut text = restore_comments(&text, &comments);
    text.push_str(&snapshot_module(header.id, header.snapshot));
    Ok(text)
}

/// The `snapshot` module of `--with-snapshot`: one `retort::snapshot!` struct per
/// table (see `retort::snapshot`), laid out by hand (a formatter leaves a macro's
/// body on as few lines as it can).
fn snapshot_module(id: &str, tables: &[Table]) -> String {
    use std::fmt::Write as _;
    if tables.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n/// The tables as this revision leaves them (`--with-snapshot`): its data\n\
         /// migration reads and writes them through these (`op.rows::<snapshot::…>()`,\n\
         /// `op.insert_rows(..)`), whatever the models say later.\n\
         #[allow(dead_code)]\n\
         mod snapshot {\n    retort::snapshot! {\n",
    );
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "        /// `{}` as revision {id} leaves it.",
            table.name
        );
        let _ = writeln!(
            out,
            "        pub struct {} in {:?} {{",
            pascal_case(&table.name),
            table.name
        );
        for (position, column) in table.columns.iter().enumerate() {
            let (rust, sql, as_text) = snapshot_type(&column.sql_type);
            let (rust, sql) = if column.nullable {
                (format!("Option<{rust}>"), format!("Nullable<{sql}>"))
            } else {
                (rust.to_owned(), sql.to_owned())
            };
            if as_text {
                let _ = writeln!(out, "            /// {}, read as text.", column.sql_type);
            }
            let _ = writeln!(
                out,
                "            {}: {rust} = {}({:?}) as {sql},",
                field_ident(&column.name, position),
                if as_text { "text" } else { "column" },
                column.name
            );
        }
        out.push_str("        }\n");
    }
    out.push_str("    }\n}\n");
    out
}

/// `order_items` → `OrderItems`, `billing.invoices` → `BillingInvoices`.
fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Table");
    }
    out
}

/// A column's field name: itself where it is an identifier (raw where it is a
/// keyword), else `column_N`.
fn field_ident(name: &str, position: usize) -> String {
    let ok = name
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !ok || matches!(name, "_" | "self" | "Self" | "super" | "crate") {
        return format!("column_{position}");
    }
    let lower = name.to_ascii_lowercase();
    if syn::parse_str::<syn::Ident>(&lower).is_ok() {
        lower
    } else {
        format!("r#{lower}")
    }
}

/// The Rust type and diesel SQL type a snapshot reads a column as, and whether
/// it reads its text (types without one Rust type on every database).
fn snapshot_type(sql_type: &SqlType) -> (&'static str, &'static str, bool) {
    match sql_type {
        SqlType::SmallInt => ("i16", "SmallInt", false),
        SqlType::Integer => ("i32", "Integer", false),
        SqlType::BigInt => ("i64", "BigInt", false),
        SqlType::Real => ("f32", "Float", false),
        SqlType::Double => ("f64", "Double", false),
        SqlType::Boolean => ("bool", "Bool", false),
        SqlType::Text | SqlType::Varchar(_) => ("String", "Text", false),
        SqlType::Blob => ("Vec<u8>", "Binary", false),
        _ => ("String", "Text", true),
    }
}

/// The body of `upgrade`/`downgrade` (`name`): a marker for the one part, or a
/// call of each part's function; and those functions. The parts' statements go
/// into `bodies`, where each marker's number points.
fn entry<'s, 'a>(
    parts: &[&'s [Stmt<'a>]],
    name: &str,
    bodies: &mut Vec<&'s [Stmt<'a>]>,
) -> (TokenStream, TokenStream) {
    if parts.len() == 1 {
        let marker = Literal::usize_unsuffixed(bodies.len());
        bodies.push(parts[0]);
        return (quote! { __retort_body!(#marker); }, TokenStream::new());
    }
    let mut calls = TokenStream::new();
    let mut fns = TokenStream::new();
    for (k, part) in parts.iter().enumerate() {
        let ident = quote::format_ident!("{name}_{}", k + 1);
        let doc = format!(" Part {} of {} of the {name}.", k + 1, parts.len());
        let marker = Literal::usize_unsuffixed(bodies.len());
        bodies.push(part);
        calls.extend(quote! { #ident(op)?; });
        fns.extend(quote! {
            #[doc = #doc]
            #[inline(never)]
            fn #ident(op: &mut Operations) -> Result {
                __retort_body!(#marker);
                Ok(())
            }
        });
    }
    (calls, fns)
}

/// Statements per function of a long body.
const PART: usize = 40;

/// A body cut into parts of at most [`PART`] statements (one part when it is
/// short), a comment staying with the statement after it.
fn parts<'s, 'a>(body: &'s [Stmt<'a>]) -> Vec<&'s [Stmt<'a>]> {
    if body.len() <= PART {
        return vec![body];
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < body.len() {
        let mut end = (start + PART).min(body.len());
        // Do not end a part on a comment: it belongs to the next statement.
        while end < body.len() && end > start + 1 && matches!(body[end - 1], Stmt::Comment(_)) {
            end -= 1;
        }
        out.push(&body[start..end]);
        start = end;
    }
    out
}

/// Tokens of a whole file, laid out by prettyplease.
fn unparse(tokens: TokenStream) -> Result<String> {
    let parsed = syn::parse2::<syn::File>(tokens).map_err(|e| Error::Generated(e.to_string()))?;
    Ok(prettyplease::unparse(&parsed))
}

/// One statement of a function body, turned into tokens only when laid out.
enum Stmt<'a> {
    /// A marker that becomes the `n`th comment once laid out.
    Comment(usize),
    /// `op.…(…)?;`
    Op(&'a Op),
    /// `let _ = op;` in an empty body.
    Unused,
}

impl Stmt<'_> {
    fn tokens(&self) -> TokenStream {
        match self {
            Stmt::Comment(n) => {
                let n = Literal::usize_unsuffixed(*n);
                quote! { __retort_comment!(#n); }
            }
            Stmt::Op(op) => statement(op),
            Stmt::Unused => quote! { let _ = op; },
        }
    }
}

/// A marker statement that becomes `// text` once laid out.
fn comment(comments: &mut Vec<String>, text: String) -> Stmt<'static> {
    comments.push(text);
    Stmt::Comment(comments.len() - 1)
}

/// Statements of one function, each op preceded by its warnings and what it
/// locks.
fn body<'a>(
    ops: &'a [Op],
    warnings: &[(usize, String)],
    safety: &[(usize, String)],
    comments: &mut Vec<String>,
) -> Vec<Stmt<'a>> {
    if ops.is_empty() {
        return vec![
            comment(
                comments,
                "nothing yet: write the change with `op`, e.g. op.add_column(..)?;".to_owned(),
            ),
            Stmt::Unused,
        ];
    }
    let mut out = Vec::with_capacity(ops.len());
    let redundant = retort::ops::dropped_with_its_table(ops);
    for (i, op) in ops.iter().enumerate() {
        for (_, warning) in warnings.iter().filter(|(at, _)| *at == i) {
            out.push(comment(comments, format!("WARNING: {warning}")));
        }
        if !redundant[i] {
            for (_, note) in safety.iter().filter(|(at, _)| *at == i) {
                out.push(comment(comments, note.clone()));
            }
            out.push(Stmt::Op(op));
        }
    }
    out
}

/// Turns markers into comments, and separates top-level items by a blank line.
fn restore_comments(text: &str, comments: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = "";
    for line in text.lines() {
        let item_start = !line.starts_with([' ', '}', '/', ')']) && !line.is_empty();
        // An item's doc comment and attributes stay with it.
        let attached = previous.starts_with("///") || previous.starts_with("#[");
        if item_start && !previous.is_empty() && !attached {
            out.push('\n');
        }
        previous = line;
        let trimmed = line.trim_start();
        let marker = trimmed
            .strip_prefix("__retort_comment!(")
            .and_then(|rest| rest.strip_suffix(");"))
            .and_then(|n| n.parse::<usize>().ok());
        match marker.and_then(|n| comments.get(n)) {
            Some(comment) => {
                out.push_str(&line[..line.len() - trimmed.len()]);
                out.push_str("// ");
                out.push_str(comment);
            }
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// One `op.…(…)?;` statement.
pub fn statement(op: &Op) -> TokenStream {
    match op {
        Op::CreateTable(CreateTable { table }) => {
            let table = table_expr(table);
            quote! { op.create_table(#table)?; }
        }
        Op::DropTable(DropTable { name, .. }) => quote! { op.drop_table(#name)?; },
        Op::RenameTable(RenameTable { name, new_name }) => {
            quote! { op.rename_table(#name, #new_name)?; }
        }
        Op::AddColumn(AddColumn { table, column }) => {
            let column = column_expr(column);
            quote! { op.add_column(#table, #column)?; }
        }
        Op::DropColumn(DropColumn { table, name, .. }) => {
            quote! { op.drop_column(#table, #name)?; }
        }
        Op::AlterColumn(alter) => {
            let alter = alter_expr(alter);
            quote! { op.alter_column(#alter)?; }
        }
        Op::CreateIndex(CreateIndex {
            table,
            index,
            concurrently,
        }) => {
            let index = index_expr(index);
            if *concurrently {
                quote! { op.concurrently().create_index(#table, #index)?; }
            } else {
                quote! { op.create_index(#table, #index)?; }
            }
        }
        Op::DropIndex(DropIndex {
            table,
            name,
            concurrently,
            ..
        }) => {
            if *concurrently {
                quote! { op.concurrently().drop_index(#table, #name)?; }
            } else {
                quote! { op.drop_index(#table, #name)?; }
            }
        }
        Op::AddConstraint(AddConstraint {
            table,
            constraint,
            not_valid,
            concurrently,
        }) => {
            let receiver = if *not_valid {
                quote!(op.not_valid())
            } else if *concurrently {
                quote!(op.concurrently())
            } else {
                quote!(op)
            };
            add_constraint_statement(receiver, table, constraint)
        }
        Op::ValidateConstraint(v) => {
            let (table, name) = (&v.table, &v.name);
            quote! { op.validate_constraint(#table, #name)?; }
        }
        Op::DropConstraint(DropConstraint {
            table,
            name,
            existing: Some(existing),
            ..
        }) if name.is_empty() => {
            let constraint = constraint_expr(existing);
            quote! { op.drop_unnamed_constraint(#table, #constraint)?; }
        }
        Op::DropConstraint(DropConstraint {
            table, name, kind, ..
        }) => {
            let kind = kind_expr(*kind);
            quote! { op.drop_constraint(#table, #name, #kind)?; }
        }
        Op::Batch(Batch { table, ops }) => {
            let inner = ops.iter().map(batch_statement);
            quote! {
                op.batch_alter_table(#table, |b| {
                    #(#inner)*
                })?;
            }
        }
        Op::Execute(Execute { sql, params }) if params.is_empty() => quote! { op.execute(#sql)?; },
        Op::Execute(Execute { sql, params }) => {
            let params = row_expr(params);
            quote! { op.execute_with(#sql, #params)?; }
        }
        Op::BulkInsert(BulkInsert {
            table,
            columns,
            rows,
        }) => {
            let rows = rows.iter().map(|r| row_expr(r));
            quote! { op.bulk_insert(#table, &[#(#columns),*], vec![#(#rows),*])?; }
        }
        Op::CreateEnum(CreateEnum { name, values }) => {
            quote! { op.create_enum(#name, [#(#values),*])?; }
        }
        Op::DropEnum(DropEnum { name, .. }) => quote! { op.drop_enum(#name)?; },
        Op::AlterEnum(alter) => {
            let AlterEnum {
                name,
                values,
                renames,
                columns,
                existing,
            } = alter;
            let renames = renames
                .iter()
                .map(|(old, new)| quote! { .rename(#old, #new) });
            let columns = columns
                .iter()
                .map(|(table, column)| quote! { .column(#table, #column) });
            quote! {
                op.alter_enum(
                    AlterEnum::new(#name, [#(#values),*])
                        .existing([#(#existing),*])
                        #(#renames)*
                        #(#columns)*
                )?;
            }
        }
        Op::RenameConstraint(r) => {
            let (table, name, new_name) = (&r.table, &r.name, &r.new_name);
            match r.kind {
                None => quote! { op.rename_index(#table, #name, #new_name)?; },
                Some(kind) => {
                    let kind = proc_macro2::Ident::new(
                        match kind {
                            ConstraintKind::PrimaryKey => "PrimaryKey",
                            ConstraintKind::Unique => "Unique",
                            ConstraintKind::ForeignKey => "ForeignKey",
                            ConstraintKind::Check => "Check",
                        },
                        proc_macro2::Span::call_site(),
                    );
                    quote! { op.rename_constraint(#table, ConstraintKind::#kind, #name, #new_name)?; }
                }
            }
        }
        Op::SetComment(set) => {
            let table = &set.table;
            let comment = match &set.comment {
                Some(c) => quote! { Some(#c) },
                None => quote! { None },
            };
            match &set.column {
                Some(column) => quote! { op.comment_column(#table, #column, #comment)?; },
                None => quote! { op.comment_table(#table, #comment)?; },
            }
        }
    }
}

fn constraint_call(constraint: &Constraint) -> proc_macro2::Ident {
    let name = match constraint {
        Constraint::PrimaryKey { .. } => "create_primary_key",
        Constraint::Unique(_) => "create_unique_constraint",
        Constraint::ForeignKey(_) => "create_foreign_key",
        Constraint::Check(_) => "create_check_constraint",
    };
    proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
}

/// `op.create_…(table, …)?;`, or `b.create_…(…);` inside a batch (`table` empty).
fn add_constraint_statement(
    receiver: TokenStream,
    table: &str,
    constraint: &Constraint,
) -> TokenStream {
    let call = constraint_call(constraint);
    let table_arg = if table.is_empty() {
        quote!()
    } else {
        quote!(#table,)
    };
    let tail = if table.is_empty() {
        quote!(;)
    } else {
        quote!(?;)
    };
    match constraint {
        Constraint::PrimaryKey { name, columns } => {
            let name = name.clone().unwrap_or_else(|| format!("pk_{table}"));
            quote! { #receiver.#call(#table_arg #name, [#(#columns),*]) #tail }
        }
        Constraint::Unique(u) => {
            let u = unique_expr(u);
            quote! { #receiver.#call(#table_arg #u) #tail }
        }
        Constraint::ForeignKey(f) => {
            let f = foreign_key_expr(f);
            quote! { #receiver.#call(#table_arg #f) #tail }
        }
        Constraint::Check(c) => {
            let c = check_expr(c);
            quote! { #receiver.#call(#table_arg #c) #tail }
        }
    }
}

/// One `b.…(…);` inside `batch_alter_table`.
fn batch_statement(op: &Op) -> TokenStream {
    match op {
        Op::AddColumn(AddColumn { column, .. }) => {
            let column = column_expr(column);
            quote! { b.add_column(#column); }
        }
        Op::DropColumn(DropColumn { name, .. }) => quote! { b.drop_column(#name); },
        Op::AlterColumn(alter) => {
            let name = &alter.name;
            let changes = alter_changes(alter);
            quote! { b.alter_column(#name, |c| c #changes); }
        }
        Op::CreateIndex(CreateIndex { index, .. }) => {
            let index = index_expr(index);
            quote! { b.create_index(#index); }
        }
        Op::DropIndex(DropIndex { name, .. }) => quote! { b.drop_index(#name); },
        Op::AddConstraint(AddConstraint { constraint, .. }) => {
            add_constraint_statement(quote!(b), "", constraint)
        }
        Op::DropConstraint(DropConstraint { name, kind, .. }) => {
            let kind = kind_expr(*kind);
            quote! { b.drop_constraint(#name, #kind); }
        }
        other => {
            let summary = format!("not allowed in a batch: {}", other.summary());
            quote! { compile_error!(#summary); }
        }
    }
}

fn alter_expr(alter: &AlterColumn) -> TokenStream {
    let table = &alter.table;
    let name = &alter.name;
    let changes = alter_changes(alter);
    quote! { AlterColumn::new(#table, #name) #changes }
}

fn alter_changes(alter: &AlterColumn) -> TokenStream {
    let mut out = TokenStream::new();
    if let Some(t) = &alter.sql_type {
        let t = sql_type_expr(t);
        out.extend(quote! { .sql_type(#t) });
    }
    if let Some(n) = alter.nullable {
        out.extend(quote! { .nullable(#n) });
    }
    match &alter.default {
        Some(Some(d)) => {
            let d = default_expr(d);
            out.extend(quote! { .default(Some(#d)) });
        }
        Some(None) => out.extend(quote! { .default(None) }),
        None => {}
    }
    if let Some(u) = alter.on_update_now {
        out.extend(quote! { .on_update_now(#u) });
    }
    match &alter.identity {
        Some(Some(i)) => {
            let i = identity_expr(i);
            out.extend(quote! { .identity(Some(#i)) });
        }
        Some(None) => out.extend(quote! { .identity(None) }),
        None => {}
    }
    match &alter.collation {
        Some(Some(c)) => out.extend(quote! { .collation(Some(#c)) }),
        Some(None) => out.extend(quote! { .collation(None) }),
        None => {}
    }
    if let Some(a) = alter.autoincrement {
        out.extend(quote! { .autoincrement(#a) });
    }
    if let Some(n) = &alter.new_name {
        out.extend(quote! { .rename_to(#n) });
    }
    if let Some(existing) = &alter.existing {
        let existing = column_expr(existing);
        out.extend(quote! { .existing(#existing) });
    }
    out
}

fn kind_expr(kind: ConstraintKind) -> TokenStream {
    match kind {
        ConstraintKind::PrimaryKey => quote! { ConstraintKind::PrimaryKey },
        ConstraintKind::Unique => quote! { ConstraintKind::Unique },
        ConstraintKind::ForeignKey => quote! { ConstraintKind::ForeignKey },
        ConstraintKind::Check => quote! { ConstraintKind::Check },
    }
}

fn check_expr(check: &Check) -> TokenStream {
    let expr = &check.expr;
    match &check.name {
        Some(name) => quote! { Check::new(#name, #expr) },
        None => quote! { Check::unnamed(#expr) },
    }
}

/// Values as `row![..]` writes them: plain literals where one says it.
fn row_expr(values: &[Value]) -> TokenStream {
    let items = values.iter().map(|value| match value {
        Value::Int(i) if i32::try_from(*i).is_ok() => {
            let i = Literal::i64_unsuffixed(*i);
            quote! { #i }
        }
        Value::Int(i) => quote! { #i },
        Value::Float(f) if f.is_finite() => {
            let f = Literal::f64_unsuffixed(*f);
            quote! { #f }
        }
        Value::Bool(b) => quote! { #b },
        Value::Text(s) => quote! { #s },
        other => value_expr(other),
    });
    quote! { row![#(#items),*] }
}

fn value_expr(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote! { Value::Null },
        Value::Int(i) => quote! { Value::Int(#i) },
        Value::Float(f) => quote! { Value::Float(#f) },
        Value::Bool(b) => quote! { Value::Bool(#b) },
        Value::Text(s) => quote! { Value::Text(#s.into()) },
        Value::Bytes(b) => quote! { Value::Bytes(vec![#(#b),*]) },
        Value::Date(d) => {
            let s = d.to_string();
            quote! { Value::Date(#s.parse()?) }
        }
        Value::Time(t) => {
            let s = t.to_string();
            quote! { Value::Time(#s.parse()?) }
        }
        Value::Timestamp(t) => {
            let s = t.format("%Y-%m-%dT%H:%M:%S%.f").to_string();
            quote! { Value::Timestamp(#s.parse()?) }
        }
        Value::TimestampTz(t) => {
            let s = t.to_rfc3339();
            quote! { Value::TimestampTz(#s.parse()?) }
        }
        Value::Uuid(bytes) => quote! { Value::Uuid([#(#bytes),*]) },
        Value::Json(s) => quote! { Value::Json(#s.into()) },
        Value::Decimal(s) => quote! { Value::Decimal(#s.into()) },
        Value::Enum(s) => quote! { Value::Enum(#s.into()) },
    }
}

fn table_expr(table: &Table) -> TokenStream {
    let name = &table.name;
    let columns = table.columns.iter().map(column_expr);
    let mut out = quote! { Table::new(#name) #(.column(#columns))* };
    if !table.primary_key.is_empty() {
        let key = &table.primary_key;
        match &table.primary_key_name {
            Some(name) => out.extend(quote! { .primary_key_named(#name, [#(#key),*]) }),
            None => out.extend(quote! { .primary_key([#(#key),*]) }),
        }
    }
    for unique in &table.uniques {
        let unique = unique_expr(unique);
        out.extend(quote! { .unique(#unique) });
    }
    for check in &table.checks {
        let check = check_expr(check);
        out.extend(quote! { .check(#check) });
    }
    for fk in &table.foreign_keys {
        let fk = foreign_key_expr(fk);
        out.extend(quote! { .foreign_key(#fk) });
    }
    if let Some(comment) = &table.comment {
        out.extend(quote! { .comment(#comment) });
    }
    out
}

fn column_expr(column: &Column) -> TokenStream {
    let name = &column.name;
    let ty = sql_type_expr(&column.sql_type);
    let mut out = quote! { Column::new(#name, #ty) };
    if column.nullable {
        out.extend(quote! { .nullable() });
    }
    if let Some(default) = &column.default {
        let default = default_expr(default);
        out.extend(quote! { .default(#default) });
    }
    if column.autoincrement {
        out.extend(quote! { .autoincrement() });
    }
    if column.on_update_now {
        out.extend(quote! { .on_update_now() });
    }
    if let Some(collation) = &column.collation {
        out.extend(quote! { .collation(#collation) });
    }
    if let Some(identity) = &column.identity {
        let identity = identity_expr(identity);
        out.extend(quote! { .identity(#identity) });
    }
    if let Some(generated) = &column.generated {
        let (expr, stored) = (&generated.expr, generated.stored);
        out.extend(quote! { .generated(#expr, #stored) });
    }
    if let Some(comment) = &column.comment {
        out.extend(quote! { .comment(#comment) });
    }
    out
}

/// `Identity { always: true, start: Some(1000), increment: None }`.
fn identity_expr(identity: &Identity) -> TokenStream {
    let always = identity.always;
    let opt = |n: Option<i64>| match n {
        Some(n) => {
            let n = proc_macro2::Literal::i64_unsuffixed(n);
            quote!(Some(#n))
        }
        None => quote!(None),
    };
    let (start, increment) = (opt(identity.start), opt(identity.increment));
    quote! { Identity { always: #always, start: #start, increment: #increment } }
}

fn sql_type_expr(ty: &SqlType) -> TokenStream {
    match ty {
        SqlType::SmallInt => quote! { SqlType::SmallInt },
        SqlType::Integer => quote! { SqlType::Integer },
        SqlType::BigInt => quote! { SqlType::BigInt },
        SqlType::Real => quote! { SqlType::Real },
        SqlType::Double => quote! { SqlType::Double },
        SqlType::Boolean => quote! { SqlType::Boolean },
        SqlType::Text => quote! { SqlType::Text },
        SqlType::Varchar(n) => {
            let n = Literal::u32_unsuffixed(*n);
            quote! { SqlType::Varchar(#n) }
        }
        SqlType::Blob => quote! { SqlType::Blob },
        SqlType::Date => quote! { SqlType::Date },
        SqlType::Time => quote! { SqlType::Time },
        SqlType::Timestamp => quote! { SqlType::Timestamp },
        SqlType::TimestampTz => quote! { SqlType::TimestampTz },
        SqlType::Uuid => quote! { SqlType::Uuid },
        SqlType::Json => quote! { SqlType::Json },
        SqlType::Decimal { precision, scale } => {
            let precision = Literal::u16_unsuffixed(*precision);
            let scale = Literal::u16_unsuffixed(*scale);
            quote! { SqlType::decimal(#precision, #scale) }
        }
        SqlType::Unsigned(bits) => {
            let bits = Literal::u8_unsuffixed(*bits);
            quote! { SqlType::Unsigned(#bits) }
        }
        SqlType::Array(element) => {
            let element = sql_type_expr(element);
            quote! { SqlType::array(#element) }
        }
        SqlType::Enum { name, values } => {
            quote! { SqlType::enumeration(#name, [#(#values),*]) }
        }
        SqlType::Custom(name) => {
            let name = name.as_ref();
            quote! { SqlType::custom(#name) }
        }
    }
}

fn default_expr(default: &ServerDefault) -> TokenStream {
    match default {
        ServerDefault::Number(n) => match n.parse::<i32>() {
            // An unsuffixed literal is an i32 in the revision file: only what fits.
            Ok(i) => {
                let lit = Literal::u32_unsuffixed(i.unsigned_abs());
                if i < 0 {
                    quote! { ServerDefault::number(-#lit) }
                } else {
                    quote! { ServerDefault::number(#lit) }
                }
            }
            Err(_) => {
                let n = n.as_ref();
                quote! { ServerDefault::Number(#n.into()) }
            }
        },
        ServerDefault::Bool(b) => quote! { ServerDefault::Bool(#b) },
        ServerDefault::Text(s) => {
            let s = s.as_ref();
            quote! { ServerDefault::text(#s) }
        }
        ServerDefault::CurrentTimestamp => quote! { ServerDefault::CurrentTimestamp },
        ServerDefault::CurrentDate => quote! { ServerDefault::CurrentDate },
        ServerDefault::CurrentTime => quote! { ServerDefault::CurrentTime },
        ServerDefault::NewUuid => quote! { ServerDefault::NewUuid },
        ServerDefault::Sql(s) => {
            let s = s.as_ref();
            quote! { ServerDefault::sql(#s) }
        }
    }
}

/// `Constraint::…(…)`.
fn constraint_expr(constraint: &Constraint) -> TokenStream {
    match constraint {
        Constraint::PrimaryKey { name, columns } => {
            let name = match name {
                Some(n) => quote! { Some(#n.to_owned()) },
                None => quote! { None },
            };
            quote! { Constraint::PrimaryKey { name: #name, columns: vec![#(#columns.to_owned()),*] } }
        }
        Constraint::Unique(u) => {
            let u = unique_expr(u);
            quote! { Constraint::Unique(#u) }
        }
        Constraint::ForeignKey(f) => {
            let f = foreign_key_expr(f);
            quote! { Constraint::ForeignKey(#f) }
        }
        Constraint::Check(c) => {
            let c = check_expr(c);
            quote! { Constraint::Check(#c) }
        }
    }
}

fn unique_expr(unique: &Unique) -> TokenStream {
    let columns = &unique.columns;
    match &unique.name {
        Some(name) => quote! { Unique::new(#name, [#(#columns),*]) },
        None => quote! { Unique::unnamed([#(#columns),*]) },
    }
}

fn index_expr(index: &Index) -> TokenStream {
    let name = &index.name;
    let mut out = if index.columns.iter().all(IndexKey::is_plain) {
        let columns = index.columns.iter().map(|k| &k.column);
        quote! { Index::new(#name, [#(#columns),*]) }
    } else {
        let keys = index.columns.iter().map(index_key_expr);
        quote! { Index::new(#name, [#(#keys),*]) }
    };
    if index.unique {
        out.extend(quote! { .unique() });
    }
    if let Some(method) = &index.using {
        out.extend(quote! { .using(#method) });
    }
    if !index.include.is_empty() {
        let include = &index.include;
        out.extend(quote! { .include([#(#include),*]) });
    }
    if index.nulls_not_distinct {
        out.extend(quote! { .nulls_not_distinct() });
    }
    if let Some(predicate) = &index.predicate {
        out.extend(quote! { .partial(#predicate) });
    }
    out
}

/// `IndexKey::column("created_at").desc().nulls_last()`, `IndexKey::expr("lower(email)")`.
fn index_key_expr(key: &IndexKey) -> TokenStream {
    let column = &key.column;
    let mut out = if key.expression {
        quote! { IndexKey::expr(#column) }
    } else {
        quote! { IndexKey::column(#column) }
    };
    if let Some(n) = key.length {
        let n = proc_macro2::Literal::u32_unsuffixed(n);
        out.extend(quote! { .length(#n) });
    }
    if let Some(op) = &key.opclass {
        out.extend(quote! { .opclass(#op) });
    }
    if key.descending {
        out.extend(quote! { .desc() });
    }
    match key.nulls {
        Some(NullsOrder::First) => out.extend(quote! { .nulls_first() }),
        Some(NullsOrder::Last) => out.extend(quote! { .nulls_last() }),
        None => {}
    }
    out
}

fn foreign_key_expr(fk: &ForeignKey) -> TokenStream {
    let columns = &fk.columns;
    let ref_table = &fk.ref_table;
    let ref_columns = &fk.ref_columns;
    let mut out = match &fk.name {
        Some(name) => {
            quote! { ForeignKey::new(#name, [#(#columns),*], #ref_table, [#(#ref_columns),*]) }
        }
        None => quote! { ForeignKey::unnamed([#(#columns),*], #ref_table, [#(#ref_columns),*]) },
    };
    if fk.on_delete != FkAction::NoAction {
        let action = action_expr(fk.on_delete);
        out.extend(quote! { .on_delete(#action) });
    }
    if fk.on_update != FkAction::NoAction {
        let action = action_expr(fk.on_update);
        out.extend(quote! { .on_update(#action) });
    }
    if fk.match_full {
        out.extend(quote! { .match_full() });
    }
    if fk.deferrable != retort::schema::Deferrable::No {
        let when = proc_macro2::Ident::new(fk.deferrable.variant(), proc_macro2::Span::call_site());
        out.extend(quote! { .deferrable(Deferrable::#when) });
    }
    out
}

fn action_expr(action: FkAction) -> TokenStream {
    match action {
        FkAction::NoAction => quote! { FkAction::NoAction },
        FkAction::Restrict => quote! { FkAction::Restrict },
        FkAction::Cascade => quote! { FkAction::Cascade },
        FkAction::SetNull => quote! { FkAction::SetNull },
        FkAction::SetDefault => quote! { FkAction::SetDefault },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_and_comments_are_written() {
        let index = Op::RenameConstraint(retort::ops::RenameConstraint {
            table: "items".into(),
            kind: None,
            name: "items_name_idx".into(),
            new_name: "ix_items_name".into(),
        });
        assert_eq!(
            statement(&index).to_string(),
            quote! { op.rename_index("items", "items_name_idx", "ix_items_name")?; }.to_string()
        );
        let unique = Op::RenameConstraint(retort::ops::RenameConstraint {
            table: "makers".into(),
            kind: Some(ConstraintKind::Unique),
            name: "makers_code_key".into(),
            new_name: "uq_makers_code".into(),
        });
        assert!(statement(&unique)
            .to_string()
            .contains("ConstraintKind :: Unique"));
        let comment = Op::SetComment(retort::ops::SetComment {
            table: "users".into(),
            column: Some("email".into()),
            comment: None,
            existing: Some(Some("old".into())),
        });
        assert_eq!(
            statement(&comment).to_string(),
            quote! { op.comment_column("users", "email", None)?; }.to_string()
        );
    }

    #[test]
    fn deferrable_foreign_keys_are_written() {
        let fk = ForeignKey::new("fk_a_b", ["b_id"], "b", ["id"])
            .deferrable(retort::schema::Deferrable::Deferred);
        let text = foreign_key_expr(&fk).to_string();
        assert!(
            text.ends_with(". deferrable (Deferrable :: Deferred)"),
            "{text}"
        );
    }

    fn header() -> RevisionHeader<'static> {
        RevisionHeader {
            id: "abc123def456",
            down_revisions: &[],
            branch_labels: &[],
            depends_on: &[],
            message: "add \"things\"",
            created: "2026-11-25 08:30:00 UTC",
            backend: None,
            lock_timeout: true,
            replaces: &[],
            irreversible: None,
            snapshot: &[],
        }
    }

    #[test]
    fn ops_that_lock_or_lose_something_say_so_above_them() {
        let ops = vec![
            Op::CreateTable(CreateTable {
                table: Table::new("fresh")
                    .column(Column::new("id", SqlType::BigInt))
                    .primary_key(["id"]),
            }),
            Op::CreateIndex(retort::ops::CreateIndex {
                table: "fresh".into(),
                index: retort::schema::Index::new("ix_fresh_id", ["id"]),
                concurrently: false,
            }),
            Op::drop_column("users", "legacy"),
        ];
        let changes = Changes {
            ops,
            ..Changes::default()
        };
        let mut header = header();
        header.backend = Some(retort::Backend::Postgres);
        let text = revision_file(&header, &changes, &[]).unwrap();
        // A new table and its index: nobody waits, nothing said.
        assert!(
            !text.contains("// PostgreSQL: ACCESS EXCLUSIVE on `fresh`"),
            "{text}"
        );
        assert!(!text.contains("SHARE on `fresh`"), "{text}");
        assert!(
            text.contains(
                "    // PostgreSQL: ACCESS EXCLUSIVE on `users`: blocks reads and writes briefly; destroys data; \
                 breaks code still using the old schema (lint: ban-drop-column)\n    op.drop_column(\"users\", \"legacy\")?;"
            ),
            "{text}"
        );
        header.backend = Some(retort::Backend::Mysql);
        let text = revision_file(&header, &changes, &[]).unwrap();
        assert!(
            text.contains("// MySQL/MariaDB: ALGORITHM=INSTANT on `users`: blocks neither reads nor writes; destroys data"),
            "{text}"
        );
    }

    #[test]
    fn unnamed_constraint_drops_carry_their_definition() {
        let drop = Op::DropConstraint(DropConstraint {
            table: "items".into(),
            name: String::new(),
            kind: ConstraintKind::ForeignKey,
            existing: Some(Constraint::ForeignKey(ForeignKey::unnamed(
                ["maker_id"],
                "makers",
                ["id"],
            ))),
        });
        assert_eq!(
            statement(&drop).to_string(),
            "op . drop_unnamed_constraint (\"items\" , Constraint :: ForeignKey (ForeignKey :: unnamed ([\"maker_id\"] , \"makers\" , [\"id\"]))) ? ;"
        );
    }

    #[test]
    fn enum_ops_render_as_builder_calls() {
        let create = Op::CreateEnum(CreateEnum {
            name: "order_status".into(),
            values: vec!["pending".into(), "paid".into()],
        });
        assert_eq!(
            statement(&create).to_string(),
            "op . create_enum (\"order_status\" , [\"pending\" , \"paid\"]) ? ;"
        );
        let alter = Op::AlterEnum(
            AlterEnum::new("order_status", ["pending", "settled"])
                .existing(["pending", "paid"])
                .rename("paid", "settled")
                .column("orders", "status"),
        );
        assert_eq!(
            statement(&alter).to_string(),
            "op . alter_enum (AlterEnum :: new (\"order_status\" , [\"pending\" , \"settled\"]) \
             . existing ([\"pending\" , \"paid\"]) . rename (\"paid\" , \"settled\") \
             . column (\"orders\" , \"status\")) ? ;"
        );
        let column = Column::new("status", SqlType::enumeration("order_status", ["a"]));
        assert_eq!(
            column_expr(&column).to_string(),
            "Column :: new (\"status\" , SqlType :: enumeration (\"order_status\" , [\"a\"]))"
        );
    }

    #[test]
    fn integer_defaults_render_as_code_that_compiles() {
        let expr = |n: &str| default_expr(&ServerDefault::Number(n.to_owned().into())).to_string();
        assert_eq!(expr("5"), "ServerDefault :: number (5)");
        assert_eq!(expr("-5"), "ServerDefault :: number (- 5)");
        assert_eq!(
            expr("-2147483648"),
            "ServerDefault :: number (- 2147483648)"
        );
        // Past i32 (an unsuffixed literal's type) and past i64: kept as text.
        assert_eq!(
            expr("3000000000"),
            "ServerDefault :: Number (\"3000000000\" . into ())"
        );
        assert_eq!(
            expr("-9223372036854775808"),
            "ServerDefault :: Number (\"-9223372036854775808\" . into ())"
        );
    }

    #[test]
    fn a_long_revision_is_split_into_parts() {
        let up: Vec<Op> = (0..100)
            .map(|i| {
                Op::CreateTable(CreateTable {
                    table: Table::new(format!("t{i:03}"))
                        .column(Column::new("id", SqlType::Integer).autoincrement())
                        .primary_key(["id"]),
                })
            })
            .collect();
        let down = retort::ops::reverse_all(&up).unwrap();
        let warnings = vec![(40, "a warning on the first op of part 2".to_owned())];
        let changes = Changes {
            ops: up,
            warnings,
            ..Changes::default()
        };
        let text = revision_file(&header(), &changes, &down).unwrap();
        syn::parse_file(&text).expect("the file parses");
        assert!(text.contains("pub fn upgrade(op: &mut Operations) -> Result {\n    upgrade_1(op)?;\n    upgrade_2(op)?;\n    upgrade_3(op)?;\n    Ok(())\n}"), "{text}");
        assert!(text.contains("/// Part 3 of 3 of the downgrade.\n#[inline(never)]\nfn downgrade_3(op: &mut Operations) -> Result {"), "{text}");
        // Every op is there once, in order; the warning stays with its op.
        assert_eq!(text.matches("op.create_table(").count(), 100);
        let warning = text.find("// WARNING: a warning on the first op").unwrap();
        assert!(
            text[warning..]
                .trim_start_matches(|c| c != '\n')
                .trim_start()
                .starts_with("op.create_table(\n        Table::new(\"t040\")"),
            "{text}"
        );
        // A short revision stays one function.
        let short = revision_file(&header(), &Changes::default(), &[]).unwrap();
        assert!(!short.contains("upgrade_1"), "{short}");
    }

    #[test]
    fn a_generated_column_renders_its_expression_and_kind() {
        let column = Column::new("total", SqlType::BigInt).generated("price * quantity", true);
        let text = column_expr(&column).to_string().replace(' ', "");
        assert_eq!(
            text,
            "Column::new(\"total\",SqlType::BigInt).generated(\"price*quantity\",true)"
        );
        let column = Column::new("code", SqlType::Text).collation("C");
        let text = column_expr(&column).to_string().replace(' ', "");
        assert_eq!(text, "Column::new(\"code\",SqlType::Text).collation(\"C\")");
        let column = Column::new("id", SqlType::BigInt).identity(Identity {
            always: true,
            start: Some(1000),
            increment: None,
        });
        let text = column_expr(&column).to_string().replace(' ', "");
        assert!(
            text.ends_with(
                ".autoincrement().identity(Identity{always:true,start:Some(1000),increment:None})"
            ),
            "{text}"
        );
        let alter = AlterColumn::new("codes", "code").collation(None);
        let text = alter_expr(&alter).to_string().replace(' ', "");
        assert!(text.ends_with(".collation(None)"), "{text}");
    }

    #[test]
    fn an_index_renders_every_attribute_as_builder_calls() {
        let index = Index::new(
            "ix_orders_open",
            [
                IndexKey::column("placed_at").desc().nulls_last(),
                IndexKey::expr("lower(email)"),
                IndexKey::column("code")
                    .opclass("text_pattern_ops")
                    .length(4),
            ],
        )
        .unique()
        .using("btree")
        .include(["total"])
        .nulls_not_distinct()
        .partial("status = 'open'");
        let text = index_expr(&index).to_string().replace(' ', "");
        let expected = "Index::new(\"ix_orders_open\",[IndexKey::column(\"placed_at\").desc().nulls_last(),\
             IndexKey::expr(\"lower(email)\"),IndexKey::column(\"code\").length(4).opclass(\"text_pattern_ops\")])\
             .unique().using(\"btree\").include([\"total\"]).nulls_not_distinct().partial(\"status='open'\")";
        assert_eq!(text, expected.replace(' ', ""));
        // Plain keys stay plain strings.
        let plain = index_expr(&Index::new("ix_a", ["a", "b"])).to_string();
        assert_eq!(plain.replace(' ', ""), "Index::new(\"ix_a\",[\"a\",\"b\"])");
    }

    #[test]
    fn a_dropped_table_takes_its_index_drops_with_it() {
        let table = Table::new("pets")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("owner_id", SqlType::Integer))
            .primary_key(["id"]);
        let up = vec![
            Op::CreateTable(CreateTable { table }),
            Op::CreateIndex(CreateIndex {
                table: "pets".into(),
                index: Index::new("ix_pets_owner_id", ["owner_id"]),
                concurrently: false,
            }),
        ];
        let down = retort::ops::reverse_all(&up).unwrap();
        let changes = Changes {
            ops: up,
            ..Changes::default()
        };
        let text = revision_file(&header(), &changes, &down).unwrap();
        assert!(text.contains("op.create_index("), "{text}");
        assert!(text.contains("op.drop_table(\"pets\")?;"), "{text}");
        assert!(!text.contains("op.drop_index("), "{text}");
    }

    #[test]
    fn renders_a_file_with_warnings_and_notes() {
        let table = Table::new("things")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("n", SqlType::Integer).default(ServerDefault::number(-1)))
            .primary_key(["id"]);
        let down = vec![Op::CreateTable(CreateTable { table })];
        let changes = Changes {
            ops: retort::ops::reverse_all(&down).unwrap(),
            warnings: vec![(0, "removes table `things` and all its rows".into())],
            suggestions: vec!["a suggestion".into()],
            notes: Vec::new(),
            edited: Vec::new(),
        };
        let text = revision_file(&header(), &changes, &down).unwrap();
        assert!(
            text.starts_with(
                "//! add \"things\"\n//!\n//! Revision ID: abc123def456\n//! Revises: <base>\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("UTC\n\nuse retort::migration::prelude::*;\n\npub const REVISION"),
            "{text}"
        );
        assert!(
            text.contains("pub const REVISION: Revision = Revision::new(\"abc123def456\", &[], \"add \\\"things\\\"\");"),
            "{text}"
        );
        assert!(
            text.contains(".default(ServerDefault::number(-1))"),
            "{text}"
        );
        assert!(
            text.contains(
                "    // NOTE: a suggestion\n    // WARNING: removes table `things` and all its rows\n    op.drop_table(\"things\")?;"
            ),
            "{text}"
        );
        assert_eq!(text.matches("WARNING").count(), 1, "{text}");
        syn::parse_file(&text).unwrap();
    }

    #[test]
    fn empty_revision_has_placeholders() {
        let text = revision_file(&header(), &Changes::default(), &[]).unwrap();
        assert!(
            text.contains(
                "    // nothing yet: write the change with `op`, e.g. op.add_column(..)?;\n    let _ = op;\n    Ok(())"
            ),
            "{text}"
        );
    }
}

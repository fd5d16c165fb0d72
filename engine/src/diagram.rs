//! Entity-relationship diagrams of a schema (the models', or a live database's):
//! Mermaid (`erDiagram`, for Markdown that renders it: GitHub, GitLab, docs
//! sites) and Graphviz DOT (one HTML-like table per table, a port per column,
//! an edge per foreign key from its column to the key it references, tables of
//! another PostgreSQL schema in a cluster of their own). SVG is DOT through
//! Graphviz's `dot`, where it is installed. Pure but for [`svg`].

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use retort::schema::{Schema, SqlType, Table};

/// What a column is in its table: primary key, foreign key, unique.
fn keys(table: &Table, column: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    if table.primary_key.iter().any(|c| c == column) {
        out.push("PK");
    }
    if table
        .foreign_keys
        .iter()
        .any(|fk| fk.columns.iter().any(|c| c == column))
    {
        out.push("FK");
    }
    let unique = table
        .uniques
        .iter()
        .any(|u| u.columns.len() == 1 && u.columns[0] == column)
        || table.indexes.iter().any(|i| {
            i.unique
                && i.columns.len() == 1
                && !i.columns[0].expression
                && i.columns[0].column == column
        });
    if unique {
        out.push("UK");
    }
    out
}

/// A type as a short word: `varchar(50)`, `numeric(10,2)`, `order_status`.
fn type_word(sql_type: &SqlType) -> String {
    match sql_type {
        SqlType::Enum { name, .. } if !name.is_empty() => name.clone(),
        SqlType::Enum { .. } => "enum".to_owned(),
        SqlType::TimestampTz => "timestamptz".to_owned(),
        SqlType::Double => "double".to_owned(),
        other => other.to_string().to_ascii_lowercase(),
    }
}

/// A Mermaid identifier: letters, digits, `_` and `-` (a schema's dot becomes `__`).
fn mermaid_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.replace('.', "__").chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' {
            c
        } else {
            '_'
        };
        // `numeric(10,2)` is `numeric_10_2`, not `numeric_10_2_`.
        if c == '_' && out.ends_with('_') && !name.contains('.') {
            continue;
        }
        out.push(c);
    }
    out.trim_end_matches('_').to_owned()
}

/// The schema as a Mermaid `erDiagram`: each table with its columns (type, name,
/// `PK`/`FK`/`UK`, `"null"` where NULL is allowed), each foreign key a
/// relationship named after its columns, many-to-one (`}o--||`, `}o--o|` when the
/// key may be NULL, `|o--||` when its columns are unique).
pub fn mermaid(schema: &Schema) -> String {
    let mut out = String::from("erDiagram\n");
    for table in schema.tables.values() {
        let _ = writeln!(out, "    {} {{", mermaid_name(&table.name));
        for column in &table.columns {
            let keys = keys(table, &column.name);
            let _ = write!(
                out,
                "        {} {}",
                mermaid_name(&type_word(&column.sql_type)),
                mermaid_name(&column.name)
            );
            if !keys.is_empty() {
                let _ = write!(out, " {}", keys.join(", "));
            }
            if column.nullable {
                out.push_str(" \"null\"");
            }
            out.push('\n');
        }
        out.push_str("    }\n");
    }
    for table in schema.tables.values() {
        for fk in &table.foreign_keys {
            let nullable = fk
                .columns
                .iter()
                .any(|c| table.get_column(c).is_some_and(|c| c.nullable));
            let one_to_one = table.uniques.iter().any(|u| u.columns == fk.columns)
                || table.primary_key == fk.columns;
            let many = if one_to_one { "|o" } else { "}o" };
            let one = if nullable { "o|" } else { "||" };
            let _ = writeln!(
                out,
                "    {} {many}--{one} {} : \"{}\"",
                mermaid_name(&table.name),
                mermaid_name(&fk.ref_table),
                fk.columns.join(", ").replace('"', "'")
            );
        }
    }
    out
}

/// HTML-like label text for Graphviz.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A DOT identifier, quoted.
fn dot_id(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The schema as Graphviz DOT, laid out left to right: one table per node
/// (name; then each column with its type and keys, NOT NULL columns in bold),
/// one edge per foreign key from the referencing column's port to the
/// referenced one's, tables of a named schema in a cluster labelled with it.
pub fn dot(schema: &Schema) -> String {
    let mut out = String::from(
        "digraph schema {\n    graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.4, ranksep=1.0];\n    node [shape=plain, fontname=\"Helvetica\", fontsize=11];\n    edge [color=\"#555555\", dir=both, arrowtail=crow, arrowhead=tee];\n",
    );
    let mut groups: std::collections::BTreeMap<Option<&str>, Vec<&Table>> = Default::default();
    for table in schema.tables.values() {
        let (group, _) = retort::schema::split_schema(&table.name);
        groups.entry(group).or_default().push(table);
    }
    for (group, tables) in &groups {
        let indent = if group.is_some() { "        " } else { "    " };
        if let Some(name) = group {
            let _ = writeln!(
                out,
                "    subgraph {} {{\n        label={};\n        style=rounded; color=\"#999999\";",
                dot_id(&format!("cluster_{name}")),
                dot_id(name)
            );
        }
        for table in tables {
            let mut label = format!(
                "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\"><tr><td bgcolor=\"#dde7f0\" colspan=\"2\"><b>{}</b></td></tr>",
                html(&table.name)
            );
            for column in &table.columns {
                let keys = keys(table, &column.name);
                let name = if column.nullable {
                    html(&column.name)
                } else {
                    format!("<b>{}</b>", html(&column.name))
                };
                let keys = if keys.is_empty() {
                    String::new()
                } else {
                    format!(" {}", keys.join(" "))
                };
                // Edges come into the name's cell and leave from the type's.
                let _ = write!(
                    label,
                    "<tr><td align=\"left\" port={}>{name}</td><td align=\"left\" port={}><font color=\"#555555\">{}{}</font></td></tr>",
                    dot_id(&column.name),
                    dot_id(&format!("{}.out", column.name)),
                    html(&type_word(&column.sql_type)),
                    html(&keys)
                );
            }
            label.push_str("</table>");
            let _ = writeln!(out, "{indent}{} [label=<{label}>];", dot_id(&table.name));
        }
        if group.is_some() {
            out.push_str("    }\n");
        }
    }
    for table in schema.tables.values() {
        for fk in &table.foreign_keys {
            let from = fk.columns.first().map(String::as_str).unwrap_or_default();
            let to = fk
                .ref_columns
                .first()
                .map(String::as_str)
                .unwrap_or_default();
            // Many rows here to one there (or none, when the key may be NULL).
            let nullable = fk
                .columns
                .iter()
                .any(|c| table.get_column(c).is_some_and(|c| c.nullable));
            let _ = writeln!(
                out,
                "    {}:{}:e -> {}:{}:w{};",
                dot_id(&table.name),
                dot_id(&format!("{from}.out")),
                dot_id(&fk.ref_table),
                dot_id(to),
                if nullable { " [arrowhead=teeodot]" } else { "" }
            );
        }
    }
    out.push_str("}\n");
    out
}

/// DOT laid out as SVG by Graphviz's `dot`; an error that says to install
/// Graphviz when it is not there.
pub fn svg(dot_source: &str) -> std::io::Result<Vec<u8>> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("running Graphviz's `dot` for SVG: {e}; install Graphviz (apt-get install graphviz, brew install graphviz), or write --format dot or mermaid"),
            )
        })?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(dot_source.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "Graphviz's `dot` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(output.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::schema::{Column, ForeignKey, Table};

    /// `n` tables in a tree, each with a key to its parent and one to a third.
    fn tree(n: usize) -> Schema {
        let mut schema = Schema::new();
        for i in 0..n {
            let mut table = Table::new(format!("t{i:03}"))
                .column(Column::new("id", SqlType::BigInt))
                .column(Column::new("name", SqlType::Varchar(80)))
                .column(Column::new("created_at", SqlType::TimestampTz).nullable())
                .primary_key(["id"]);
            if i > 0 {
                table = table
                    .column(Column::new("parent_id", SqlType::BigInt))
                    .column(Column::new("other_id", SqlType::BigInt).nullable())
                    .foreign_key(ForeignKey::new(
                        format!("fk_t{i:03}_parent"),
                        ["parent_id"],
                        format!("t{:03}", (i - 1) / 2),
                        ["id"],
                    ))
                    .foreign_key(ForeignKey::new(
                        format!("fk_t{i:03}_other"),
                        ["other_id"],
                        format!("t{:03}", i / 3),
                        ["id"],
                    ));
            }
            schema.insert(table);
        }
        schema
    }

    #[test]
    fn mermaid_says_keys_nullability_and_cardinality() {
        let text = mermaid(&tree(3));
        assert!(text.starts_with("erDiagram\n    t000 {\n        bigint id PK\n        varchar_80 name\n        timestamptz created_at \"null\"\n    }\n"), "{text}");
        assert!(
            text.contains("    t001 }o--|| t000 : \"parent_id\"\n"),
            "{text}"
        );
        assert!(
            text.contains("    t002 }o--o| t000 : \"other_id\"\n"),
            "{text}"
        );
    }

    /// The DOT of 100 tables is valid for Graphviz (when it is installed), and
    /// `RETORT_DIAGRAM_PNG=file` renders it to look at.
    #[test]
    fn a_hundred_tables_lay_out() {
        let source = dot(&tree(100));
        assert_eq!(source.matches("[label=<").count(), 100);
        assert_eq!(source.matches(" -> ").count(), 198);
        if Command::new("dot").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "Graphviz's dot is missing (scripts/test installs it)"
            );
            return;
        }
        let svg = svg(&source).unwrap();
        assert!(String::from_utf8_lossy(&svg).contains("<svg"));
        if let Some(png) = std::env::var_os("RETORT_DIAGRAM_PNG") {
            let status = Command::new("dot")
                .args(["-Tpng", "-o"])
                .arg(png)
                .stdin(Stdio::piped())
                .spawn()
                .and_then(|mut c| {
                    c.stdin.take().unwrap().write_all(source.as_bytes())?;
                    c.wait()
                })
                .unwrap();
            assert!(status.success());
        }
    }
}

//! PostgreSQL: transactional DDL, identity columns, `ALTER COLUMN … TYPE … USING`.

use super::{
    normalise_type_name, parse_standard_type, Dialect, EnumSql, IndexSupport, RenderError,
};
use retort::ops::{AlterColumn, AlterEnum, Op, RenameConstraint, SetComment};
use retort::schema::{Column, ConstraintKind, Identity, SqlType, Table};
use retort::Backend;

/// The PostgreSQL dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn identity_sql(&self, identity: &Identity) -> Option<String> {
        let mut options = Vec::new();
        if let Some(start) = identity.start {
            options.push(format!("START WITH {start}"));
        }
        if let Some(increment) = identity.increment {
            options.push(format!("INCREMENT BY {increment}"));
        }
        Some(format!(
            " GENERATED {} AS IDENTITY{}",
            if identity.always {
                "ALWAYS"
            } else {
                "BY DEFAULT"
            },
            if options.is_empty() {
                String::new()
            } else {
                format!(" ({})", options.join(" "))
            }
        ))
    }

    fn supports_virtual_columns(&self) -> bool {
        false
    }

    fn index_support(&self) -> IndexSupport {
        IndexSupport {
            partial: true,
            expressions: true,
            nulls_order: true,
            opclass: true,
            prefix_length: false,
            include: true,
            nulls_not_distinct: true,
            methods: &["btree", "hash", "gin", "gist", "brin", "spgist"],
        }
    }

    fn keeps_comments(&self) -> bool {
        true
    }

    fn supports_match_full(&self) -> bool {
        true
    }

    fn renames(&self, kind: Option<ConstraintKind>) -> bool {
        kind != Some(ConstraintKind::PrimaryKey)
    }

    fn rename_constraint_sql(&self, op: &RenameConstraint) -> Result<Vec<String>, RenderError> {
        self.check_identifier("index", &op.new_name)?;
        Ok(vec![match op.kind {
            None => format!(
                "ALTER INDEX {} RENAME TO {}",
                self.quote_index(&op.table, &op.name),
                self.quote(&op.new_name)
            ),
            // A unique constraint's index is renamed with it.
            Some(_) => format!(
                "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
                self.quote_table(&op.table),
                self.quote(&op.name),
                self.quote(&op.new_name)
            ),
        }])
    }

    fn comment_sql(
        &self,
        op: &SetComment,
        _current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let target = match &op.column {
            Some(c) => format!("COLUMN {}.{}", self.quote_table(&op.table), self.quote(c)),
            None => format!("TABLE {}", self.quote_table(&op.table)),
        };
        let comment = op
            .comment
            .as_deref()
            .map_or_else(|| "NULL".to_owned(), |c| self.string_literal(c));
        Ok(vec![format!("COMMENT ON {target} IS {comment}")])
    }

    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    fn name(&self) -> &'static str {
        "postgresql"
    }

    fn max_identifier_len(&self) -> Option<usize> {
        Some(63)
    }

    fn type_name(&self, column: &Column) -> String {
        match &column.sql_type {
            SqlType::Blob => "BYTEA".to_owned(),
            SqlType::Json => "JSONB".to_owned(),
            SqlType::Enum { name, .. } => self.quote(name),
            SqlType::Array(element) => {
                let mut of = column.clone();
                of.sql_type = (**element).clone();
                format!("{}[]", self.type_name(&of))
            }
            other => other.to_string(),
        }
    }

    fn parse_type(&self, name: &str) -> SqlType {
        if let Some(element) = name.trim().strip_suffix("[]") {
            return SqlType::Array(Box::new(self.parse_type(element)));
        }
        let (_, base, args) = normalise_type_name(name);
        match (base.as_str(), args) {
            ("BYTEA", None) => SqlType::Blob,
            ("JSONB", None) => SqlType::Json,
            ("TIME WITHOUT TIME ZONE", None) => SqlType::Time,
            ("TIMESTAMP WITHOUT TIME ZONE", None) => SqlType::Timestamp,
            _ => parse_standard_type(name),
        }
    }

    fn supports_schemas(&self) -> bool {
        true
    }

    fn supports_arrays(&self) -> bool {
        true
    }

    fn has_enum_types(&self) -> bool {
        true
    }

    /// Only a type swap needs the columns' definitions (their defaults).
    fn alter_enum_needs_tables(&self, op: &AlterEnum) -> bool {
        !adds_in_place(op)
    }

    /// Renamed values by `RENAME VALUE`; added ones, where the old values keep
    /// their order, by `ADD VALUE IF NOT EXISTS … BEFORE` (early: run before the
    /// step's transaction when nothing ran in it yet, since a value added in a
    /// transaction cannot be used in it). A removed or reordered value swaps
    /// types: the old one renamed away, the new one created, each column
    /// converted through its text (its default dropped and set again), the old
    /// one dropped.
    fn alter_enum_sql(&self, op: &AlterEnum, tables: &[Table]) -> Result<EnumSql, RenderError> {
        self.check_identifier("enum", &op.name)?;
        let ty = self.quote(&op.name);
        let lit = |v: &str| self.string_literal(v);
        let mut out = EnumSql::default();
        let renames: Vec<&(String, String)> =
            op.renames.iter().filter(|(old, new)| old != new).collect();
        let renamed = op.renamed_existing();
        let keeps_order = adds_in_place(op);
        let rename_sql: Vec<String> = renames
            .iter()
            .map(|(old, new)| format!("ALTER TYPE {ty} RENAME VALUE {} TO {}", lit(old), lit(new)))
            .collect();
        if keeps_order {
            // Anchored on the names before the renames: these may run first.
            let before_rename = |v: &str| -> String {
                renames
                    .iter()
                    .find(|(_, new)| new == v)
                    .map_or_else(|| v.to_owned(), |(old, _)| old.clone())
            };
            for (i, value) in op.values.iter().enumerate() {
                if renamed.contains(value) {
                    continue;
                }
                let position = op.values[i + 1..]
                    .iter()
                    .find(|next| renamed.contains(next))
                    .map(|next| format!(" BEFORE {}", lit(&before_rename(next))))
                    .unwrap_or_default();
                out.early.push(format!(
                    "ALTER TYPE {ty} ADD VALUE IF NOT EXISTS {}{position}",
                    lit(value)
                ));
            }
            out.statements = rename_sql;
            return Ok(out);
        }
        out.statements = rename_sql;
        let mut old_name = format!("{}__old", op.name);
        while old_name.len() > 63 {
            old_name.remove(0);
        }
        let old = self.quote(&old_name);
        out.statements
            .push(format!("ALTER TYPE {ty} RENAME TO {old}"));
        out.statements.push(format!(
            "CREATE TYPE {ty} AS ENUM ({})",
            self.enum_values_sql(&op.values)
        ));
        for (table, column) in &op.columns {
            let default = tables
                .iter()
                .find(|t| t.name == *table)
                .and_then(|t| t.get_column(column))
                .and_then(|c| c.default.clone().map(|d| (d, c.clone())));
            let t = self.quote_table(table);
            let c = self.quote(column);
            if default.is_some() {
                out.statements
                    .push(format!("ALTER TABLE {t} ALTER COLUMN {c} DROP DEFAULT"));
            }
            out.statements.push(format!(
                "ALTER TABLE {t} ALTER COLUMN {c} TYPE {ty} USING {c}::text::{ty}"
            ));
            // A default the new list no longer holds stays dropped.
            if let Some((default, mut col)) = default {
                if let Some(default) = op.default_after(&default) {
                    col.sql_type = SqlType::enumeration(op.name.clone(), op.values.iter().cloned());
                    out.statements.push(format!(
                        "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {}",
                        self.default_sql(&default, &col)
                    ));
                }
            }
        }
        out.statements.push(format!("DROP TYPE {old}"));
        Ok(out)
    }

    fn placeholder(&self, n: usize) -> String {
        format!("${n}")
    }

    /// With `standard_conforming_strings` off (an old server's or a database's
    /// setting), a backslash in `'…'` escapes the next character: a value holding
    /// one is written `E'…'`, where backslashes are escaped whatever the setting.
    fn string_literal(&self, value: &str) -> String {
        let quoted = value.replace('\'', "''");
        if value.contains('\\') {
            format!("E'{}'", quoted.replace('\\', "\\\\"))
        } else {
            format!("'{quoted}'")
        }
    }

    fn autoincrement_clause(&self) -> &'static str {
        " GENERATED BY DEFAULT AS IDENTITY"
    }

    fn bytes_literal(&self, value: &[u8]) -> String {
        let hex: String = value.iter().map(|b| format!("{b:02x}")).collect();
        format!("E'\\\\x{hex}'::bytea")
    }

    fn needs_table(&self, _op: &Op) -> bool {
        false
    }

    /// PostgreSQL names an unnamed primary key `<table>_pkey` (cut to 63 bytes).
    fn stored_primary_key_name(&self, table: &Table) -> Option<String> {
        table.primary_key_name.clone().or_else(|| {
            let mut base = retort::schema::split_schema(&table.name).1.to_owned();
            while base.len() + "_pkey".len() > 63 {
                base.pop();
            }
            Some(format!("{base}_pkey"))
        })
    }

    fn alter_column_sql(
        &self,
        alter: &AlterColumn,
        existing: Option<&Column>,
    ) -> Result<Vec<String>, RenderError> {
        let table = self.quote_table(&alter.table);
        let column = self.quote(&alter.name);
        let mut actions = Vec::new();
        if let Some(collation) = alter
            .collation
            .as_ref()
            .filter(|_| alter.sql_type.is_none())
        {
            // The same type under another collation.
            let existing = existing.ok_or_else(|| RenderError::NoTable {
                op: Op::AlterColumn(alter.clone()).summary(),
                table: alter.table.clone(),
            })?;
            actions.push(format!(
                "ALTER COLUMN {column} TYPE {} COLLATE {}",
                self.type_name(existing),
                self.quote(collation.as_deref().unwrap_or("default"))
            ));
        }
        if let Some(sql_type) = &alter.sql_type {
            let mut target = existing
                .cloned()
                .unwrap_or_else(|| Column::new(alter.name.clone(), sql_type.clone()));
            target.sql_type = sql_type.clone();
            let mut ty = self.type_name(&target);
            let collation = match &alter.collation {
                Some(c) => c.clone(),
                None => target.collation.clone(),
            };
            if let Some(c) = collation {
                ty = format!("{ty} COLLATE {}", self.quote(&c));
            }
            // A default of the old type may not cast to the new one (text to an
            // enum): dropped first, then set again as the new type's.
            let kept_default = existing.and_then(|c| c.default.as_ref());
            if kept_default.is_some() {
                actions.push(format!("ALTER COLUMN {column} DROP DEFAULT"));
            }
            actions.push(format!(
                "ALTER COLUMN {column} TYPE {ty} USING {column}::{ty}"
            ));
            if let (Some(default), None) = (kept_default, &alter.default) {
                actions.push(format!(
                    "ALTER COLUMN {column} SET DEFAULT {}",
                    self.default_sql(default, &target)
                ));
            }
        }
        if let Some(nullable) = alter.nullable {
            actions.push(format!(
                "ALTER COLUMN {column} {} NOT NULL",
                if nullable { "DROP" } else { "SET" }
            ));
        }
        if let Some(default) = &alter.default {
            actions.push(match default {
                Some(d) => {
                    let mut target = existing
                        .cloned()
                        .unwrap_or_else(|| Column::new(alter.name.clone(), SqlType::Text));
                    if let Some(t) = &alter.sql_type {
                        target.sql_type = t.clone();
                    }
                    format!(
                        "ALTER COLUMN {column} SET DEFAULT {}",
                        self.default_sql(d, &target)
                    )
                }
                None => format!("ALTER COLUMN {column} DROP DEFAULT"),
            });
        }
        let mut sql = Vec::new();
        let mut after = Vec::new();
        match alter.autoincrement {
            // Counting from past the rows already there.
            Some(true) => {
                let identity = match alter.identity {
                    Some(i) => i,
                    None => existing.and_then(|c| c.identity),
                }
                .and_then(Identity::normalized)
                .unwrap_or_default();
                actions.push(format!(
                    "ALTER COLUMN {column} ADD{}",
                    self.identity_sql(&identity).unwrap_or_default()
                ));
                after.push(format!(
                    "SELECT setval(pg_get_serial_sequence({}, {}), COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)",
                    self.string_literal(&table),
                    self.string_literal(&alter.name)
                ));
            }
            // An identity column, or a SERIAL one (its default draws from a sequence).
            Some(false) => {
                sql.push(format!(
                    "ALTER TABLE {table} ALTER COLUMN {column} DROP IDENTITY IF EXISTS"
                ));
                if alter.default.is_none() {
                    sql.push(format!(
                        "ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"
                    ));
                }
            }
            // The same identity, counting otherwise.
            None => {
                if let Some(identity) = alter.identity {
                    let identity = identity.unwrap_or_default();
                    actions.push(format!(
                        "ALTER COLUMN {column} SET GENERATED {} SET START WITH {} SET INCREMENT BY {}",
                        if identity.always { "ALWAYS" } else { "BY DEFAULT" },
                        identity.start.unwrap_or(1),
                        identity.increment.unwrap_or(1)
                    ));
                }
            }
        }
        if !actions.is_empty() {
            sql.push(format!("ALTER TABLE {table} {}", actions.join(", ")));
        }
        sql.extend(after);
        if let Some(new_name) = &alter.new_name {
            sql.push(format!(
                "ALTER TABLE {table} RENAME COLUMN {column} TO {}",
                self.quote(new_name)
            ));
        }
        Ok(sql)
    }
}

/// Whether PostgreSQL can make the change in place (`RENAME VALUE`, `ADD
/// VALUE`): nothing removed, the old values in their order, no added value
/// spelled like an old one.
fn adds_in_place(op: &AlterEnum) -> bool {
    op.removed().is_empty()
        && is_subsequence(&op.renamed_existing(), &op.values)
        && op
            .added()
            .iter()
            .all(|v| !op.existing.iter().any(|e| e == v))
}

/// Whether `part` appears in `whole` in the same order (not necessarily next to
/// each other).
fn is_subsequence(part: &[String], whole: &[String]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|p| rest.any(|w| w == p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use retort::schema::{ServerDefault, Table};

    #[test]
    fn identity_key_and_types() {
        let table = Table::new("users")
            .column(Column::new("id", SqlType::BigInt).autoincrement())
            .column(Column::new("data", SqlType::Blob).nullable())
            .column(
                Column::new("at", SqlType::TimestampTz).default(ServerDefault::CurrentTimestamp),
            )
            .primary_key(["id"]);
        let sql = Postgres.create_table_sql(&table).unwrap().remove(0);
        assert_eq!(
            sql,
            "CREATE TABLE \"users\" (\n    \"id\" BIGINT NOT NULL GENERATED BY DEFAULT AS IDENTITY,\n    \"data\" BYTEA,\n    \"at\" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    PRIMARY KEY (\"id\")\n)"
        );
    }

    #[test]
    fn catalog_names_read_back() {
        assert_eq!(
            Postgres.parse_type("character varying(50)"),
            SqlType::Varchar(50)
        );
        assert_eq!(
            Postgres.parse_type("timestamp without time zone"),
            SqlType::Timestamp
        );
        assert_eq!(
            Postgres.parse_type("timestamp with time zone"),
            SqlType::TimestampTz
        );
        assert_eq!(Postgres.parse_type("double precision"), SqlType::Double);
        assert_eq!(
            Postgres.parse_type("numeric(10,2)"),
            SqlType::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(Postgres.parse_type("numeric"), SqlType::custom("NUMERIC"));
    }

    #[test]
    fn alter_column_in_one_statement_then_rename() {
        let alter = AlterColumn::new("users", "age")
            .sql_type(SqlType::Varchar(3))
            .nullable(false)
            .default(None)
            .rename_to("years");
        assert_eq!(
            Postgres.alter_column_sql(&alter, None).unwrap(),
            [
                "ALTER TABLE \"users\" ALTER COLUMN \"age\" TYPE VARCHAR(3) USING \"age\"::VARCHAR(3), ALTER COLUMN \"age\" SET NOT NULL, ALTER COLUMN \"age\" DROP DEFAULT",
                "ALTER TABLE \"users\" RENAME COLUMN \"age\" TO \"years\"",
            ]
        );
    }

    #[test]
    fn long_names_are_refused_with_the_limit() {
        let name = "x".repeat(64);
        let err = Postgres
            .check_identifier("table", &name)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("table name `{name}` is 64 bytes long; postgresql allows at most 63")
        );
    }
}

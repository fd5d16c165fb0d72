//! MySQL and MariaDB: backtick quoting, `AUTO_INCREMENT`, `CHANGE COLUMN` with the
//! whole column repeated. DDL commits implicitly, so a revision is not atomic
//! here: the runner updates the version table after each revision instead.

use super::{normalise_type_name, parse_decimal_args, Dialect, IndexSupport, RenderError};
use retort::ops::{
    AddConstraint, AlterColumn, DropConstraint, DropIndex, Op, RenameConstraint, RenameTable,
    SetComment,
};
use retort::schema::{
    Column, Constraint, ConstraintKind, FkAction, Index, ServerDefault, SqlType, Table,
};
use retort::Backend;

/// The MySQL/MariaDB dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mysql;

impl Dialect for Mysql {
    fn index_support(&self) -> IndexSupport {
        IndexSupport {
            partial: false,
            expressions: false,
            nulls_order: false,
            opclass: false,
            prefix_length: true,
            include: false,
            nulls_not_distinct: false,
            methods: &["btree", "hash", "fulltext", "spatial"],
        }
    }

    fn index_method_before_on(&self) -> bool {
        true
    }

    /// MariaDB refuses `NOT NULL` on a generated column.
    fn generated_not_null(&self) -> bool {
        false
    }

    /// InnoDB keeps every index a B-tree (`USING HASH` is accepted and ignored)
    /// but full-text and spatial ones.
    fn stored_index(&self, index: &Index) -> Index {
        let mut out = index.clone();
        out.using = out
            .using
            .map(|m| m.to_ascii_lowercase())
            .filter(|m| m == "fulltext" || m == "spatial");
        for key in &mut out.columns {
            key.nulls = key.normalized_nulls();
        }
        out
    }

    fn keeps_comments(&self) -> bool {
        true
    }

    /// Indexes, and unique constraints (which are indexes here); foreign keys
    /// and checks cannot be renamed.
    fn renames(&self, kind: Option<ConstraintKind>) -> bool {
        matches!(kind, None | Some(ConstraintKind::Unique))
    }

    fn rename_constraint_sql(&self, op: &RenameConstraint) -> Result<Vec<String>, RenderError> {
        self.check_identifier("index", &op.new_name)?;
        Ok(vec![format!(
            "ALTER TABLE {} RENAME INDEX {} TO {}",
            self.quote(&op.table),
            self.quote(&op.name),
            self.quote(&op.new_name)
        )])
    }

    fn inline_comments(&self) -> bool {
        true
    }

    fn on_update_now_clause(&self) -> Option<&'static str> {
        Some(" ON UPDATE CURRENT_TIMESTAMP(6)")
    }

    fn comment_sql(
        &self,
        op: &SetComment,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let comment = self.string_literal(op.comment.as_deref().unwrap_or(""));
        let Some(column) = &op.column else {
            return Ok(vec![format!(
                "ALTER TABLE {} COMMENT = {comment}",
                self.quote(&op.table)
            )]);
        };
        // MySQL changes a column's comment by repeating the whole column.
        let existing =
            current
                .and_then(|t| t.get_column(column))
                .ok_or_else(|| RenderError::NoTable {
                    op: Op::SetComment(op.clone()).summary(),
                    table: op.table.clone(),
                })?;
        let alter = AlterColumn::new(op.table.clone(), column.clone()).existing(Column {
            comment: op.comment.clone(),
            ..existing.clone()
        });
        self.alter_column_sql(&alter, alter.existing.as_ref())
    }

    fn backend(&self) -> Backend {
        Backend::Mysql
    }

    fn name(&self) -> &'static str {
        "mysql"
    }

    fn max_identifier_len(&self) -> Option<usize> {
        Some(64)
    }

    fn quote(&self, ident: &str) -> String {
        format!("`{}`", ident.replace('`', "``"))
    }

    /// MySQL reads backslash escapes in string literals (unless
    /// `NO_BACKSLASH_ESCAPES`), so backslashes are doubled too.
    fn string_literal(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len() + 2);
        out.push('\'');
        for c in value.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                '\0' => out.push_str("\\0"),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    fn bool_literal(&self, value: bool) -> String {
        if value { "1" } else { "0" }.to_owned()
    }

    fn type_name(&self, column: &Column) -> String {
        match &column.sql_type {
            SqlType::Integer => "INT".to_owned(),
            SqlType::Real => "FLOAT".to_owned(),
            SqlType::Double => "DOUBLE".to_owned(),
            // As Django does: a Rust String or Vec<u8> has no 64 KiB limit.
            SqlType::Text => "LONGTEXT".to_owned(),
            SqlType::Blob => "LONGBLOB".to_owned(),
            SqlType::Time => "TIME(6)".to_owned(),
            SqlType::Timestamp | SqlType::TimestampTz => "DATETIME(6)".to_owned(),
            // MySQL has no UUID type (MariaDB's came in 10.7): the hyphenated text,
            // which every version stores, compares and prints alike.
            SqlType::Uuid => "CHAR(36)".to_owned(),
            SqlType::Json => "JSON".to_owned(),
            SqlType::Decimal { precision, scale } => format!("DECIMAL({precision},{scale})"),
            SqlType::Enum { values, .. } => format!("ENUM({})", self.enum_values_sql(values)),
            other => other.to_string(),
        }
    }

    fn parse_type(&self, name: &str) -> SqlType {
        // `enum('a','b')`, its values as written (not upper-cased).
        let trimmed = name.trim();
        let inner = trimmed
            .get(..5)
            .filter(|head| head.eq_ignore_ascii_case("enum("))
            .and_then(|_| trimmed.get(5..)?.strip_suffix(')'));
        if let Some(inner) = inner {
            if let Some(values) = super::parse_string_list(inner) {
                return SqlType::Enum {
                    name: String::new(),
                    values,
                };
            }
        }
        let (norm, _, _) = normalise_type_name(name);
        if let Some(signed) = norm.strip_suffix(" UNSIGNED") {
            let (_, base, _) = normalise_type_name(signed);
            match base.as_str() {
                "TINYINT" => return SqlType::Unsigned(8),
                "SMALLINT" => return SqlType::Unsigned(16),
                "INT" | "INTEGER" => return SqlType::Unsigned(32),
                "BIGINT" => return SqlType::Unsigned(64),
                _ => {}
            }
        }
        let (norm, base, args) = normalise_type_name(name);
        match (base.as_str(), args.as_deref()) {
            ("SMALLINT", _) if !norm.contains("UNSIGNED") => SqlType::SmallInt,
            ("INT" | "INTEGER", _) if !norm.contains("UNSIGNED") => SqlType::Integer,
            ("BIGINT", _) if !norm.contains("UNSIGNED") => SqlType::BigInt,
            ("TINYINT", Some("1")) | ("BOOLEAN" | "BOOL", None) => SqlType::Boolean,
            ("FLOAT" | "REAL", None) => SqlType::Real,
            ("DOUBLE" | "DOUBLE PRECISION", None) => SqlType::Double,
            // What other tools made for a string, bytes or a date and time reads
            // as the same type (README: "Type equivalences"): a `String` field
            // reads them all, and Retort does not rewrite a table to widen them.
            ("LONGTEXT" | "MEDIUMTEXT" | "TEXT" | "TINYTEXT", None) => SqlType::Text,
            ("MEDIUMBLOB" | "BLOB" | "TINYBLOB", None) => SqlType::Blob,
            ("DATETIME", None) => SqlType::Timestamp,
            ("DATETIME", Some(p)) if p.len() == 1 => SqlType::Timestamp,
            ("TIME", None) => SqlType::Time,
            ("TIME", Some(p)) if p.len() == 1 => SqlType::Time,
            ("VARCHAR", Some(n)) => match n.parse() {
                Ok(n) => SqlType::Varchar(n),
                Err(_) => SqlType::Custom(norm.clone().into()),
            },
            ("LONGBLOB", None) => SqlType::Blob,
            ("DATE", None) => SqlType::Date,
            ("NUMERIC" | "DECIMAL", Some(args)) => parse_decimal_args(args)
                .unwrap_or_else(|| SqlType::Custom(format!("DECIMAL({args})").into())),
            ("CHAR", Some("36")) | ("UUID", None) => SqlType::Uuid,
            ("JSON", None) => SqlType::Json,
            _ => SqlType::Custom(norm.clone().into()),
        }
    }

    fn supports_unsigned(&self) -> bool {
        true
    }

    fn new_uuid_sql(&self) -> String {
        "(uuid())".to_owned()
    }

    fn as_text(&self, expr: &str) -> String {
        format!("CAST({expr} AS CHAR)")
    }

    fn autoincrement_clause(&self) -> &'static str {
        " AUTO_INCREMENT"
    }

    fn default_sql(&self, default: &ServerDefault, column: &Column) -> String {
        let fractional = matches!(
            column.sql_type,
            SqlType::Timestamp | SqlType::TimestampTz | SqlType::Time
        );
        match default {
            ServerDefault::Number(n) => n.to_string(),
            ServerDefault::Bool(b) => self.bool_literal(*b),
            ServerDefault::Text(s) => self.string_literal(s),
            ServerDefault::CurrentTimestamp if fractional => "CURRENT_TIMESTAMP(6)".to_owned(),
            ServerDefault::CurrentTimestamp => "CURRENT_TIMESTAMP".to_owned(),
            ServerDefault::CurrentDate => "(CURRENT_DATE)".to_owned(),
            ServerDefault::CurrentTime if fractional => "(CURRENT_TIME(6))".to_owned(),
            ServerDefault::CurrentTime => "(CURRENT_TIME)".to_owned(),
            ServerDefault::NewUuid => self.new_uuid_sql(),
            ServerDefault::Sql(expr) => format!("({expr})"),
        }
    }

    fn needs_table(&self, op: &Op) -> bool {
        match op {
            Op::AlterColumn(alter) => alter.existing.is_none(),
            Op::SetComment(set) => set.column.is_some(),
            Op::DropConstraint(d) => d.kind == ConstraintKind::ForeignKey,
            Op::Batch(_) => true,
            _ => false,
        }
    }

    fn alter_column_sql(
        &self,
        alter: &AlterColumn,
        existing: Option<&Column>,
    ) -> Result<Vec<String>, RenderError> {
        let existing = existing.ok_or_else(|| RenderError::NoTable {
            op: Op::AlterColumn(alter.clone()).summary(),
            table: alter.table.clone(),
        })?;
        let target = alter.apply_to(existing);
        // The column is a key when it counts up (MySQL requires that).
        let host = if target.autoincrement {
            Table::new(alter.table.clone())
                .column(target.clone())
                .primary_key([target.name.clone()])
        } else {
            Table::new(alter.table.clone())
        };
        Ok(vec![format!(
            "ALTER TABLE {} CHANGE COLUMN {} {}",
            self.quote(&alter.table),
            self.quote(&alter.name),
            self.column_sql(&host, &target)?
        )])
    }

    fn rename_table_sql(&self, op: &RenameTable) -> Result<Vec<String>, RenderError> {
        self.check_identifier("table", &op.new_name)?;
        Ok(vec![format!(
            "RENAME TABLE {} TO {}",
            self.quote(&op.name),
            self.quote(&op.new_name)
        )])
    }

    fn drop_index_sql(&self, op: &DropIndex) -> Result<Vec<String>, RenderError> {
        Ok(vec![if op.concurrently {
            // MariaDB takes the algorithm on ALTER TABLE only.
            format!(
                "ALTER TABLE {} DROP INDEX {}, ALGORITHM=INPLACE, LOCK=NONE",
                self.quote(&op.table),
                self.quote(&op.name)
            )
        } else {
            format!(
                "DROP INDEX {} ON {}",
                self.quote(&op.name),
                self.quote(&op.table)
            )
        }])
    }

    fn add_constraint_sql(
        &self,
        op: &AddConstraint,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        match &op.constraint {
            // MySQL names every primary key PRIMARY.
            Constraint::PrimaryKey { columns, .. } => Ok(vec![format!(
                "ALTER TABLE {} ADD PRIMARY KEY ({})",
                self.quote(&op.table),
                self.quote_list(columns)
            )]),
            _ => super::default_add_constraint_sql(self, op, current),
        }
    }

    fn drop_constraint_sql(
        &self,
        op: &DropConstraint,
        current: Option<&Table>,
    ) -> Result<Vec<String>, RenderError> {
        let table = self.quote(&op.table);
        let name = self.quote(&op.name);
        Ok(vec![match op.kind {
            ConstraintKind::PrimaryKey => format!("ALTER TABLE {table} DROP PRIMARY KEY"),
            ConstraintKind::ForeignKey => {
                let mut sql = format!("ALTER TABLE {table} DROP FOREIGN KEY {name}");
                // MySQL made an index named after the key when no other index
                // starts with its columns; it outlives the key unless dropped too.
                let fk = current.and_then(|t| {
                    t.foreign_keys
                        .iter()
                        .find(|f| f.name.as_deref() == Some(op.name.as_str()))
                        .map(|f| (t, f))
                });
                if let Some((t, fk)) = fk {
                    let starts = |cols: &[String]| {
                        cols.len() >= fk.columns.len() && cols[..fk.columns.len()] == fk.columns[..]
                    };
                    let covered = starts(&t.primary_key)
                        || t.indexes.iter().any(|i| {
                            starts(
                                &i.columns
                                    .iter()
                                    .map(|k| k.column.clone())
                                    .collect::<Vec<_>>(),
                            )
                        })
                        || t.uniques.iter().any(|u| starts(&u.columns));
                    if !covered {
                        // A key MySQL named itself (`items_ibfk_1`) got an index named
                        // after its first column.
                        let server_named = op
                            .name
                            .strip_prefix(&format!("{}_ibfk_", op.table))
                            .is_some_and(|n| {
                                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
                            });
                        // (Or after the key, when it was re-created under that
                        // name: MariaDB's IF EXISTS covers both.)
                        match fk.columns.first() {
                            Some(first) if server_named => sql.push_str(&format!(
                                ", DROP INDEX IF EXISTS {}, DROP INDEX IF EXISTS {name}",
                                self.quote(first)
                            )),
                            _ => sql.push_str(&format!(", DROP INDEX {name}")),
                        }
                    }
                }
                sql
            }
            ConstraintKind::Unique => format!("ALTER TABLE {table} DROP INDEX {name}"),
            ConstraintKind::Check => format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
        }])
    }

    /// `RESTRICT` is MySQL's `NO ACTION`.
    fn stored_fk_action(&self, action: FkAction) -> FkAction {
        match action {
            FkAction::Restrict => FkAction::NoAction,
            other => other,
        }
    }

    fn unique_constraints_are_indexes(&self) -> bool {
        true
    }

    fn supports_deferrable_foreign_keys(&self) -> bool {
        false
    }

    /// MySQL calls every primary key PRIMARY.
    fn stored_primary_key_name(&self, _table: &Table) -> Option<String> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_and_auto_increment() {
        let table = Table::new("order")
            .column(Column::new("id", SqlType::Integer).autoincrement())
            .column(Column::new("we`ird", SqlType::Text).nullable())
            .column(Column::new("at", SqlType::Timestamp).default(ServerDefault::CurrentTimestamp))
            .primary_key(["id"]);
        assert_eq!(
            Mysql.create_table_sql(&table).unwrap().remove(0),
            "CREATE TABLE `order` (\n    `id` INT NOT NULL AUTO_INCREMENT,\n    `we``ird` LONGTEXT,\n    `at` DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),\n    PRIMARY KEY (`id`)\n)"
        );
    }

    #[test]
    fn change_column_repeats_the_whole_column() {
        let alter = AlterColumn::new("users", "email")
            .nullable(false)
            .rename_to("mail");
        let existing = Column::new("email", SqlType::Varchar(100))
            .nullable()
            .default(ServerDefault::text("a\\b"));
        assert_eq!(
            Mysql.alter_column_sql(&alter, Some(&existing)).unwrap(),
            ["ALTER TABLE `users` CHANGE COLUMN `email` `mail` VARCHAR(100) NOT NULL DEFAULT 'a\\\\b'"]
        );
        let err = Mysql
            .alter_column_sql(&alter, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("needs the current definition of table `users`"),
            "{err}"
        );
    }

    #[test]
    fn catalog_names_read_back() {
        assert_eq!(Mysql.parse_type("int(11)"), SqlType::Integer);
        assert_eq!(Mysql.parse_type("tinyint(1)"), SqlType::Boolean);
        assert_eq!(Mysql.parse_type("datetime(6)"), SqlType::Timestamp);
        assert_eq!(Mysql.parse_type("longtext"), SqlType::Text);
        // Other tools' strings, bytes, dates and times are the same types.
        assert_eq!(Mysql.parse_type("text"), SqlType::Text);
        assert_eq!(Mysql.parse_type("mediumtext"), SqlType::Text);
        assert_eq!(Mysql.parse_type("blob"), SqlType::Blob);
        assert_eq!(Mysql.parse_type("datetime"), SqlType::Timestamp);
        assert_eq!(Mysql.parse_type("datetime(3)"), SqlType::Timestamp);
        assert_eq!(Mysql.parse_type("time"), SqlType::Time);
        assert_eq!(
            Mysql.parse_type("NUMERIC(10, 2)"),
            Mysql.parse_type("decimal(10,2)")
        );
        assert_eq!(Mysql.parse_type("int(10) unsigned"), SqlType::Unsigned(32));
        assert_eq!(
            Mysql.parse_type("bigint(20) unsigned"),
            SqlType::Unsigned(64)
        );
        assert_eq!(
            Mysql.parse_type("tinyint(3) unsigned"),
            SqlType::Unsigned(8)
        );
        assert_eq!(
            Mysql.parse_type("mediumint(8) unsigned"),
            SqlType::custom("MEDIUMINT(8) UNSIGNED")
        );
    }
}

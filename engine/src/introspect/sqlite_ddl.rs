//! What SQLite's pragmas do not tell: constraint names and `AUTOINCREMENT`, read from
//! the `CREATE TABLE` text SQLite keeps in `sqlite_master.sql`.

/// Constraint names found in one `CREATE TABLE`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct TableDdl {
    /// `(columns, name)` of each named unique constraint.
    pub uniques: Vec<(Vec<String>, String)>,
    /// `(columns, name)` of each named foreign key.
    pub foreign_keys: Vec<(Vec<String>, String)>,
    /// `(columns, when)` of each deferrable foreign key, named or not.
    pub deferrable: Vec<(Vec<String>, retort::schema::Deferrable)>,
    /// `(name, expression)` of each check constraint, in order.
    pub checks: Vec<(Option<String>, String)>,
    /// Whether `AUTOINCREMENT` appears.
    pub autoincrement: bool,
    /// `(column, expression, stored)` of each generated column.
    pub generated: Vec<(String, String, bool)>,
    /// `(column, collation)` of each column with a `COLLATE`.
    pub collations: Vec<(String, String)>,
}

impl TableDdl {
    /// The name of the unique constraint over exactly `columns`.
    pub fn unique_name(&self, columns: &[String]) -> Option<String> {
        self.uniques
            .iter()
            .find(|(c, _)| c == columns)
            .map(|(_, n)| n.clone())
    }

    /// When the foreign key from exactly `columns` is checked.
    pub fn foreign_key_deferrable(&self, columns: &[String]) -> retort::schema::Deferrable {
        self.deferrable
            .iter()
            .find(|(c, _)| c == columns)
            .map(|(_, d)| *d)
            .unwrap_or_default()
    }

    /// The expression of generated column `column`, and whether it is stored.
    pub fn generated(&self, column: &str) -> Option<(String, bool)> {
        self.generated
            .iter()
            .find(|(c, _, _)| c == column)
            .map(|(_, e, s)| (e.clone(), *s))
    }

    /// The collation of `column`, where it has one.
    pub fn collation(&self, column: &str) -> Option<String> {
        self.collations
            .iter()
            .find(|(c, _)| c == column)
            .map(|(_, n)| n.clone())
    }

    /// The name of the foreign key from exactly `columns`.
    pub fn foreign_key_name(&self, columns: &[String]) -> Option<String> {
        self.foreign_keys
            .iter()
            .find(|(c, _)| c == columns)
            .map(|(_, n)| n.clone())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A bare word or a quoted identifier (quotes removed).
    Word {
        text: String,
        quoted: bool,
    },
    /// A string literal, a number, or another piece we only skip over.
    Other,
    Open,
    Close,
    Comma,
}

impl Token {
    fn is_keyword(&self, kw: &str) -> bool {
        matches!(self, Token::Word { text, quoted: false } if text.eq_ignore_ascii_case(kw))
    }

    fn name(&self) -> Option<&str> {
        match self {
            Token::Word { text, .. } => Some(text),
            _ => None,
        }
    }
}

/// What a `CREATE INDEX` statement's text tells that the pragmas do not: each
/// key's text without its `COLLATE` and order words (an expression as written,
/// outer parentheses dropped), and the `WHERE` predicate of a partial index.
pub fn index_parts(sql: &str) -> (Vec<String>, Option<String>) {
    let (tokens, spans) = tokenize(sql);
    let chars: Vec<char> = sql.chars().collect();
    let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
    let items = body_items(&tokens);
    let keys = items
        .iter()
        .map(|range| {
            let mut end = range.end;
            while end > range.start
                && (tokens[end - 1].is_keyword("ASC") || tokens[end - 1].is_keyword("DESC"))
            {
                end -= 1;
            }
            if end >= range.start + 2 && tokens[end - 2].is_keyword("COLLATE") {
                end -= 2;
            }
            if end == range.start {
                return String::new();
            }
            let key = text(spans[range.start].0, spans[end - 1].1);
            retort::schema::strip_outer_parens(key.trim()).to_owned()
        })
        .collect();
    let after = items.last().map_or(tokens.len(), |r| r.end);
    let predicate = (after..tokens.len())
        .find(|&i| tokens[i].is_keyword("WHERE"))
        .map(|i| {
            text(spans[i].1, chars.len())
                .trim()
                .trim_end_matches(';')
                .trim()
                .to_owned()
        });
    (keys, predicate)
}

/// Tokens with the character range each covers.
fn tokenize(sql: &str) -> (Vec<Token>, Vec<(usize, usize)>) {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let before = tokens.len();
        match c {
            c if c.is_whitespace() => i += 1,
            '-' if chars.get(i + 1) == Some(&'-') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                    i += 1;
                }
                i += 2;
            }
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '"' | '`' | '[' | '\'' => {
                let close = if c == '[' { ']' } else { c };
                let mut text = String::new();
                i += 1;
                while i < chars.len() {
                    if chars[i] == close {
                        if close != ']' && chars.get(i + 1) == Some(&close) {
                            text.push(close);
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    text.push(chars[i]);
                    i += 1;
                }
                tokens.push(if c == '\'' {
                    Token::Other
                } else {
                    Token::Word { text, quoted: true }
                });
            }
            c if c.is_alphanumeric() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                {
                    i += 1;
                }
                tokens.push(Token::Word {
                    text: chars[start..i].iter().collect(),
                    quoted: false,
                });
            }
            _ => {
                tokens.push(Token::Other);
                i += 1;
            }
        }
        if tokens.len() > before {
            spans.push((start, i));
        }
    }
    (tokens, spans)
}

/// Splits the table body (between the outer parentheses) at top-level commas,
/// as index ranges into `tokens`.
fn body_items(tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let Some(open) = tokens.iter().position(|t| *t == Token::Open) else {
        return Vec::new();
    };
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t {
            Token::Open => depth += 1,
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    items.push(start..i);
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                items.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

/// The names inside the first parenthesised list from `tokens[from..]`.
fn name_list(tokens: &[Token], from: usize) -> Vec<String> {
    let Some(open) = tokens[from..]
        .iter()
        .position(|t| *t == Token::Open)
        .map(|p| p + from)
    else {
        return Vec::new();
    };
    tokens[open + 1..]
        .iter()
        .take_while(|t| **t != Token::Close)
        .filter_map(|t| t.name().map(str::to_owned))
        .collect()
}

/// Reads constraint names, checks and `AUTOINCREMENT` from a `CREATE TABLE`
/// statement.
pub fn parse(sql: &str) -> TableDdl {
    let (tokens, spans) = tokenize(sql);
    let chars: Vec<char> = sql.chars().collect();
    let mut ddl = TableDdl {
        autoincrement: tokens.iter().any(|t| t.is_keyword("AUTOINCREMENT")),
        ..TableDdl::default()
    };
    for range in body_items(&tokens) {
        let item = &tokens[range.clone()];
        let Some(first) = item.first() else { continue };
        let table_level = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|kw| first.is_keyword(kw));
        let column = if table_level { None } else { first.name() };
        let columns = |from: usize| match column {
            Some(c) => vec![c.to_owned()],
            None => name_list(item, from),
        };
        let mut name: Option<String> = None;
        let mut i = 0;
        while i < item.len() {
            let token = &item[i];
            if token.is_keyword("CONSTRAINT") {
                name = item.get(i + 1).and_then(Token::name).map(str::to_owned);
                i += 2;
                continue;
            }
            // `CHECK (expr)`, and a column's `[GENERATED ALWAYS] AS (expr) [STORED|VIRTUAL]`.
            let check = token.is_keyword("CHECK");
            let generated = token.is_keyword("AS") && column.is_some();
            if (check || generated) && item.get(i + 1) == Some(&Token::Open) {
                // The expression is the text between the parentheses.
                let mut depth = 0usize;
                let mut close = item.len() - 1;
                for (j, t) in item.iter().enumerate().skip(i + 1) {
                    match t {
                        Token::Open => depth += 1,
                        Token::Close => {
                            depth -= 1;
                            if depth == 0 {
                                close = j;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let from = spans[range.start + i + 1].1;
                let to = spans[range.start + close].0;
                let expr: String = chars[from..to].iter().collect();
                if check {
                    ddl.checks.push((name.take(), expr.trim().to_owned()));
                } else if let Some(c) = column {
                    let stored = item.get(close + 1).is_some_and(|t| t.is_keyword("STORED"));
                    ddl.generated
                        .push((c.to_owned(), expr.trim().to_owned(), stored));
                }
                i = close + 1;
                continue;
            }
            if let (true, Some(c), Some(name)) = (
                token.is_keyword("COLLATE"),
                column,
                item.get(i + 1).and_then(Token::name),
            ) {
                ddl.collations.push((c.to_owned(), name.to_owned()));
            }
            // A table's `FOREIGN KEY (..) REFERENCES ..`, or a column's `REFERENCES ..`.
            let column_level_reference = token.is_keyword("REFERENCES")
                && !item[..i].iter().any(|t| t.is_keyword("FOREIGN"));
            if token.is_keyword("FOREIGN") || column_level_reference {
                if let Some(when) = deferrable_after(&item[i..]) {
                    ddl.deferrable.push((columns(i), when));
                }
            }
            if let Some(n) = name.take() {
                if token.is_keyword("UNIQUE") {
                    ddl.uniques.push((columns(i), n));
                } else if token.is_keyword("FOREIGN") || token.is_keyword("REFERENCES") {
                    ddl.foreign_keys.push((columns(i), n));
                }
            }
            i += 1;
        }
    }
    ddl
}

/// `DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]` in a foreign key clause (the
/// tokens from its `FOREIGN`/`REFERENCES` on), before the next constraint.
fn deferrable_after(tokens: &[Token]) -> Option<retort::schema::Deferrable> {
    use retort::schema::Deferrable;
    let mut depth = 0usize;
    for (k, t) in tokens.iter().enumerate().skip(1) {
        match t {
            Token::Open => depth += 1,
            Token::Close => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            t if [
                "CONSTRAINT",
                "CHECK",
                "UNIQUE",
                "PRIMARY",
                "FOREIGN",
                "DEFAULT",
            ]
            .iter()
            .any(|kw| t.is_keyword(kw)) =>
            {
                return None
            }
            t if t.is_keyword("DEFERRABLE") => {
                if k > 0 && tokens[k - 1].is_keyword("NOT") {
                    return None;
                }
                let deferred = tokens.get(k + 1).is_some_and(|t| t.is_keyword("INITIALLY"))
                    && tokens.get(k + 2).is_some_and(|t| t.is_keyword("DEFERRED"));
                return Some(if deferred {
                    Deferrable::Deferred
                } else {
                    Deferrable::Immediate
                });
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferrable_foreign_keys() {
        use retort::schema::Deferrable;
        let ddl = parse(
            r#"CREATE TABLE t (
                a INTEGER REFERENCES u(id) DEFERRABLE INITIALLY DEFERRED,
                b INTEGER CONSTRAINT fk_b REFERENCES u(id) NOT DEFERRABLE,
                c INTEGER, d INTEGER,
                CONSTRAINT fk_cd FOREIGN KEY (c, d) REFERENCES v (x, y) ON DELETE CASCADE DEFERRABLE,
                e INTEGER REFERENCES u(id) CHECK (e > 0)
            )"#,
        );
        let cols = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            ddl.foreign_key_deferrable(&cols(&["a"])),
            Deferrable::Deferred
        );
        assert_eq!(ddl.foreign_key_deferrable(&cols(&["b"])), Deferrable::No);
        assert_eq!(
            ddl.foreign_key_deferrable(&cols(&["c", "d"])),
            Deferrable::Immediate
        );
        assert_eq!(ddl.foreign_key_deferrable(&cols(&["e"])), Deferrable::No);
        assert_eq!(
            ddl.foreign_key_name(&cols(&["c", "d"])).as_deref(),
            Some("fk_cd")
        );
    }

    #[test]
    fn table_constraints() {
        let ddl = parse(
            r#"CREATE TABLE "orders" (
                "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                "user id" INTEGER NOT NULL, -- a comment, with (parens)
                note TEXT DEFAULT 'a, (b)',
                CONSTRAINT "uq_a" UNIQUE ("user id", note),
                CONSTRAINT [fk_x] FOREIGN KEY ("user id") REFERENCES "users" ("id") ON DELETE CASCADE
            )"#,
        );
        assert!(ddl.autoincrement);
        assert_eq!(
            ddl.unique_name(&["user id".into(), "note".into()]),
            Some("uq_a".into())
        );
        assert_eq!(
            ddl.foreign_key_name(&["user id".into()]),
            Some("fk_x".into())
        );
    }

    #[test]
    fn column_constraints() {
        let ddl = parse(
            r#"CREATE TABLE t (a INT CONSTRAINT "uq_t_a" UNIQUE, b INT CONSTRAINT fk_b REFERENCES u(id))"#,
        );
        assert!(!ddl.autoincrement);
        assert_eq!(ddl.unique_name(&["a".into()]), Some("uq_t_a".into()));
        assert_eq!(ddl.foreign_key_name(&["b".into()]), Some("fk_b".into()));
    }

    #[test]
    fn checks_keep_their_text() {
        let ddl = parse(
            r#"CREATE TABLE t (a INT CHECK (a > 0), b TEXT, CONSTRAINT "ck_t_b" CHECK (length(b) < 10 AND b <> ')'))"#,
        );
        assert_eq!(
            ddl.checks,
            vec![
                (None, "a > 0".to_owned()),
                (
                    Some("ck_t_b".to_owned()),
                    "length(b) < 10 AND b <> ')'".to_owned()
                )
            ]
        );
    }

    #[test]
    fn quotes_are_doubled() {
        let ddl = parse(r#"CREATE TABLE t ("a""b" INT, CONSTRAINT "q""n" UNIQUE ("a""b"))"#);
        assert_eq!(ddl.unique_name(&["a\"b".into()]), Some("q\"n".into()));
    }
}

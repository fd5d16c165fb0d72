use retort::DbEnum;

// Diesel's ToSql needs Debug (with retort's `diesel-tables` feature).
#[derive(DbEnum)]
pub enum Status {
    Active,
    Archived,
}

fn main() {}

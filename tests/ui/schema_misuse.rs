use retort::Model;

// A schema is one PostgreSQL schema name, and not written into the table name.
#[derive(Model)]
#[model(schema = "")]
pub struct Empty {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
#[model(schema = "billing.archive")]
pub struct Dotted {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
#[model(schema = "billing-2026")]
pub struct NotAnIdent {
    #[model(primary_key)]
    pub id: i32,
}

// Without diesel items any PostgreSQL name is fine.
#[derive(Model)]
#[model(schema = "billing-2026", diesel = false)]
pub struct Fine {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
#[model(table = "billing.invoices")]
pub struct Qualified {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
#[model(schema = "billing", schema = "audit")]
pub struct Twice {
    #[model(primary_key)]
    pub id: i32,
}

fn main() {}

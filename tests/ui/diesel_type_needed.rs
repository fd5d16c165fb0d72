use retort::Model;

#[derive(Model)]
pub struct Event {
    #[model(primary_key)]
    pub id: i32,
    pub at: chrono::DateTime<chrono::Utc>,
    #[model(sql_type = "NUMERIC(10,2)")]
    pub amount: String,
}

/// With the diesel table off, the same fields compile.
#[derive(Model)]
#[model(diesel = false)]
pub struct Quiet {
    #[model(primary_key)]
    pub id: i32,
    pub at: chrono::DateTime<chrono::Utc>,
}

fn main() {}

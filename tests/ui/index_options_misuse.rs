use retort::Model;

// Each misuse of a struct index's options (one attribute each: an attribute
// stops at its first error).
#[derive(Model)]
#[model(index(columns(code sideways)))]
#[model(index(columns(code desc asc)))]
#[model(index(columns(code nulls middle)))]
#[model(index(columns(code), nulls_not_distinct))]
#[model(index(columns("lower(code)")))]
#[model(index(name = "ix_blank", columns("  ")))]
#[model(index(columns(code(0))))]
#[model(index(columns(code), where = ""))]
#[model(index(columns(code), using = "gin index"))]
#[model(index(columns(code), include(totl)))]
#[model(index(columns(code), include(code)))]
#[model(index(columns(code), sorted))]
pub struct Order {
    #[model(primary_key)]
    pub id: i32,
    pub code: String,
    pub total: i64,
}

fn main() {}

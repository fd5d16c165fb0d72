use retort::Model;

#[derive(Model)]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i32,
    #[model(precision = 10, scale = 2)]
    pub total: f64,
    #[model(sql_type = "NUMERIC(10, 2)", precision = 10, diesel_type = diesel::sql_types::Numeric)]
    pub net: bigdecimal::BigDecimal,
}

fn main() {}

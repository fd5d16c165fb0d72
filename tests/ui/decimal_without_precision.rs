use retort::Model;

#[derive(Model)]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i32,
    pub total: bigdecimal::BigDecimal,
    #[model(precision = 5, scale = 6)]
    pub rate: bigdecimal::BigDecimal,
    #[model(precision = 0)]
    pub tax: Option<bigdecimal::BigDecimal>,
}

fn main() {}

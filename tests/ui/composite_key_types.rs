use retort::Model;

#[derive(Model)]
#[model(unique(columns(region, code)))]
pub struct Order {
    #[model(primary_key)]
    pub region: String,
    #[model(primary_key)]
    pub id: i64,
    pub code: String,
}

#[derive(Model)]
pub struct Customer {
    #[model(primary_key)]
    pub id: i32,
}

// Composite foreign keys are checked column by column: against the key's
// columns in order, or against the fields named.
#[derive(Model)]
#[model(
    foreign_key(columns(order_region, order_id), references = Order),
    foreign_key(columns(order_region, order_code), references = Order(region, code)),
    foreign_key(columns(customer_id, order_id), references = Customer)
)]
pub struct Line {
    #[model(primary_key)]
    pub id: i32,
    pub order_region: Option<String>,
    pub order_id: i32,
    pub order_code: i64,
    pub customer_id: i32,
}

fn main() {}

use retort::Model;

pub struct Customer {
    pub id: i32,
}

#[derive(Model)]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i32,
    #[model(references = Customer)]
    pub customer_id: i32,
}

fn main() {}

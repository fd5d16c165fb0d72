use retort::Model;

pub struct Address {
    pub street: String,
}

#[derive(Model)]
pub struct Customer {
    #[model(primary_key)]
    pub id: i32,
    pub address: Address,
    pub billing: Option<Address>,
}

fn main() {}

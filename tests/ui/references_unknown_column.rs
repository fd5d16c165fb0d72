use retort::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i32,
    pub name: String,
}

#[derive(Model)]
pub struct Order {
    #[model(primary_key)]
    pub id: i32,
    #[model(references = User::nmae)]
    pub user_name: String,
}

fn main() {}

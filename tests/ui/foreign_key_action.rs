use retort::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
pub struct Order {
    #[model(primary_key)]
    pub id: i32,
    #[model(references = User, on_delete = "explode")]
    pub user_id: i32,
    #[model(on_update = "cascade")]
    pub other_id: i32,
}

fn main() {}

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
    #[model(references = User)]
    pub user_id: i64,
    #[model(references = User::id)]
    pub other_user_id: Option<String>,
}

fn main() {}

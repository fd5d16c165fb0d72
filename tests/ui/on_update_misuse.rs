use retort::Model;

#[derive(Model)]
pub struct User {
    #[model(primary_key)]
    pub id: i32,
}

#[derive(Model)]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
    #[model(on_update = now())]
    pub version: i32,
    #[model(references = User, on_update = now())]
    pub user_id: i32,
    #[model(on_update = later())]
    pub touched: chrono::NaiveDateTime,
}

fn main() {}

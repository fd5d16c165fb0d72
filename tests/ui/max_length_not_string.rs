use retort::Model;

#[derive(Model)]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
    #[model(max_length = 10)]
    pub size: i32,
}

fn main() {}

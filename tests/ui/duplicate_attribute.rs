use retort::Model;

#[derive(Model)]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
    #[model(unique, max_length = 10)]
    #[model(unique)]
    pub slug: String,
}

fn main() {}

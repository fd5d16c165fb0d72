use retort::Model;

#[derive(Model)]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
    pub title: String,
    #[model(column = "title")]
    pub heading: String,
}

fn main() {}

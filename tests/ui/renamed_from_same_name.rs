use retort::Model;

#[derive(Model)]
#[model(table = "notes", renamed_from = "notes")]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
    #[model(renamed_from = "body")]
    pub body: String,
}

fn main() {}

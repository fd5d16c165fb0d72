use retort::Model;

#[derive(Model)]
#[model(index(name = "ix_notes_title_body", columns(titel, body)))]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
    pub title: String,
    pub body: String,
}

fn main() {}

use retort::Model;

#[derive(Model)]
#[model(check(name = "ck_notes_id"))]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
}

fn main() {}

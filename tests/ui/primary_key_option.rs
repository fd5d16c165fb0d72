use retort::Model;

#[derive(Model)]
pub struct Note {
    #[model(primary_key)]
    pub id: Option<i32>,
}

fn main() {}

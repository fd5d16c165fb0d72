use retort::Model;

#[derive(Model)]
pub struct Note {
    #[model(primary_key, default = 1)]
    pub id: i32,
}

fn main() {}

use retort::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    pub body: String,
}

fn main() {}

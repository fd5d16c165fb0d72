use retort::Model;

#[derive(Model)]
pub struct Note {
    #[model(primry_key)]
    pub id: i32,
    #[model(colour = "red")]
    pub body: String,
}

fn main() {}

use retort::Model;

#[derive(Model)]
pub struct Sensor {
    #[model(primary_key)]
    pub id: i32,
    pub reading: u128,
}

fn main() {}

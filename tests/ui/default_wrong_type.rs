use retort::Model;

#[derive(Model)]
pub struct Product {
    #[model(primary_key)]
    pub id: i32,
    #[model(default = "none")]
    pub stock: i32,
    #[model(default = 1.5)]
    pub count: i64,
    #[model(default = lower("X"))]
    pub name: String,
}

fn main() {}

use retort::Model;

#[derive(Model)]
pub struct Post {
    #[model(primary_key)]
    pub id: i32,
    pub grid: Vec<Vec<i32>>,
    pub maybe: Vec<Option<i32>>,
    #[model(default = 0)]
    pub scores: Vec<i32>,
    #[model(references = Post)]
    pub parents: Vec<i32>,
}

fn main() {}

use retort::Model;

#[derive(Model)]
pub enum Status {
    Open,
    Closed,
}

#[derive(Model)]
pub struct Pair(i32, i32);

fn main() {}

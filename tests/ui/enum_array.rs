use retort::{DbEnum, Model};

#[derive(DbEnum, Debug)]
pub enum Tag {
    New,
    Sale,
}

#[derive(Model)]
pub struct Product {
    #[model(primary_key)]
    pub id: i32,
    pub tags: Vec<Tag>,
    pub old_tags: Option<Vec<Tag>>,
}

fn main() {}

use retort::{DbEnum, Model};

#[derive(DbEnum, Debug)]
pub enum Status {
    Active,
    Archived,
}

#[derive(Model)]
pub struct Account {
    #[model(primary_key)]
    pub id: i32,
    #[model(default = 1)]
    pub status: Status,
    #[model(default = now())]
    pub previous: Option<Status>,
}

fn main() {}

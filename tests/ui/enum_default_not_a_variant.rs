use retort::{DbEnum, Model};

#[derive(DbEnum, Debug)]
pub enum Status {
    Active,
    Archived,
}

#[derive(DbEnum, Debug)]
pub enum Color {
    Red,
}

#[derive(Model)]
pub struct Account {
    #[model(primary_key)]
    pub id: i32,
    #[model(default = Status::Actve)]
    pub status: Status,
    #[model(default = Color::Red)]
    pub previous: Option<Status>,
}

fn main() {}

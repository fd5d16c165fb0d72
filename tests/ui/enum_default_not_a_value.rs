use retort::{DbEnum, Model};

#[derive(DbEnum, Debug)]
pub enum Status {
    Active,
    #[db_enum(rename = "archived")]
    Old,
}

#[derive(Model)]
pub struct Account {
    #[model(primary_key)]
    pub id: i32,
    #[model(default = "old")]
    pub status: Status,
}

fn main() {}

use retort::DbEnum;

#[derive(DbEnum)]
pub enum Status {
    Open,
    #[db_enum(rename = "open")]
    Reopened,
    InProgress,
    #[db_enum(rename = "in_progress")]
    Working,
}

fn main() {}

use retort::DbEnum;

#[derive(DbEnum)]
pub enum Empty {}

#[derive(DbEnum)]
pub enum Generic<T> {
    One,
    Two(T),
}

#[derive(DbEnum)]
pub struct NotAnEnum {
    pub value: String,
}

#[derive(DbEnum)]
#[db_enum(nmae = "status")]
#[db_enum(name = "")]
pub enum Status {
    #[db_enum(rename = "")]
    Open,
    #[db_enum(renamed_from = "closed")]
    Closed,
    #[db_enum(renamed_from = "closed_for_good")]
    Done,
    #[db_enum(renamed_from = "closed_for_good")]
    Finished,
    #[db_enum(renamed_from = "done")]
    Archived,
    #[db_enum(name = "x")]
    #[db_enum(rename = "a", rename = "b")]
    Other,
}

fn main() {}

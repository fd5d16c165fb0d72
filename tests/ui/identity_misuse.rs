use retort::Model;

// Identity options say how the single integer key counts.
#[derive(Model)]
pub struct Invoice {
    #[model(primary_key, identity(always, start = 10, step = 2))]
    pub id: i64,
    #[model(identity(always))]
    pub number: i64,
}

#[derive(Model)]
pub struct Line {
    #[model(primary_key, autoincrement = false, identity(start = 5))]
    pub id: i64,
    #[model(identity(increment = 0))]
    pub other: i32,
}

#[derive(Model)]
pub struct Code {
    #[model(primary_key, identity(start = 1))]
    pub code: String,
}

fn main() {}

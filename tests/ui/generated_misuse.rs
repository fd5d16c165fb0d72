use retort::Model;

// A generated column is computed by the database: no default, key, counter or
// foreign key of its own; `stored` goes with `generated`; the SQL is not empty.
#[derive(Model)]
pub struct Line {
    #[model(primary_key)]
    pub id: i32,
    pub price: i64,
    #[model(generated = "price * 2", default = 0)]
    pub doubled: i64,
    #[model(generated = "")]
    pub blank: i64,
    #[model(stored)]
    pub kept: i64,
    #[model(generated = "price + 1", references = "orders.id")]
    pub next: i64,
    #[model(generated = "price * 3", stored, stored)]
    pub tripled: i64,
}

#[derive(Model)]
pub struct Key {
    #[model(primary_key, generated = "1")]
    pub id: i32,
}

fn main() {}

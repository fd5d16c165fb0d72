use retort::Model;

// A collation orders and compares text: on a String field, and a name.
#[derive(Model)]
pub struct Code {
    #[model(primary_key)]
    pub id: i32,
    #[model(collation = "C")]
    pub count: i64,
    #[model(collation = "en US; DROP TABLE x")]
    pub code: String,
}

fn main() {}

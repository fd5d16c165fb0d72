use retort::Model;

#[derive(Model)]
#[model(check(name = "ck_notes_id"))]
pub struct Note {
    #[model(primary_key)]
    pub id: i32,
}

// Named after the first column the condition names, which is too long here.
#[derive(Model)]
#[model(check(sql = "a_column_name_long_enough_to_push_the_check_name_over > 0"))]
pub struct Reading {
    #[model(primary_key)]
    pub id: i32,
    pub a_column_name_long_enough_to_push_the_check_name_over: i32,
}

fn main() {}

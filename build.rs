//! The archive's migrations are embedded at compile time (`refinery::embed_migrations!`); a new or edited one
//! must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

//! A release build embeds the web app (`../dist`, see `src/http/web_app.rs`): rebuild it when
//! the app was built again. Debug builds read `dist/` at run time and need no rebuild.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("PROFILE").as_deref() == Ok("release") {
        println!("cargo:rerun-if-changed=../dist");
    }
}

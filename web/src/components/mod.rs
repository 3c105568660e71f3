//! Widgets shared by pages.

pub mod text_field;

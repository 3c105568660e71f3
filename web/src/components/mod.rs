//! Reusable pieces of the pages.

pub mod field;
pub mod notice;
pub mod status;
pub mod upload;

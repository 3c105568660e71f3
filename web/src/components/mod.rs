//! Reusable pieces of the pages.

pub mod field;
pub mod status;
pub mod upload;

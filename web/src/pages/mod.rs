//! One module per page.

pub mod new_customer;

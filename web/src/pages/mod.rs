//! The screens of the app.

pub mod customer;
pub mod customer_form;
pub mod customers;
pub mod reviews;
pub mod sign_in;

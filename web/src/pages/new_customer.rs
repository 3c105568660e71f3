//! "New customer": contact details, checked by `kycard-core` on every keystroke.

use crate::components::text_field::TextField;
use crate::today::today;
use kycard_core::customer::validate_customer;
use kycard_core::wire::{ContactData, CustomerData};
use leptos::prelude::*;

/// The new-customer form.
#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let draft = RwSignal::new(CustomerData { contact: Some(ContactData::default()), ..CustomerData::default() });
    let today = today();
    // The very function the server runs; only messages for visible fields are shown.
    let errors = Memo::new(move |_| draft.with(|d| validate_customer(d, today).err().unwrap_or_default()));
    let message =
        move |path: &'static str| Signal::derive(move || errors.with(|e| e.for_path(path).map(|f| f.message.clone())));
    let contact_value = move |read: fn(&ContactData) -> &Option<String>| {
        Signal::derive(move || draft.with(|d| d.contact.as_ref().and_then(|c| read(c).clone()).unwrap_or_default()))
    };
    let set_contact = move |write: fn(&mut ContactData, Option<String>)| {
        move |value: String| {
            draft.update(|d| write(d.contact.get_or_insert_with(Default::default), Some(value)));
        }
    };

    view! {
        <h1>"New customer"</h1>
        <form class="card" novalidate on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>"Contact details"</legend>
                <TextField
                    label="Email"
                    path="contact.email"
                    input_type="email"
                    autocomplete="email"
                    value=contact_value(|c| &c.email)
                    on_input=set_contact(|c, v| c.email = v)
                    error=message("contact.email")
                />
                <TextField
                    label="Phone"
                    path="contact.phone"
                    input_type="tel"
                    autocomplete="tel"
                    hint="International format, starting with + and the country code."
                    value=contact_value(|c| &c.phone)
                    on_input=set_contact(|c, v| c.phone = v)
                    error=message("contact.phone")
                />
            </fieldset>
        </form>
    }
}

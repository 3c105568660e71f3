//! Turning wire data into a valid customer, with every field error at once.
//!
//! The browser runs [`validate_customer`] on every keystroke and the server runs it on every
//! request, so both show the very same `{path, code, message}` list.

use crate::contact::{Email, Phone, parse_email, parse_phone};
use crate::field_error::{FieldError, FieldErrorCode, ValidationErrors, required_text};
use crate::financial::{Financial, choice, parse_financial};
use crate::message::Message;
use crate::official_id::{OfficialId, parse_official_id};
use crate::person::{
    Address, DateOfBirth, DayText, FullName, Gender, parse_address, parse_date_of_birth, parse_full_name,
};
use crate::wire::{
    AddressData, ContactData, CustomerData, FinancialData, IndividualData, OfficialIdData, PersonalData,
};
use crate::{form, paths};
use chrono::NaiveDate;
use serde::Serialize;

/// Checked contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    /// Email address.
    pub email: Email,
    /// E.164 phone number.
    pub phone: Phone,
}

/// Checked personal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Personal {
    /// Full name.
    pub full_name: FullName,
    /// Date of birth of an adult.
    pub date_of_birth: DateOfBirth,
    /// Declared gender.
    pub gender: Gender,
    /// Residential address.
    pub address: Address,
}

/// Everything the individual card program requires, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Individual {
    /// Personal details.
    pub personal: Personal,
    /// Identity document.
    pub official_id: OfficialId,
    /// Financial profile.
    pub financial: Financial,
}

/// A customer whose data passed every rule on the day it was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidCustomer {
    /// Contact details.
    pub contact: Contact,
    /// Card program data; `Some` exactly when enrolled.
    pub individual: Option<Individual>,
}

/// Checks a whole customer (the body of `POST /customers`, or a patched customer).
pub fn validate_customer(data: &CustomerData, today: NaiveDate) -> Result<ValidCustomer, ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let contact = parse_contact(data.contact.as_ref(), &mut errors);
    let individual = match (data.individual_cards.unwrap_or(false), data.individual.as_ref()) {
        (true, Some(individual)) => parse_individual(individual, today, &mut errors).map(Some),
        (true, None) => {
            errors.push(FieldError::new(paths::INDIVIDUAL, FieldErrorCode::Required, Message::IndividualRequired));
            None
        }
        (false, Some(_)) => {
            errors.push(FieldError::new(paths::INDIVIDUAL, FieldErrorCode::NotAllowed, Message::IndividualNotAllowed));
            None
        }
        (false, None) => Some(None),
    };
    match (contact, individual) {
        (Some(contact), Some(individual)) if errors.is_empty() => Ok(ValidCustomer { contact, individual }),
        _ => Err(errors),
    }
}

fn parse_contact(data: Option<&ContactData>, errors: &mut ValidationErrors) -> Option<Contact> {
    let empty = ContactData::default();
    let data = data.unwrap_or(&empty);
    let email = required_text(paths::EMAIL, data.email.as_deref()).and_then(|raw| parse_email(paths::EMAIL, raw));
    let phone = required_text(paths::PHONE, data.phone.as_deref()).and_then(|raw| parse_phone(paths::PHONE, raw));
    let email = errors.collect(email);
    let phone = errors.collect(phone);
    Some(Contact { email: email?, phone: phone? })
}

fn parse_individual(data: &IndividualData, today: NaiveDate, errors: &mut ValidationErrors) -> Option<Individual> {
    let personal = parse_personal(data.personal.as_ref().unwrap_or(&PersonalData::default()), today, errors);
    let official_id = parse_official_id(data.official_id.as_ref().unwrap_or(&OfficialIdData::default()), today, errors);
    let financial = parse_financial(data.financial.as_ref().unwrap_or(&FinancialData::default()), errors);
    Some(Individual { personal: personal?, official_id: official_id?, financial: financial? })
}

fn parse_personal(data: &PersonalData, today: NaiveDate, errors: &mut ValidationErrors) -> Option<Personal> {
    let full_name = errors.collect(
        required_text(paths::FULL_NAME, data.full_name.as_deref())
            .and_then(|raw| parse_full_name(paths::FULL_NAME, raw)),
    );
    let date_of_birth = errors.collect(
        required_text(paths::DATE_OF_BIRTH, data.date_of_birth.as_deref())
            .and_then(|raw| parse_date_of_birth(paths::DATE_OF_BIRTH, raw, today)),
    );
    let gender = errors.collect(choice(paths::GENDER, data.gender.as_deref(), Gender::ALL, Gender::as_str));
    let address = parse_address(data.address.as_ref().unwrap_or(&AddressData::default()), errors);
    Some(Personal { full_name: full_name?, date_of_birth: date_of_birth?, gender: gender?, address: address? })
}

/// Applies a `PATCH` body to the current data: present fields replace, absent fields stay.
///
/// Turning individual cards off once enabled is refused: the onboarding history would lose
/// its subject.
pub fn apply_patch(current: &CustomerData, patch: &CustomerData) -> Result<CustomerData, ValidationErrors> {
    if current.individual_cards == Some(true) && patch.individual_cards == Some(false) {
        return Err(
            FieldError::new(paths::INDIVIDUAL_CARDS, FieldErrorCode::CannotDisable, Message::CannotDisable).into()
        );
    }
    let mut merged = current.clone();
    if let Some(contact) = &patch.contact {
        let into = merged.contact.get_or_insert_with(Default::default);
        replace(&mut into.email, contact.email.as_ref());
        replace(&mut into.phone, contact.phone.as_ref());
    }
    if patch.individual_cards.is_some() {
        merged.individual_cards = patch.individual_cards;
    }
    if let Some(individual) = &patch.individual {
        merge_individual(merged.individual.get_or_insert_with(Default::default), individual);
    }
    Ok(merged)
}

fn merge_individual(into: &mut IndividualData, patch: &IndividualData) {
    if let Some(p) = &patch.personal {
        let into = into.personal.get_or_insert_with(Default::default);
        replace(&mut into.full_name, p.full_name.as_ref());
        replace(&mut into.date_of_birth, p.date_of_birth.as_ref());
        replace(&mut into.gender, p.gender.as_ref());
        if let Some(a) = &p.address {
            let into = into.address.get_or_insert_with(Default::default);
            replace(&mut into.line1, a.line1.as_ref());
            replace(&mut into.line2, a.line2.as_ref());
            replace(&mut into.city, a.city.as_ref());
            replace(&mut into.region, a.region.as_ref());
            replace(&mut into.postal_code, a.postal_code.as_ref());
            replace(&mut into.country, a.country.as_ref());
        }
    }
    if let Some(o) = &patch.official_id {
        let into = into.official_id.get_or_insert_with(Default::default);
        replace(&mut into.id_type, o.id_type.as_ref());
        replace(&mut into.number, o.number.as_ref());
        replace(&mut into.issuing_country, o.issuing_country.as_ref());
        replace(&mut into.expires_on, o.expires_on.as_ref());
    }
    if let Some(f) = &patch.financial {
        let into = into.financial.get_or_insert_with(Default::default);
        replace(&mut into.occupation, f.occupation.as_ref());
        replace(&mut into.annual_salary_range, f.annual_salary_range.as_ref());
        replace(&mut into.account_purpose, f.account_purpose.as_ref());
        replace(&mut into.expected_monthly_volume, f.expected_monthly_volume.as_ref());
    }
}

fn replace(into: &mut Option<String>, patch: Option<&String>) {
    if let Some(value) = patch {
        *into = Some(value.clone());
    }
}

impl ValidCustomer {
    /// Calls `visit` with each text field of the normalised customer in wire form (what the
    /// API returns and the form reloads), by its index in [`form::TEXT_FIELDS`], in that
    /// order; optional fields only when given. Allocates nothing, so a caller can compare the
    /// normalised values with the ones sent without building them.
    pub fn each_text(&self, mut visit: impl FnMut(usize, &str)) {
        visit(const { form::index(paths::EMAIL) }, self.contact.email.as_str());
        visit(const { form::index(paths::PHONE) }, self.contact.phone.as_str());
        let Some(individual) = &self.individual else {
            return;
        };
        let p = &individual.personal;
        let a = &p.address;
        let o = &individual.official_id;
        let f = &individual.financial;
        let optional = |visit: &mut dyn FnMut(usize, &str), index, value: &Option<String>| {
            if let Some(value) = value {
                visit(index, value);
            }
        };
        visit(const { form::index(paths::FULL_NAME) }, p.full_name.as_str());
        visit(const { form::index(paths::DATE_OF_BIRTH) }, DayText::new(p.date_of_birth.date()).as_str());
        visit(const { form::index(paths::GENDER) }, p.gender.as_str());
        visit(const { form::index(paths::ADDRESS_LINE1) }, &a.line1);
        optional(&mut visit, const { form::index(paths::ADDRESS_LINE2) }, &a.line2);
        visit(const { form::index(paths::ADDRESS_CITY) }, &a.city);
        optional(&mut visit, const { form::index(paths::ADDRESS_REGION) }, &a.region);
        optional(&mut visit, const { form::index(paths::ADDRESS_POSTAL_CODE) }, &a.postal_code);
        visit(const { form::index(paths::ADDRESS_COUNTRY) }, a.country.code());
        visit(const { form::index(paths::ID_TYPE) }, o.id_type.as_str());
        visit(const { form::index(paths::ID_NUMBER) }, o.number.as_str());
        visit(const { form::index(paths::ID_ISSUING_COUNTRY) }, o.issuing_country.code());
        visit(const { form::index(paths::ID_EXPIRES_ON) }, DayText::new(o.expires_on).as_str());
        visit(const { form::index(paths::OCCUPATION) }, f.occupation.as_str());
        visit(const { form::index(paths::SALARY_RANGE) }, f.annual_salary_range.as_str());
        visit(const { form::index(paths::ACCOUNT_PURPOSE) }, f.account_purpose.as_str());
        visit(const { form::index(paths::MONTHLY_VOLUME) }, f.expected_monthly_volume.as_str());
    }
}

impl From<&ValidCustomer> for CustomerData {
    /// The normalised values, in wire form: what the API returns and the form reloads.
    fn from(customer: &ValidCustomer) -> Self {
        let mut data = Self { individual_cards: Some(customer.individual.is_some()), ..Self::default() };
        customer.each_text(|index, text| {
            if let Some(slot) = form::slot_at(&mut data, index) {
                *slot = Some(text.to_owned());
            }
        });
        data
    }
}

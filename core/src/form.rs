//! Reading and writing a [`CustomerData`] field by its request path, so a form (or a flag
//! shown on a form) needs one table of paths, the one in [`crate::paths`].

use crate::paths;
use crate::wire::{AddressData, CustomerData, FinancialData, IndividualData, OfficialIdData, PersonalData};

/// Every text field of the form, by path, in form order.
pub const TEXT_FIELDS: &[&str] = &[
    paths::EMAIL,
    paths::PHONE,
    paths::FULL_NAME,
    paths::DATE_OF_BIRTH,
    paths::GENDER,
    paths::ADDRESS_LINE1,
    paths::ADDRESS_LINE2,
    paths::ADDRESS_CITY,
    paths::ADDRESS_REGION,
    paths::ADDRESS_POSTAL_CODE,
    paths::ADDRESS_COUNTRY,
    paths::ID_TYPE,
    paths::ID_NUMBER,
    paths::ID_ISSUING_COUNTRY,
    paths::ID_EXPIRES_ON,
    paths::OCCUPATION,
    paths::SALARY_RANGE,
    paths::ACCOUNT_PURPOSE,
    paths::MONTHLY_VOLUME,
];

/// Every object of a customer's data that holds text fields, by path, parents first. An
/// object sent empty (`"individual": {}`) is not one left out (without the card program the
/// first is refused, the second is not), so whatever carries a customer as a flat list of
/// [`TEXT_FIELDS`] carries these too.
pub const OBJECTS: &[&str] =
    &[paths::CONTACT, paths::INDIVIDUAL, paths::PERSONAL, paths::ADDRESS, paths::OFFICIAL_ID, paths::FINANCIAL];

/// Whether the object at `path` (one of [`OBJECTS`]) is there; false for other paths.
pub fn has_object(data: &CustomerData, path: &str) -> bool {
    let individual = data.individual.as_ref();
    let personal = individual.and_then(|i| i.personal.as_ref());
    match path {
        paths::CONTACT => data.contact.is_some(),
        paths::INDIVIDUAL => individual.is_some(),
        paths::PERSONAL => personal.is_some(),
        paths::ADDRESS => personal.is_some_and(|p| p.address.is_some()),
        paths::OFFICIAL_ID => individual.is_some_and(|i| i.official_id.is_some()),
        paths::FINANCIAL => individual.is_some_and(|i| i.financial.is_some()),
        _ => false,
    }
}

/// Creates the object at `path` (one of [`OBJECTS`]) and the objects around it, keeping what
/// they hold; false for other paths.
pub fn create_object(data: &mut CustomerData, path: &str) -> bool {
    match path {
        paths::CONTACT => _ = data.contact.get_or_insert_with(Default::default),
        paths::INDIVIDUAL => _ = data.individual.get_or_insert_with(Default::default),
        paths::PERSONAL => _ = personal(data),
        paths::ADDRESS => _ = address(data),
        paths::OFFICIAL_ID => _ = official_id(data),
        paths::FINANCIAL => _ = financial(data),
        _ => return false,
    }
    true
}

fn personal(data: &mut CustomerData) -> &mut PersonalData {
    data.individual.get_or_insert_with(IndividualData::default).personal.get_or_insert_with(PersonalData::default)
}

fn address(data: &mut CustomerData) -> &mut AddressData {
    personal(data).address.get_or_insert_with(AddressData::default)
}

fn official_id(data: &mut CustomerData) -> &mut OfficialIdData {
    data.individual.get_or_insert_with(IndividualData::default).official_id.get_or_insert_with(OfficialIdData::default)
}

fn financial(data: &mut CustomerData) -> &mut FinancialData {
    data.individual.get_or_insert_with(IndividualData::default).financial.get_or_insert_with(FinancialData::default)
}

/// The slot of the text field at `path`, created with the objects around it if missing;
/// `None` for unknown paths. Unlike [`set_field_value`], it holds a value as a request carries
/// it: an empty text is not an absent one (a `PATCH` clears an optional field with it).
pub fn slot<'a>(data: &'a mut CustomerData, path: &str) -> Option<&'a mut Option<String>> {
    Some(match path {
        paths::EMAIL => &mut data.contact.get_or_insert_with(Default::default).email,
        paths::PHONE => &mut data.contact.get_or_insert_with(Default::default).phone,
        paths::FULL_NAME => &mut personal(data).full_name,
        paths::DATE_OF_BIRTH => &mut personal(data).date_of_birth,
        paths::GENDER => &mut personal(data).gender,
        paths::ADDRESS_LINE1 => &mut address(data).line1,
        paths::ADDRESS_LINE2 => &mut address(data).line2,
        paths::ADDRESS_CITY => &mut address(data).city,
        paths::ADDRESS_REGION => &mut address(data).region,
        paths::ADDRESS_POSTAL_CODE => &mut address(data).postal_code,
        paths::ADDRESS_COUNTRY => &mut address(data).country,
        paths::ID_TYPE => &mut official_id(data).id_type,
        paths::ID_NUMBER => &mut official_id(data).number,
        paths::ID_ISSUING_COUNTRY => &mut official_id(data).issuing_country,
        paths::ID_EXPIRES_ON => &mut official_id(data).expires_on,
        paths::OCCUPATION => &mut financial(data).occupation,
        paths::SALARY_RANGE => &mut financial(data).annual_salary_range,
        paths::ACCOUNT_PURPOSE => &mut financial(data).account_purpose,
        paths::MONTHLY_VOLUME => &mut financial(data).expected_monthly_volume,
        _ => return None,
    })
}

/// The value of the text field at `path` (empty when unset or unknown).
pub fn field_value(data: &CustomerData, path: &str) -> String {
    field(data, path).unwrap_or_default().to_owned()
}

/// The value of the text field at `path` as a request carries it: `None` when unset (or for
/// unknown paths), an empty text when sent empty.
pub fn field<'a>(data: &'a CustomerData, path: &str) -> Option<&'a str> {
    let individual = data.individual.as_ref();
    let personal = individual.and_then(|i| i.personal.as_ref());
    let address = personal.and_then(|p| p.address.as_ref());
    let id = individual.and_then(|i| i.official_id.as_ref());
    let financial = individual.and_then(|i| i.financial.as_ref());
    let contact = data.contact.as_ref();
    let value = match path {
        paths::EMAIL => contact.and_then(|c| c.email.as_ref()),
        paths::PHONE => contact.and_then(|c| c.phone.as_ref()),
        paths::FULL_NAME => personal.and_then(|p| p.full_name.as_ref()),
        paths::DATE_OF_BIRTH => personal.and_then(|p| p.date_of_birth.as_ref()),
        paths::GENDER => personal.and_then(|p| p.gender.as_ref()),
        paths::ADDRESS_LINE1 => address.and_then(|a| a.line1.as_ref()),
        paths::ADDRESS_LINE2 => address.and_then(|a| a.line2.as_ref()),
        paths::ADDRESS_CITY => address.and_then(|a| a.city.as_ref()),
        paths::ADDRESS_REGION => address.and_then(|a| a.region.as_ref()),
        paths::ADDRESS_POSTAL_CODE => address.and_then(|a| a.postal_code.as_ref()),
        paths::ADDRESS_COUNTRY => address.and_then(|a| a.country.as_ref()),
        paths::ID_TYPE => id.and_then(|o| o.id_type.as_ref()),
        paths::ID_NUMBER => id.and_then(|o| o.number.as_ref()),
        paths::ID_ISSUING_COUNTRY => id.and_then(|o| o.issuing_country.as_ref()),
        paths::ID_EXPIRES_ON => id.and_then(|o| o.expires_on.as_ref()),
        paths::OCCUPATION => financial.and_then(|f| f.occupation.as_ref()),
        paths::SALARY_RANGE => financial.and_then(|f| f.annual_salary_range.as_ref()),
        paths::ACCOUNT_PURPOSE => financial.and_then(|f| f.account_purpose.as_ref()),
        paths::MONTHLY_VOLUME => financial.and_then(|f| f.expected_monthly_volume.as_ref()),
        _ => None,
    };
    value.map(String::as_str)
}

/// Sets the text field at `path`; an empty value unsets it. Returns false for unknown paths.
pub fn set_field_value(data: &mut CustomerData, path: &str, value: &str) -> bool {
    slot(data, path).map(|slot| *slot = (!value.is_empty()).then(|| value.to_owned())).is_some()
}

/// The body to send for `data`: the individual block only when the program is chosen, so
/// fields typed and then hidden by unticking the box are kept in the form but not sent.
pub fn submission(data: &CustomerData) -> CustomerData {
    let enrolled = data.individual_cards.unwrap_or(false);
    CustomerData {
        contact: data.contact.clone(),
        individual_cards: Some(enrolled),
        individual: if enrolled { data.individual.clone() } else { None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_path_round_trips() {
        let mut data = CustomerData::default();
        for (i, path) in TEXT_FIELDS.iter().enumerate() {
            assert!(set_field_value(&mut data, path, &format!("v{i}")), "{path}");
        }
        for (i, path) in TEXT_FIELDS.iter().enumerate() {
            assert_eq!(field_value(&data, path), format!("v{i}"), "{path}");
        }
        assert!(set_field_value(&mut data, paths::EMAIL, ""));
        assert_eq!(data.contact.as_ref().unwrap().email, None, "empty unsets");
        assert!(!set_field_value(&mut data, "individual.secret", "x"));
        assert_eq!(field_value(&data, "nope"), "");
    }

    #[test]
    fn objects_are_exactly_the_parents_of_the_text_fields_parents_first() {
        let mut parents: Vec<&str> = Vec::new();
        for path in TEXT_FIELDS {
            for (end, _) in path.match_indices('.') {
                if !parents.contains(&&path[..end]) {
                    parents.push(&path[..end]);
                }
            }
        }
        let mut objects = OBJECTS.to_vec();
        objects.sort_unstable();
        parents.sort_unstable();
        assert_eq!(objects, parents);
        for (i, object) in OBJECTS.iter().enumerate() {
            let parent = object.rsplit_once('.').map(|(parent, _)| parent);
            assert!(parent.is_none_or(|p| OBJECTS[..i].contains(&p)), "{object} comes before its parent");
        }
    }

    #[test]
    fn an_empty_object_is_created_alone_and_found() {
        for object in OBJECTS {
            let mut data = CustomerData::default();
            assert!(create_object(&mut data, object), "{object}");
            for other in OBJECTS {
                let around = *other == *object || object.starts_with(&format!("{other}."));
                assert_eq!(has_object(&data, other), around, "{other} after creating {object}");
            }
            assert!(TEXT_FIELDS.iter().all(|path| field(&data, path).is_none()), "{object} is empty");
        }
        assert!(!create_object(&mut CustomerData::default(), paths::EMAIL));
        assert!(!has_object(&CustomerData::default(), "individual.secret"));
    }

    #[test]
    fn a_slot_keeps_an_empty_text_that_set_field_value_drops() {
        let mut data = CustomerData::default();
        *slot(&mut data, paths::ADDRESS_LINE2).unwrap() = Some(String::new());
        assert_eq!(field(&data, paths::ADDRESS_LINE2), Some(""));
        assert!(has_object(&data, paths::ADDRESS));
        assert!(slot(&mut data, "individual.secret").is_none());
    }

    #[test]
    fn unticking_the_program_keeps_the_fields_but_does_not_send_them() {
        let mut data = CustomerData { individual_cards: Some(true), ..CustomerData::default() };
        set_field_value(&mut data, paths::FULL_NAME, "Ana");
        data.individual_cards = Some(false);
        assert_eq!(submission(&data).individual, None);
        assert_eq!(field_value(&data, paths::FULL_NAME), "Ana");
        data.individual_cards = Some(true);
        assert!(submission(&data).individual.is_some());
    }
}

//! Reading and writing a [`CustomerData`] field by its request path, so a form (or a flag
//! shown on a form) needs one table of paths, the one in [`crate::paths`].

use crate::paths;
use crate::wire::{
    AddressData, ContactData, CustomerData, FinancialData, IndividualData, OfficialIdData, PersonalData,
};

/// Where the value of a text field is in a [`CustomerData`].
type Get = fn(&CustomerData) -> Option<&String>;
/// The slot of a text field in a [`CustomerData`], created with the objects around it.
type Slot = fn(&mut CustomerData) -> &mut Option<String>;

/// Every text field of the form in form order: its path, where its value is, its slot.
const FIELDS: [(&str, Get, Slot); 19] = [
    (paths::EMAIL, |d| d.contact.as_ref()?.email.as_ref(), |d| &mut contact(d).email),
    (paths::PHONE, |d| d.contact.as_ref()?.phone.as_ref(), |d| &mut contact(d).phone),
    (paths::FULL_NAME, |d| personal_of(d)?.full_name.as_ref(), |d| &mut personal(d).full_name),
    (paths::DATE_OF_BIRTH, |d| personal_of(d)?.date_of_birth.as_ref(), |d| &mut personal(d).date_of_birth),
    (paths::GENDER, |d| personal_of(d)?.gender.as_ref(), |d| &mut personal(d).gender),
    (paths::ADDRESS_LINE1, |d| address_of(d)?.line1.as_ref(), |d| &mut address(d).line1),
    (paths::ADDRESS_LINE2, |d| address_of(d)?.line2.as_ref(), |d| &mut address(d).line2),
    (paths::ADDRESS_CITY, |d| address_of(d)?.city.as_ref(), |d| &mut address(d).city),
    (paths::ADDRESS_REGION, |d| address_of(d)?.region.as_ref(), |d| &mut address(d).region),
    (paths::ADDRESS_POSTAL_CODE, |d| address_of(d)?.postal_code.as_ref(), |d| &mut address(d).postal_code),
    (paths::ADDRESS_COUNTRY, |d| address_of(d)?.country.as_ref(), |d| &mut address(d).country),
    (paths::ID_TYPE, |d| official_id_of(d)?.id_type.as_ref(), |d| &mut official_id(d).id_type),
    (paths::ID_NUMBER, |d| official_id_of(d)?.number.as_ref(), |d| &mut official_id(d).number),
    (
        paths::ID_ISSUING_COUNTRY,
        |d| official_id_of(d)?.issuing_country.as_ref(),
        |d| &mut official_id(d).issuing_country,
    ),
    (paths::ID_EXPIRES_ON, |d| official_id_of(d)?.expires_on.as_ref(), |d| &mut official_id(d).expires_on),
    (paths::OCCUPATION, |d| financial_of(d)?.occupation.as_ref(), |d| &mut financial(d).occupation),
    (paths::SALARY_RANGE, |d| financial_of(d)?.annual_salary_range.as_ref(), |d| &mut financial(d).annual_salary_range),
    (paths::ACCOUNT_PURPOSE, |d| financial_of(d)?.account_purpose.as_ref(), |d| &mut financial(d).account_purpose),
    (
        paths::MONTHLY_VOLUME,
        |d| financial_of(d)?.expected_monthly_volume.as_ref(),
        |d| &mut financial(d).expected_monthly_volume,
    ),
];

/// Every text field of the form, by path, in form order.
pub const TEXT_FIELDS: &[&str] = &paths_of(&FIELDS);

/// The paths of a table of fields or objects, in its order.
const fn paths_of<A, B, const N: usize>(table: &[(&'static str, A, B); N]) -> [&'static str; N] {
    let mut paths = [""; N];
    let mut i = 0;
    while i < N {
        paths[i] = table[i].0;
        i += 1;
    }
    paths
}

/// The index in [`TEXT_FIELDS`] of the text field at `path`, for constants:
/// `const { form::index(paths::EMAIL) }`.
///
/// # Panics
///
/// For a path that is not a text field: at compile time, in a constant.
pub const fn index(path: &str) -> usize {
    let mut i = 0;
    while i < TEXT_FIELDS.len() {
        if same(TEXT_FIELDS[i].as_bytes(), path.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("not a text field of the form");
}

/// Whether the field or object at `path` lies inside the object at `object`, at any depth
/// (`individual.personal.full_name` is inside `individual`), for constants.
pub const fn inside(path: &str, object: &str) -> bool {
    let (path, object) = (path.as_bytes(), object.as_bytes());
    path.len() > object.len() && path[object.len()] == b'.' && starts_with(path, object)
}

/// Byte-wise equality, for constants.
const fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && starts_with(a, b)
}

/// Whether `a` starts with `b`, byte by byte, for constants.
const fn starts_with(a: &[u8], b: &[u8]) -> bool {
    if b.len() > a.len() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Every object of a customer's data that holds text fields, by path, parents first. An
/// object sent empty (`"individual": {}`) is not one left out (without the card program the
/// first is refused, the second is not), so whatever carries a customer as a flat list of
/// [`TEXT_FIELDS`] carries these too.
pub const OBJECTS: &[&str] = &paths_of(&OBJECT_TABLE);

/// Whether an object of a [`CustomerData`] is there.
type Has = fn(&CustomerData) -> bool;
/// Creates an object of a [`CustomerData`] with the objects around it, keeping what they hold.
type Create = fn(&mut CustomerData);

/// Every object of [`OBJECTS`]: its path, whether it is there, and how to create it.
const OBJECT_TABLE: [(&str, Has, Create); 6] = [
    (paths::CONTACT, |d| d.contact.is_some(), |d| _ = contact(d)),
    (paths::INDIVIDUAL, |d| d.individual.is_some(), |d| _ = d.individual.get_or_insert_with(Default::default)),
    (paths::PERSONAL, |d| personal_of(d).is_some(), |d| _ = personal(d)),
    (paths::ADDRESS, |d| address_of(d).is_some(), |d| _ = address(d)),
    (paths::OFFICIAL_ID, |d| official_id_of(d).is_some(), |d| _ = official_id(d)),
    (paths::FINANCIAL, |d| financial_of(d).is_some(), |d| _ = financial(d)),
];

/// Whether the object at `path` (one of [`OBJECTS`]) is there; false for other paths.
pub fn has_object(data: &CustomerData, path: &str) -> bool {
    OBJECTS.iter().position(|p| *p == path).is_some_and(|index| has_object_at(data, index))
}

/// [`has_object`] by index in [`OBJECTS`]; false past the end.
pub fn has_object_at(data: &CustomerData, index: usize) -> bool {
    OBJECT_TABLE.get(index).is_some_and(|(_, has, _)| has(data))
}

/// Creates the object at `path` (one of [`OBJECTS`]) and the objects around it, keeping what
/// they hold; false for other paths.
pub fn create_object(data: &mut CustomerData, path: &str) -> bool {
    OBJECTS.iter().position(|p| *p == path).is_some_and(|index| create_object_at(data, index))
}

/// [`create_object`] by index in [`OBJECTS`]; false past the end.
pub fn create_object_at(data: &mut CustomerData, index: usize) -> bool {
    OBJECT_TABLE.get(index).map(|(_, _, create)| create(data)).is_some()
}

fn contact(data: &mut CustomerData) -> &mut ContactData {
    data.contact.get_or_insert_with(ContactData::default)
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

fn personal_of(data: &CustomerData) -> Option<&PersonalData> {
    data.individual.as_ref()?.personal.as_ref()
}

fn address_of(data: &CustomerData) -> Option<&AddressData> {
    personal_of(data)?.address.as_ref()
}

fn official_id_of(data: &CustomerData) -> Option<&OfficialIdData> {
    data.individual.as_ref()?.official_id.as_ref()
}

fn financial_of(data: &CustomerData) -> Option<&FinancialData> {
    data.individual.as_ref()?.financial.as_ref()
}

/// The index in [`TEXT_FIELDS`] of the text field at `path`, if it is one.
fn position(path: &str) -> Option<usize> {
    TEXT_FIELDS.iter().position(|p| *p == path)
}

/// The slot of the text field at `path`, created with the objects around it if missing;
/// `None` for unknown paths. Unlike [`set_field_value`], it holds a value as a request carries
/// it: an empty text stays an empty text.
pub fn slot<'a>(data: &'a mut CustomerData, path: &str) -> Option<&'a mut Option<String>> {
    slot_at(data, position(path)?)
}

/// [`slot`] by index in [`TEXT_FIELDS`]; `None` past the end.
pub fn slot_at(data: &mut CustomerData, index: usize) -> Option<&mut Option<String>> {
    FIELDS.get(index).map(|(_, _, slot)| slot(data))
}

/// The value of the text field at `path` (empty when unset or unknown).
pub fn field_value(data: &CustomerData, path: &str) -> String {
    field(data, path).unwrap_or_default().to_owned()
}

/// The value of the text field at `path` as a request carries it: `None` when unset (or for
/// an unknown path), and an empty text as it is.
pub fn field<'a>(data: &'a CustomerData, path: &str) -> Option<&'a str> {
    field_at(data, position(path)?)
}

/// [`field`] by index in [`TEXT_FIELDS`]; `None` past the end.
pub fn field_at(data: &CustomerData, index: usize) -> Option<&str> {
    FIELDS.get(index).and_then(|(_, get, _)| get(data)).map(String::as_str)
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
    fn a_path_is_inside_the_objects_it_starts_with() {
        assert!(inside(paths::FULL_NAME, paths::INDIVIDUAL));
        assert!(inside(paths::FULL_NAME, paths::PERSONAL));
        assert!(inside(paths::ADDRESS, paths::PERSONAL));
        assert!(!inside(paths::FULL_NAME, paths::ADDRESS));
        assert!(!inside(paths::PERSONAL, paths::PERSONAL), "not inside itself");
        assert!(!inside("individual_cards", paths::INDIVIDUAL), "a longer name is not a child");
        assert!(!inside(paths::EMAIL, paths::INDIVIDUAL));
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

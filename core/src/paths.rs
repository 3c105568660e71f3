//! The request path of every field: error `path`s, flag targets and form element ids all
//! come from here, so a renamed field cannot leave one of them behind.

use crate::i18n::Locale;

/// `contact`: the email and phone.
pub const CONTACT: &str = "contact";
/// `contact.email`.
pub const EMAIL: &str = "contact.email";
/// `contact.phone`.
pub const PHONE: &str = "contact.phone";
/// `individual_cards`.
pub const INDIVIDUAL_CARDS: &str = "individual_cards";
/// `individual`: the whole program block.
pub const INDIVIDUAL: &str = "individual";
/// `individual.personal`: name, birth date, gender and address.
pub const PERSONAL: &str = "individual.personal";
/// Full name.
pub const FULL_NAME: &str = "individual.personal.full_name";
/// Date of birth.
pub const DATE_OF_BIRTH: &str = "individual.personal.date_of_birth";
/// Gender.
pub const GENDER: &str = "individual.personal.gender";
/// The whole address (for flags).
pub const ADDRESS: &str = "individual.personal.address";
/// Address line 1.
pub const ADDRESS_LINE1: &str = "individual.personal.address.line1";
/// Address line 2.
pub const ADDRESS_LINE2: &str = "individual.personal.address.line2";
/// City.
pub const ADDRESS_CITY: &str = "individual.personal.address.city";
/// Region.
pub const ADDRESS_REGION: &str = "individual.personal.address.region";
/// Postal code.
pub const ADDRESS_POSTAL_CODE: &str = "individual.personal.address.postal_code";
/// Country of residence.
pub const ADDRESS_COUNTRY: &str = "individual.personal.address.country";
/// `individual.official_id`: the identity document.
pub const OFFICIAL_ID: &str = "individual.official_id";
/// ID type.
pub const ID_TYPE: &str = "individual.official_id.type";
/// ID number.
pub const ID_NUMBER: &str = "individual.official_id.number";
/// ID issuing country.
pub const ID_ISSUING_COUNTRY: &str = "individual.official_id.issuing_country";
/// ID expiry.
pub const ID_EXPIRES_ON: &str = "individual.official_id.expires_on";
/// `individual.financial`: occupation and expected use.
pub const FINANCIAL: &str = "individual.financial";
/// Occupation.
pub const OCCUPATION: &str = "individual.financial.occupation";
/// Annual salary range.
pub const SALARY_RANGE: &str = "individual.financial.annual_salary_range";
/// Account purpose.
pub const ACCOUNT_PURPOSE: &str = "individual.financial.account_purpose";
/// Expected monthly volume.
pub const MONTHLY_VOLUME: &str = "individual.financial.expected_monthly_volume";

/// The words people read for the field at `path`: form labels, flags, `blocked_by` and the
/// history's reasons. The path itself for a path that is not a field.
pub fn label(path: &str) -> &str {
    label_in(path, Locale::English)
}

/// [`label`] in `locale`.
pub fn label_in(path: &str, locale: Locale) -> &str {
    let (english, spanish) = match path {
        CONTACT => ("Contact details", "Datos de contacto"),
        PERSONAL => ("Personal details", "Datos personales"),
        OFFICIAL_ID => ("Official ID", "Documento de identidad"),
        FINANCIAL => ("Financial information", "Información financiera"),
        EMAIL => ("Email", "Correo electrónico"),
        PHONE => ("Phone", "Teléfono"),
        INDIVIDUAL_CARDS => ("Individual cards", "Tarjetas individuales"),
        FULL_NAME => ("Full name", "Nombre completo"),
        DATE_OF_BIRTH => ("Date of birth", "Fecha de nacimiento"),
        GENDER => ("Gender", "Género"),
        ADDRESS | ADDRESS_LINE1 => ("Address", "Dirección"),
        ADDRESS_LINE2 => ("Address line 2 (optional)", "Dirección, línea 2 (opcional)"),
        ADDRESS_CITY => ("City", "Ciudad"),
        ADDRESS_REGION => ("Region (optional)", "Provincia o región (opcional)"),
        ADDRESS_POSTAL_CODE => ("Postal code", "Código postal"),
        ADDRESS_COUNTRY => ("Country of residence", "País de residencia"),
        ID_TYPE => ("Document type", "Tipo de documento"),
        ID_NUMBER => ("Document number", "Número de documento"),
        ID_ISSUING_COUNTRY => ("Issuing country", "País de expedición"),
        ID_EXPIRES_ON => ("Expiry date", "Fecha de caducidad"),
        OCCUPATION => ("Occupation", "Ocupación"),
        SALARY_RANGE => ("Annual salary", "Salario anual"),
        ACCOUNT_PURPOSE => ("Account purpose", "Finalidad de la cuenta"),
        MONTHLY_VOLUME => ("Expected monthly spending", "Gasto mensual previsto"),
        _ => return path,
    };
    if locale == Locale::Spanish { spanish } else { english }
}

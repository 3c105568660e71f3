//! The sentences of field errors, in every [`Locale`].
//!
//! A [`crate::FieldError`] carries a [`Message`] (what to say, with its numbers and names)
//! rather than a sentence, so the browser, the npm package and the server say the same thing
//! in the language each one was asked for.

use crate::country::Country;
use crate::documents::DocumentKind;
use crate::i18n::Locale;
use crate::review::{FlagCode, FlagTarget};

/// What a field error says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A required value is absent or blank.
    Required,
    /// Control characters or invisible direction marks.
    HiddenCharacters,
    /// Longer than `max` characters.
    AtMostChars {
        /// The most characters allowed.
        max: usize,
    },
    /// Shorter than `min` characters.
    AtLeastChars {
        /// The fewest characters allowed.
        min: usize,
    },
    /// Not an email address.
    EmailFormat,
    /// Not an international phone number.
    PhoneFormat,
    /// A name with characters names do not have.
    NameCharacters,
    /// Not a `YYYY-MM-DD` date that exists.
    DateFormat,
    /// A date of birth after today.
    BirthInFuture,
    /// Younger than `years`.
    TooYoung {
        /// The minimum age.
        years: u32,
    },
    /// Older than `years`.
    TooOld {
        /// The maximum plausible age.
        years: u32,
    },
    /// Not an ISO 3166-1 alpha-2 code.
    CountryCode,
    /// Not a postal code of `country`; `formats` lists the accepted shapes (`9` a digit,
    /// `A` a letter), when known.
    PostalCode {
        /// The country of the address.
        country: Country,
        /// The accepted shapes.
        formats: Option<&'static [&'static str]>,
    },
    /// Program data missing on an enrolled customer.
    IndividualRequired,
    /// Program data sent for a customer who is not enrolled.
    IndividualNotAllowed,
    /// An attempt to leave the card program.
    CannotDisable,
    /// A document number with characters documents do not print.
    IdCharacters,
    /// A document number of the wrong shape for its type and country.
    IdShape(IdShape),
    /// A passport number of the wrong length.
    PassportNumber,
    /// A document number of the wrong length.
    DocumentNumber {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
    /// A check letter that does not match its number.
    CheckLetter,
    /// An expired identity document.
    Expired,
    /// A value outside a closed list.
    ChooseOneOf(Vec<&'static str>),
    /// A webhook without a URL.
    WebhookUrlRequired,
    /// A webhook URL kycard will not deliver to.
    WebhookUrl(UrlProblem),
    /// A webhook without event types.
    EventsRequired,
    /// An unknown event type.
    UnknownEvent(Vec<&'static str>),
    /// An upload without its kind.
    DocumentKindRequired,
    /// An upload of a kind this customer does not need.
    DocumentNotNeeded(DocumentKind),
    /// A proof of address without its issue date.
    IssueDateRequired,
    /// An upload without a file.
    FileRequired,
    /// An empty file.
    FileEmpty,
    /// A file over the size limit.
    FileTooLarge {
        /// The limit in MiB.
        max_mib: u64,
    },
    /// A file whose content is none of the accepted types.
    FileNotADocument,
    /// A picture that cannot be decoded.
    PictureUnreadable,
    /// A proof of address that is not current.
    ProofOfAddress(crate::documents::ProofOfAddressError),
    /// A sign-in with an unknown email or a wrong password.
    WrongCredentials,
    /// Too many attempts, and when to try again.
    TryAgainIn {
        /// Seconds to wait.
        seconds: u64,
    },
    /// A credential holding as many event streams open as it may.
    StreamsOpen {
        /// Streams allowed at once.
        limit: u32,
    },
    /// A change to a customer that changed since it was read.
    VersionNow {
        /// The customer's version now.
        current: i64,
    },
    /// An approval with flags.
    ApprovalWithFlags,
    /// A rejection without flags.
    RejectionWithoutFlags,
    /// A flag code that does not fit its target.
    FlagDoesNotFit(FlagCode, FlagTarget),
    /// A flag on a document the customer does not have.
    NothingToFlag(DocumentKind),
}

/// The shapes of national document numbers kycard knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdShape {
    /// Spanish passport: `AAA999999`.
    SpanishPassport,
    /// British passport: `999999999`.
    NineDigits,
    /// US passport: `999999999` or `A99999999`.
    UsPassport,
    /// Italian identity card: `AA99999AA`.
    ItalianId,
    /// Spanish DNI: `12345678Z`.
    Dni,
    /// Spanish NIE: `X1234567L`.
    Nie,
}

/// Why a webhook URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlProblem {
    /// Over 2048 characters.
    TooLong,
    /// Not an absolute URL.
    NotAbsolute,
    /// User name or password in the URL.
    Credentials,
    /// A `#fragment`.
    Fragment,
    /// No host.
    NoHost,
    /// A loopback address outside a sandbox.
    LoopbackOutsideSandbox,
    /// A private or reserved address.
    Private,
    /// `http://` where only `https://` is allowed.
    PlainHttp,
    /// Neither `https://` nor `http://`.
    NotHttps,
}

impl Message {
    /// The sentence in `locale`.
    #[allow(clippy::too_many_lines)] // a catalogue: one arm per message, read top to bottom
    pub fn text(&self, locale: Locale) -> String {
        let es = locale == Locale::Spanish;
        let pick = |en: &str, sp: &str| if es { sp.to_owned() } else { en.to_owned() };
        match self {
            Self::Required => pick("This field is required.", "Este campo es obligatorio."),
            Self::HiddenCharacters => pick(
                "Control characters and invisible direction marks are not allowed.",
                "No se admiten caracteres de control ni marcas de dirección invisibles.",
            ),
            Self::AtMostChars { max } => {
                if es {
                    format!("Debe tener como máximo {max} caracteres.")
                } else {
                    format!("Must be at most {max} characters.")
                }
            }
            Self::AtLeastChars { min } => {
                if es {
                    format!("Debe tener al menos {min} caracteres.")
                } else {
                    format!("Must be at least {min} characters.")
                }
            }
            Self::EmailFormat => pick(
                "Enter an email address like name@example.com.",
                "Escribe una dirección de correo como nombre@example.com.",
            ),
            Self::PhoneFormat => pick(
                "Enter the number in international format, starting with + and the country code, e.g. +34600111222.",
                "Escribe el número en formato internacional, empezando por + y el prefijo del país, p. ej. +34600111222.",
            ),
            Self::NameCharacters => pick(
                "Use letters, spaces, apostrophes, hyphens and dots only.",
                "Usa solo letras, espacios, apóstrofos, guiones y puntos.",
            ),
            Self::DateFormat => pick("Enter a real date as YYYY-MM-DD.", "Escribe una fecha real como AAAA-MM-DD."),
            Self::BirthInFuture => {
                pick("The date of birth cannot be in the future.", "La fecha de nacimiento no puede ser futura.")
            }
            Self::TooYoung { years } => {
                if es {
                    format!("El cliente debe tener al menos {years} años.")
                } else {
                    format!("The customer must be at least {years} years old.")
                }
            }
            Self::TooOld { years } => {
                if es {
                    format!("Revisa el año: el cliente tendría más de {years} años.")
                } else {
                    format!("Check the year: the customer would be over {years} years old.")
                }
            }
            Self::CountryCode => pick(
                "Choose a country (ISO 3166-1 two-letter code, e.g. ES).",
                "Elige un país (código ISO 3166-1 de dos letras, p. ej. ES).",
            ),
            Self::PostalCode { country, formats } => {
                let name = country.name_in(locale);
                match formats {
                    Some(formats) => {
                        let shapes = formats
                            .iter()
                            .map(|f| f.replace('9', "0").replace('X', "A"))
                            .collect::<Vec<_>>()
                            .join(if es { " o " } else { " or " });
                        if es {
                            format!("No es un código postal válido de {name}: se espera {shapes}.")
                        } else {
                            format!("Not a valid postal code for {name}: expected {shapes}.")
                        }
                    }
                    None if es => format!("No es un código postal válido de {name}."),
                    None => format!("Not a valid postal code for {name}."),
                }
            }
            Self::IndividualRequired => pick(
                "Personal details, official ID and financial information are required for individual cards.",
                "Las tarjetas individuales requieren datos personales, documento de identidad e información financiera.",
            ),
            Self::IndividualNotAllowed => pick(
                "Leave this out unless individual cards are enabled.",
                "Déjalo vacío salvo que las tarjetas individuales estén activadas.",
            ),
            Self::CannotDisable => pick(
                "Individual cards cannot be turned off once enabled.",
                "Las tarjetas individuales no se pueden desactivar una vez activadas.",
            ),
            Self::IdCharacters => pick(
                "Use only the letters A–Z and digits printed on the document.",
                "Usa solo las letras A–Z y los dígitos impresos en el documento.",
            ),
            Self::IdShape(shape) => shape.text(locale).to_owned(),
            Self::PassportNumber => pick(
                "A passport number has 6 to 9 letters and digits, as printed on the photo page.",
                "Un número de pasaporte tiene de 6 a 9 letras y dígitos, como en la página de la foto.",
            ),
            Self::DocumentNumber { min, max } => {
                if es {
                    format!("Un número de documento tiene de {min} a {max} letras y dígitos.")
                } else {
                    format!("A document number has {min} to {max} letters and digits.")
                }
            }
            Self::CheckLetter => pick(
                "The check letter does not match the number: check for a typing mistake.",
                "La letra de control no corresponde al número: revisa si hay un error al escribirlo.",
            ),
            Self::Expired => {
                pick("This document has expired; use a current one.", "Este documento ha caducado; usa uno vigente.")
            }
            Self::ChooseOneOf(allowed) => {
                let list = allowed.join(", ");
                if es { format!("Elige uno de: {list}.") } else { format!("Choose one of: {list}.") }
            }
            Self::WebhookUrlRequired => {
                pick("Give the URL to deliver events to.", "Indica la URL a la que enviar los eventos.")
            }
            Self::WebhookUrl(problem) => problem.text(locale).to_owned(),
            Self::EventsRequired => pick("Choose at least one event type.", "Elige al menos un tipo de evento."),
            Self::UnknownEvent(known) => {
                let list = known.join(", ");
                if es {
                    format!("Tipo de evento desconocido; elige entre {list}.")
                } else {
                    format!("Unknown event type; choose from {list}.")
                }
            }
            Self::DocumentKindRequired => pick("Say which document this is.", "Indica qué documento es."),
            Self::DocumentNotNeeded(kind) => {
                let label = kind.label_in(locale);
                if es {
                    format!("Este cliente no necesita este documento: {label}.")
                } else {
                    format!("This customer does not need a {label}.")
                }
            }
            Self::IssueDateRequired => pick(
                "Give the date printed on the proof of address.",
                "Indica la fecha impresa en el justificante de domicilio.",
            ),
            Self::FileRequired => pick("Attach the file.", "Adjunta el archivo."),
            Self::FileEmpty => pick("The file is empty.", "El archivo está vacío."),
            Self::FileTooLarge { max_mib } => {
                if es {
                    format!("El archivo supera los {max_mib} MiB.")
                } else {
                    format!("The file is larger than {max_mib} MiB.")
                }
            }
            Self::FileNotADocument => pick(
                "The file is not a JPEG, PNG, WebP or PDF (judged from its content, not its name).",
                "El archivo no es JPEG, PNG, WebP ni PDF (a juzgar por su contenido, no por su nombre).",
            ),
            Self::PictureUnreadable => pick(
                "This picture cannot be opened: it may be damaged or incomplete.",
                "No se puede abrir esta imagen: puede estar dañada o incompleta.",
            ),
            Self::WrongCredentials => pick("Wrong email or password.", "Correo o contraseña incorrectos."),
            Self::TryAgainIn { seconds } => {
                let wait = wait_in_words(*seconds, locale);
                if es {
                    format!("Demasiados intentos; vuelve a intentarlo dentro de {wait}.")
                } else {
                    format!("Too many attempts; try again in {wait}.")
                }
            }
            Self::StreamsOpen { limit } => {
                if es {
                    format!(
                        "Esta credencial ya tiene {limit} flujos de eventos abiertos; cierra uno antes de abrir otro."
                    )
                } else {
                    format!("This credential already has {limit} event streams open; close one before opening another.")
                }
            }
            Self::VersionNow { current } => {
                if es {
                    format!(
                        "El cliente ha cambiado desde que lo leíste (ahora es la versión {current}). Recarga y vuelve a intentarlo."
                    )
                } else {
                    format!("The customer was changed since you read it (now version {current}). Reload and try again.")
                }
            }
            Self::ProofOfAddress(crate::documents::ProofOfAddressError::IssuedInFuture) => {
                pick("The issue date is in the future.", "La fecha de emisión es futura.")
            }
            Self::ProofOfAddress(crate::documents::ProofOfAddressError::Outdated) => {
                let months = crate::documents::PROOF_OF_ADDRESS_MAX_AGE_MONTHS;
                if es {
                    format!("El documento se emitió hace más de {months} meses.")
                } else {
                    format!("The document was issued more than {months} months ago.")
                }
            }
            Self::ApprovalWithFlags => pick("An approval carries no flags.", "Una aprobación no lleva marcas."),
            Self::RejectionWithoutFlags => pick(
                "Say what must be corrected: at least one flag.",
                "Indica qué hay que corregir: al menos una marca.",
            ),
            Self::FlagDoesNotFit(code, target) => {
                let what = target.label_in(locale);
                if es {
                    format!("`{code}` no describe {what}: elige otro código.")
                } else {
                    format!("`{code}` does not describe {what}: choose another code.")
                }
            }
            Self::NothingToFlag(kind) => {
                let label = kind.label_in(locale);
                if es {
                    format!("El cliente no tiene este documento que marcar: {label}.")
                } else {
                    format!("The customer has no {label} to flag.")
                }
            }
        }
    }
}

/// English, for the terminal and logs (people in the app and the API get their locale).
/// A wait as a person reads it: seconds under two minutes, whole minutes (rounded up) beyond.
fn wait_in_words(seconds: u64, locale: Locale) -> String {
    let (second, seconds_word, minutes_word) = match locale {
        Locale::English => ("second", "seconds", "minutes"),
        Locale::Spanish => ("segundo", "segundos", "minutos"),
    };
    match seconds {
        1 => format!("1 {second}"),
        0..120 => format!("{seconds} {seconds_word}"),
        _ => format!("{} {minutes_word}", seconds.div_ceil(60)),
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Locale::English))
    }
}

impl IdShape {
    /// The sentence in `locale`.
    pub const fn text(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::SpanishPassport, Locale::English) => "Expected 3 letters and 6 digits.",
            (Self::SpanishPassport, Locale::Spanish) => "Se esperan 3 letras y 6 dígitos.",
            (Self::NineDigits, Locale::English) => "Expected 9 digits.",
            (Self::NineDigits, Locale::Spanish) => "Se esperan 9 dígitos.",
            (Self::UsPassport, Locale::English) => "Expected 9 digits, or a letter and 8 digits.",
            (Self::UsPassport, Locale::Spanish) => "Se esperan 9 dígitos, o una letra y 8 dígitos.",
            (Self::ItalianId, Locale::English) => "Expected 2 letters, 5 digits and 2 letters.",
            (Self::ItalianId, Locale::Spanish) => "Se esperan 2 letras, 5 dígitos y 2 letras.",
            (Self::Dni, Locale::English) => "Expected 8 digits and a check letter (e.g. 12345678Z).",
            (Self::Dni, Locale::Spanish) => "Se esperan 8 dígitos y una letra de control (p. ej. 12345678Z).",
            (Self::Nie, Locale::English) => "Expected X, Y or Z, 7 digits and a check letter (e.g. X1234567L).",
            (Self::Nie, Locale::Spanish) => "Se esperan X, Y o Z, 7 dígitos y una letra de control (p. ej. X1234567L).",
        }
    }
}

impl UrlProblem {
    /// The sentence in `locale`.
    pub const fn text(self, locale: Locale) -> &'static str {
        match (self, locale) {
            (Self::TooLong, Locale::English) => "The URL is longer than 2048 characters.",
            (Self::TooLong, Locale::Spanish) => "La URL tiene más de 2048 caracteres.",
            (Self::NotAbsolute, Locale::English) => "This is not an absolute URL.",
            (Self::NotAbsolute, Locale::Spanish) => "No es una URL absoluta.",
            (Self::Credentials, Locale::English) => "Do not put a user name or password in the URL.",
            (Self::Credentials, Locale::Spanish) => "No pongas un usuario ni una contraseña en la URL.",
            (Self::Fragment, Locale::English) => "A URL fragment (#…) is never sent; remove it.",
            (Self::Fragment, Locale::Spanish) => "El fragmento de una URL (#…) nunca se envía; quítalo.",
            (Self::NoHost, Locale::English) => "The URL needs a host name.",
            (Self::NoHost, Locale::Spanish) => "La URL necesita un nombre de host.",
            (Self::LoopbackOutsideSandbox, Locale::English) => {
                "Loopback addresses are allowed only in sandbox organizations."
            }
            (Self::LoopbackOutsideSandbox, Locale::Spanish) => {
                "Las direcciones de loopback solo se admiten en organizaciones de pruebas."
            }
            (Self::Private, Locale::English) => "Private and reserved addresses cannot receive webhooks.",
            (Self::Private, Locale::Spanish) => "Las direcciones privadas y reservadas no pueden recibir webhooks.",
            (Self::PlainHttp, Locale::English) => {
                "Use https://. Plain http:// is accepted only for loopback addresses in sandbox organizations."
            }
            (Self::PlainHttp, Locale::Spanish) => {
                "Usa https://. http:// solo se admite para direcciones de loopback en organizaciones de pruebas."
            }
            (Self::NotHttps, Locale::English) => "The URL must start with https://.",
            (Self::NotHttps, Locale::Spanish) => "La URL debe empezar por https://.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_as_a_person_reads_it() {
        for (seconds, en, es) in [
            (1, "1 second", "1 segundo"),
            (45, "45 seconds", "45 segundos"),
            (119, "119 seconds", "119 segundos"),
            (120, "2 minutes", "2 minutos"),
            (899, "15 minutes", "15 minutos"),
        ] {
            assert_eq!(wait_in_words(seconds, Locale::English), en);
            assert_eq!(wait_in_words(seconds, Locale::Spanish), es);
        }
        assert_eq!(
            Message::TryAgainIn { seconds: 900 }.text(Locale::Spanish),
            "Demasiados intentos; vuelve a intentarlo dentro de 15 minutos."
        );
    }

    #[test]
    fn every_message_reads_differently_in_each_language() {
        let samples = [
            Message::Required,
            Message::AtMostChars { max: 5 },
            Message::PostalCode { country: Country::try_from("ES").unwrap(), formats: Some(&["99999"]) },
            Message::IdShape(IdShape::Dni),
            Message::WebhookUrl(UrlProblem::PlainHttp),
            Message::DocumentNotNeeded(DocumentKind::Passport),
            Message::FileTooLarge { max_mib: 10 },
            Message::FileNotADocument,
            Message::PictureUnreadable,
            Message::ProofOfAddress(crate::documents::ProofOfAddressError::Outdated),
            Message::ProofOfAddress(crate::documents::ProofOfAddressError::IssuedInFuture),
            Message::WrongCredentials,
            Message::TryAgainIn { seconds: 900 },
            Message::StreamsOpen { limit: 4 },
            Message::VersionNow { current: 3 },
        ];
        for message in samples {
            let (en, es) = (message.text(Locale::English), message.text(Locale::Spanish));
            assert!(!en.is_empty() && !es.is_empty() && en != es, "{message:?}");
        }
        assert_eq!(
            Message::PostalCode { country: Country::try_from("ES").unwrap(), formats: Some(&["99999"]) }
                .text(Locale::Spanish),
            "No es un código postal válido de España: se espera 00000."
        );
    }
}

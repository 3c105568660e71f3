//! Where a customer stands, in words, in each [`Locale`]: the status people see on a badge,
//! what it means with what to do next, and what stands in the way of a card. The web app and
//! the npm package say exactly this.

use crate::documents::{DocumentKind, Renewal};
use crate::i18n::Locale;
use crate::status::{CustomerStatus, ReviewStage};
use crate::wire::Customer;

/// The words of a status badge; `None` is a customer outside the card program.
pub const fn badge(status: Option<CustomerStatus>, locale: Locale) -> &'static str {
    match status {
        Some(status) => status.label_in(locale),
        None => match locale {
            Locale::English => "No card program",
            Locale::Spanish => "Sin programa de tarjetas",
        },
    }
}

/// A `blocked_by` entry (`document:<kind>`, `field:<path>`, `review:<stage>`, ...) in words.
pub fn blocker(entry: &str, locale: Locale) -> String {
    let es = locale == Locale::Spanish;
    if let Some(kind) = entry.strip_prefix("document:") {
        let label = DocumentKind::parse(kind).map_or(kind, |k| k.label_in(locale));
        return if es {
            format!("{label}: falta o hay que volver a subirlo")
        } else {
            format!("{label} is missing or must be uploaded again")
        };
    }
    if let Some(path) = entry.strip_prefix("field:") {
        let label = crate::paths::label_in(path, locale);
        return if es { format!("{label}: hay que corregirlo") } else { format!("{label} must be corrected") };
    }
    let (en, sp) = match entry {
        "review:awaiting_documents" => ("documents are still missing", "aún faltan documentos"),
        "review:automatic" => ("the automatic review is still running", "la revisión automática sigue en curso"),
        "review:manual" => ("a reviewer has not decided yet", "un revisor aún no ha decidido"),
        "review:final" => ("the rejection is final", "el rechazo es definitivo"),
        "review:rejected" => ("the application was rejected", "la solicitud fue rechazada"),
        "renewal:official_id" => (
            "the identity document has expired and its renewal is not approved yet",
            "el documento de identidad ha caducado y su renovación aún no está aprobada",
        ),
        other => (other, other),
    };
    (if es { sp } else { en }).to_owned()
}

/// The renewal an active customer owes, in words.
pub fn renewal(renewal: &Renewal, locale: Locale) -> String {
    let day = renewal.expires_on;
    match (locale, renewal.expired) {
        (Locale::English, true) => format!(
            "The identity document expired on {day}: upload a renewed one and enter its new expiry date. \
             New cards wait for its review; issued cards keep working."
        ),
        (Locale::English, false) => {
            format!("The identity document expires on {day}: upload a renewed one and enter its new expiry date.")
        }
        (Locale::Spanish, true) => format!(
            "El documento de identidad caducó el {day}: sube uno renovado e indica su nueva fecha de caducidad. \
             Las tarjetas nuevas esperan a su revisión; las ya emitidas siguen funcionando."
        ),
        (Locale::Spanish, false) => format!(
            "El documento de identidad caduca el {day}: sube uno renovado e indica su nueva fecha de caducidad."
        ),
    }
}

/// What the customer's status means and what to do next: a heading and a sentence or two.
pub fn status(customer: &Customer, locale: Locale) -> (&'static str, String) {
    let stage = customer.review.as_ref().map(|r| r.stage);
    let resubmittable = customer.review.as_ref().is_none_or(|r| r.resubmittable);
    let es = locale == Locale::Spanish;
    let say = |en: (&'static str, &'static str), sp: (&'static str, &'static str)| {
        let (heading, text) = if es { sp } else { en };
        (heading, text.to_owned())
    };
    match (customer.status, stage) {
        (None, _) => say(
            (
                "Not in the card program",
                "This customer has contact details only. Enrol them in individual cards to collect what the program needs.",
            ),
            (
                "Fuera del programa de tarjetas",
                "Este cliente solo tiene datos de contacto. Dalo de alta en tarjetas individuales para recoger lo que pide el programa.",
            ),
        ),
        (Some(CustomerStatus::Active), _) => match customer.renewal {
            Some(due) if due.expired => (if es { "Aprobado" } else { "Approved" }, renewal(&due, locale)),
            _ => say(
                ("Approved", "Every check passed. You can issue a card to this customer."),
                ("Aprobado", "Todas las comprobaciones son correctas. Puedes emitir una tarjeta a este cliente."),
            ),
        },
        (Some(CustomerStatus::Rejected), _) if !resubmittable => say(
            (
                "Rejected for good",
                "The review found a problem that cannot be corrected (for example an altered document). No card can be issued.",
            ),
            (
                "Rechazado definitivamente",
                "La revisión encontró un problema que no se puede corregir (por ejemplo, un documento alterado). No se puede emitir ninguna tarjeta.",
            ),
        ),
        (Some(CustomerStatus::Rejected), _) => say(
            (
                "Rejected: corrections needed",
                "Upload the documents and correct the details marked below. Their review starts again by itself.",
            ),
            (
                "Rechazado: hay que corregir",
                "Sube los documentos y corrige los datos marcados abajo. Su revisión empieza de nuevo por sí sola.",
            ),
        ),
        (Some(CustomerStatus::Pending), Some(ReviewStage::AwaitingDocuments)) => say(
            (
                "Pending: documents needed",
                "Upload every document in the checklist below. The review starts as soon as the last one arrives.",
            ),
            (
                "Pendiente: faltan documentos",
                "Sube todos los documentos de la lista de abajo. La revisión empieza en cuanto llega el último.",
            ),
        ),
        (Some(CustomerStatus::Pending), Some(ReviewStage::Manual)) => say(
            (
                "Pending: with a reviewer",
                "A reviewer is looking at the documents. This page updates by itself when they decide.",
            ),
            (
                "Pendiente: con un revisor",
                "Un revisor está mirando los documentos. Esta página se actualiza sola cuando decida.",
            ),
        ),
        (Some(CustomerStatus::Pending), _) => say(
            (
                "Pending: automatic review",
                "The documents are being checked, usually within seconds. This page updates by itself.",
            ),
            (
                "Pendiente: revisión automática",
                "Se están comprobando los documentos, normalmente en segundos. Esta página se actualiza sola.",
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blockers_read_in_both_languages() {
        assert_eq!(
            blocker("document:passport", Locale::English),
            "Passport (photo page) is missing or must be uploaded again"
        );
        assert_eq!(
            blocker("field:individual.personal.full_name", Locale::Spanish),
            "Nombre completo: hay que corregirlo"
        );
        assert_eq!(blocker("review:manual", Locale::Spanish), "un revisor aún no ha decidido");
        assert_eq!(blocker("something:else", Locale::Spanish), "something:else");
        assert_eq!(badge(None, Locale::Spanish), "Sin programa de tarjetas");
        assert_eq!(badge(Some(CustomerStatus::Rejected), Locale::Spanish), "Rechazado");
    }
}

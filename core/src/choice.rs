//! A macro for the closed vocabularies of the API (genders, ID types, salary ranges, ...).
//!
//! Each vocabulary needs the same things: a wire name (serde), a label for the UI in each
//! language of [`crate::i18n::Locale`], the full list (for `<select>`s and tests) and parsing
//! from the wire name. Writing those by
//! hand for fifteen enums would be fifteen chances to let them drift apart.

/// Declares a `Copy` enum whose variants have a stable wire name and a label in English and
/// in Spanish (`Variant = "wire" => "English" / "Español"`).
macro_rules! choice_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $variant:ident = $wire:literal => $label:literal / $spanish:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(
                #[doc = $label]
                #[serde(rename = $wire)]
                $variant,
            )+
        }

        impl $name {
            /// Every value, in the order the API documents them.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value's name on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $wire),+ }
            }

            /// The English label shown to people.
            pub const fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// The label shown to people in `locale`.
            pub const fn label_in(self, locale: $crate::i18n::Locale) -> &'static str {
                match locale {
                    $crate::i18n::Locale::English => self.label(),
                    $crate::i18n::Locale::Spanish => match self { $(Self::$variant => $spanish),+ },
                }
            }

            /// Parses a wire name; `None` for anything else (exact, case-sensitive match).
            pub fn parse(wire: &str) -> Option<Self> {
                match wire { $($wire => Some(Self::$variant),)+ _ => None }
            }
        }

        // Written by hand: the derive cannot see `serde(rename)` values passed through a macro.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($wire),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

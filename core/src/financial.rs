//! Financial information: occupation, salary range, account purpose and expected volume.

use crate::field_error::{FieldError, ValidationErrors, required_text};
use crate::official_id::invalid_choice;
use crate::paths;
use crate::wire::FinancialData;
use serde::Serialize;

choice_enum! {
    /// What the customer does for a living.
    pub enum Occupation {
        Employee = "employee" => "Employee" / "Empleado por cuenta ajena",
        Engineer = "engineer" => "Engineer" / "Ingeniería",
        Healthcare = "healthcare" => "Healthcare" / "Sanidad",
        Education = "education" => "Education" / "Educación",
        Finance = "finance" => "Finance" / "Finanzas",
        Legal = "legal" => "Legal" / "Derecho",
        Sales = "sales" => "Sales" / "Ventas",
        Hospitality = "hospitality" => "Hospitality" / "Hostelería",
        Construction = "construction" => "Construction" / "Construcción",
        PublicSector = "public_sector" => "Public sector" / "Sector público",
        SelfEmployed = "self_employed" => "Self-employed" / "Autónomo",
        BusinessOwner = "business_owner" => "Business owner" / "Empresario",
        Student = "student" => "Student" / "Estudiante",
        Retired = "retired" => "Retired" / "Jubilado",
        Unemployed = "unemployed" => "Unemployed" / "Desempleado",
        Other = "other" => "Other" / "Otra",
    }
}

choice_enum! {
    /// Gross yearly income band, in euros or the local equivalent.
    pub enum SalaryRange {
        Below25k = "below_25k" => "Below 25,000" / "Menos de 25.000",
        From25kTo50k = "25k_50k" => "25,000 – 50,000" / "25.000 – 50.000",
        From50kTo100k = "50k_100k" => "50,000 – 100,000" / "50.000 – 100.000",
        From100kTo200k = "100k_200k" => "100,000 – 200,000" / "100.000 – 200.000",
        Above200k = "above_200k" => "Above 200,000" / "Más de 200.000",
    }
}

choice_enum! {
    /// What the customer means to use the card for.
    pub enum AccountPurpose {
        EverydaySpending = "everyday_spending" => "Everyday spending" / "Gastos del día a día",
        Travel = "travel" => "Travel" / "Viajes",
        OnlinePurchases = "online_purchases" => "Online purchases" / "Compras en línea",
        BusinessExpenses = "business_expenses" => "Business expenses" / "Gastos de empresa",
        BillsAndSubscriptions = "bills_and_subscriptions" => "Bills and subscriptions" / "Recibos y suscripciones",
        Other = "other" => "Other" / "Otro",
    }
}

choice_enum! {
    /// How much the customer expects to spend per month.
    pub enum MonthlyVolume {
        Below1k = "below_1k" => "Below 1,000" / "Menos de 1.000",
        From1kTo5k = "1k_5k" => "1,000 – 5,000" / "1.000 – 5.000",
        From5kTo20k = "5k_20k" => "5,000 – 20,000" / "5.000 – 20.000",
        Above20k = "above_20k" => "Above 20,000" / "Más de 20.000",
    }
}

/// The checked financial profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Financial {
    /// Occupation.
    pub occupation: Occupation,
    /// Annual salary band.
    pub annual_salary_range: SalaryRange,
    /// Main use of the card.
    pub account_purpose: AccountPurpose,
    /// Expected spend per month.
    pub expected_monthly_volume: MonthlyVolume,
}

/// Parses the financial block, recording every problem.
pub fn parse_financial(data: &FinancialData, errors: &mut ValidationErrors) -> Option<Financial> {
    let occupation =
        errors.collect(choice(paths::OCCUPATION, data.occupation.as_deref(), Occupation::ALL, Occupation::as_str));
    let annual_salary_range = errors.collect(choice(
        paths::SALARY_RANGE,
        data.annual_salary_range.as_deref(),
        SalaryRange::ALL,
        SalaryRange::as_str,
    ));
    let account_purpose = errors.collect(choice(
        paths::ACCOUNT_PURPOSE,
        data.account_purpose.as_deref(),
        AccountPurpose::ALL,
        AccountPurpose::as_str,
    ));
    let expected_monthly_volume = errors.collect(choice(
        paths::MONTHLY_VOLUME,
        data.expected_monthly_volume.as_deref(),
        MonthlyVolume::ALL,
        MonthlyVolume::as_str,
    ));
    Some(Financial {
        occupation: occupation?,
        annual_salary_range: annual_salary_range?,
        account_purpose: account_purpose?,
        expected_monthly_volume: expected_monthly_volume?,
    })
}

/// Parses a required value of a closed vocabulary.
pub(crate) fn choice<T: Copy>(
    path: &'static str,
    raw: Option<&str>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, FieldError> {
    let raw = required_text(path, raw)?;
    all.iter().copied().find(|v| name(*v) == raw).ok_or_else(|| invalid_choice(path, all.iter().map(|v| name(*v))))
}

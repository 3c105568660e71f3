//! How much scrutiny a profile gets: a score in points from the profile alone, each point
//! with its reason, so a reviewer and the history can say why.
//!
//! | factor | points |
//! |---|---|
//! | expected monthly volume above 20,000 | 50 |
//! | the least the customer expects to spend in a year is over twice the most they earn | 50 |
//! | … over what they earn (but not twice) | 20 |
//! | account purpose: business expenses / other | 15 / 10 |
//! | residence or ID issuer in a FATF "call for action" jurisdiction (KP, IR, MM) | 50 |
//! | ID issued by another country than the one of residence | 10 |
//! | identity document: driver's license / residence permit | 15 / 5 |
//!
//! A profile scoring [`HIGH_RISK_POINTS`] or more is high risk: ID-card holders add a passport
//! and a reviewer decides.

use crate::customer::Individual;
use crate::financial::{AccountPurpose, MonthlyVolume, SalaryRange};
use crate::official_id::IdType;

/// The score from which a profile is high risk.
pub const HIGH_RISK_POINTS: u32 = 50;

/// Jurisdictions the FATF calls to act against (its "black list", unchanged since 2020).
pub const CALL_FOR_ACTION: &[&str] = &["IR", "KP", "MM"];

choice_enum! {
    /// How much scrutiny a profile gets.
    pub enum RiskLevel {
        Standard = "standard" => "Standard" / "Estándar",
        High = "high" => "High" / "Alto",
    }
}

/// A profile's score and what made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskScore {
    /// The sum of the factors.
    pub points: u32,
    /// Each factor that counted, with its points.
    pub reasons: Vec<(u32, &'static str)>,
}

impl RiskScore {
    /// Standard or high.
    pub fn level(&self) -> RiskLevel {
        if self.points >= HIGH_RISK_POINTS { RiskLevel::High } else { RiskLevel::Standard }
    }

    /// The reasons in words, e.g. `50: monthly volume above 20,000; 15: business expenses`.
    pub fn describe(&self) -> String {
        if self.reasons.is_empty() {
            return "no risk factor".to_owned();
        }
        self.reasons.iter().map(|(points, why)| format!("{points}: {why}")).collect::<Vec<_>>().join("; ")
    }
}

/// The least a customer in this range expects to spend in a year.
const fn least_yearly_spend(volume: MonthlyVolume) -> u32 {
    12 * match volume {
        MonthlyVolume::Below1k => 0,
        MonthlyVolume::From1kTo5k => 1_000,
        MonthlyVolume::From5kTo20k => 5_000,
        MonthlyVolume::Above20k => 20_000,
    }
}

/// The most a customer in this range earns in a year (`None`: no upper bound).
const fn most_yearly_income(salary: SalaryRange) -> Option<u32> {
    match salary {
        SalaryRange::Below25k => Some(25_000),
        SalaryRange::From25kTo50k => Some(50_000),
        SalaryRange::From50kTo100k => Some(100_000),
        SalaryRange::From100kTo200k => Some(200_000),
        SalaryRange::Above200k => None,
    }
}

/// Scores a profile (see the module's documentation for the table).
pub fn risk_score(individual: &Individual) -> RiskScore {
    let financial = &individual.financial;
    let mut reasons = Vec::new();
    if financial.expected_monthly_volume == MonthlyVolume::Above20k {
        reasons.push((50, "monthly volume above 20,000"));
    }
    let spend = least_yearly_spend(financial.expected_monthly_volume);
    match most_yearly_income(financial.annual_salary_range) {
        Some(income) if spend > 2 * income => reasons.push((50, "yearly spending over twice the income")),
        Some(income) if spend > income => reasons.push((20, "yearly spending over the income")),
        _ => {}
    }
    match financial.account_purpose {
        AccountPurpose::BusinessExpenses => reasons.push((15, "business expenses on an individual card")),
        AccountPurpose::Other => reasons.push((10, "account purpose not stated")),
        _ => {}
    }
    let residence = individual.personal.address.country.code();
    let issuer = individual.official_id.issuing_country.code();
    if CALL_FOR_ACTION.contains(&residence) || CALL_FOR_ACTION.contains(&issuer) {
        reasons.push((50, "a FATF call-for-action jurisdiction"));
    }
    if residence != issuer {
        reasons.push((10, "ID issued by another country than the residence"));
    }
    match individual.official_id.id_type {
        IdType::DriversLicense => reasons.push((15, "a driver's license as identity document")),
        IdType::ResidencePermit => reasons.push((5, "a residence permit as identity document")),
        IdType::Passport | IdType::NationalId => {}
    }
    RiskScore { points: reasons.iter().map(|(points, _)| points).sum(), reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_factor_says_why_and_the_level_follows_the_sum() {
        let none = RiskScore { points: 0, reasons: Vec::new() };
        assert_eq!((none.level(), none.describe()), (RiskLevel::Standard, "no risk factor".to_owned()));
        let high = RiskScore { points: 50, reasons: vec![(35, "a"), (15, "b")] };
        assert_eq!((high.level(), high.describe()), (RiskLevel::High, "35: a; 15: b".to_owned()));
        // The least spent in a year against the most earned.
        assert_eq!(least_yearly_spend(MonthlyVolume::From5kTo20k), 60_000);
        assert_eq!(most_yearly_income(SalaryRange::Above200k), None);
    }
}

//! How long core takes to validate a whole customer: the browser runs this on every keystroke
//! and the server on every request. `cargo xtask bench` prints ns per profile.

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use kycard_core::customer::validate_customer;
use kycard_core::wire::CustomerData;
use std::hint::black_box;

const VALID: &str = r#"{
  "contact": {"email": "ana@example.com", "phone": "+34 600 111 222"},
  "individual_cards": true,
  "individual": {
    "personal": {"full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
      "address": {"line1": "Calle Mayor 1", "line2": "3ºB", "city": "Madrid", "region": "Madrid",
                  "postal_code": "28013", "country": "ES"}},
    "official_id": {"type": "national_id", "number": "12345678-Z", "issuing_country": "ES", "expires_on": "2031-05-20"},
    "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                  "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}
  }
}"#;

/// Every section has mistakes, so every error path runs and every message is built.
const INVALID: &str = r#"{
  "contact": {"email": "ana@@example", "phone": "600111222"},
  "individual_cards": true,
  "individual": {
    "personal": {"full_name": "R2D2", "date_of_birth": "2015-02-30", "gender": "woman",
      "address": {"line1": "", "city": "Madrid", "postal_code": "2801", "country": "ES"}},
    "official_id": {"type": "national_id", "number": "12345678A", "issuing_country": "ES", "expires_on": "2020-01-01"},
    "financial": {"occupation": "astronaut", "annual_salary_range": "50k_100k",
                  "account_purpose": "everyday_spending"}
  }
}"#;

fn bench(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 6, 15).expect("date");
    let valid: CustomerData = serde_json::from_str(VALID).expect("valid JSON");
    let invalid: CustomerData = serde_json::from_str(INVALID).expect("invalid JSON");
    assert!(validate_customer(&valid, today).is_ok());
    assert_eq!(validate_customer(&invalid, today).map_err(|e| e.as_slice().len()).err(), Some(11));
    let mut group = c.benchmark_group("validate_customer");
    group.bench_function("full valid profile", |b| {
        b.iter(|| validate_customer(black_box(&valid), today));
    });
    group.bench_function("full invalid profile (11 errors)", |b| {
        b.iter(|| validate_customer(black_box(&invalid), today));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

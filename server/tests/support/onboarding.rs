//! Onboarding a customer over HTTP against a running `kycard`: a valid profile and the three
//! documents it needs. Shared by the tests that drive the binary; the including test crate
//! has the `files` helper module at its root.

use serde_json::{Value, json};

/// A valid enrolled profile (a Spanish national ID holder) with `email`.
pub fn person(email: &str) -> Value {
    json!({
      "contact": {"email": email, "phone": "+34600111222"}, "individual_cards": true,
      "individual": {
        "personal": {"full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
          "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": "12345678Z", "issuing_country": "ES", "expires_on": "2031-05-20"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}}})
}

/// Uploads the ID's two sides and a recent proof of address for customer `id` through the
/// API at `api` (`http://host:port/api/v1`); returns each document's id and bytes.
///
/// # Panics
/// When an upload is not answered `201`.
pub async fn upload_documents(http: &reqwest::Client, api: &str, key: &str, id: &str) -> Vec<(String, Vec<u8>)> {
    let issued = (chrono::Utc::now().date_naive() - chrono::Duration::days(10)).to_string();
    let mut uploaded = Vec::new();
    for (kind, file) in [
        ("government_id_front", crate::files::picture()),
        ("government_id_back", crate::files::picture()),
        ("proof_of_address", crate::files::text_pdf()),
    ] {
        let mut form = reqwest::multipart::Form::new()
            .text("kind", kind)
            .part("file", reqwest::multipart::Part::bytes(file.clone()).file_name("scan"));
        if kind == "proof_of_address" {
            form = form.text("issued_on", issued.clone());
        }
        let reply = http.post(format!("{api}/customers/{id}/documents")).bearer_auth(key).multipart(form).send().await;
        let reply = reply.expect("upload");
        assert_eq!(reply.status(), 201);
        let document: Value = reply.json().await.expect("json");
        uploaded.push((document["id"].as_str().expect("id").to_owned(), file));
    }
    uploaded
}

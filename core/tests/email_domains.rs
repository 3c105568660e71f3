//! Every letter or digit an email domain may hold is lower-cased as Rust's `char::to_lowercase`
//! does, on both targets.
//!
//! Natively core lower-cases with Rust's tables; in wasm it asks the JavaScript host (see
//! `contact.rs`), so this test, run by `wasm-bindgen-test` in headless Chromium, is what proves
//! the browser's `toLowerCase` gives the same answer for every character.

use kycard_core::contact::Email;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Characters per domain label: under the 63 a label may hold, and few enough that an
/// address of four-byte characters stays under the 254 bytes an address may take.
const PER_LABEL: usize = 50;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn every_domain_character_is_lower_cased_as_rust_does() {
    let letters: Vec<char> = (char::MIN..=char::MAX).filter(|c| !c.is_ascii() && c.is_alphanumeric()).collect();
    assert!(letters.len() > 100_000, "Unicode has over 100,000 letters and digits beyond ASCII");
    let mut changed = 0;
    for label in letters.chunks(PER_LABEL) {
        let label: String = label.iter().collect();
        let email = Email::try_from(format!("a@{label}.es").as_str()).expect("letters and digits make a valid domain");
        let expected: String = label.chars().flat_map(char::to_lowercase).collect();
        assert_eq!(email.as_str(), format!("a@{expected}.es"), "lower-casing {label}");
        changed += usize::from(expected != label);
    }
    assert!(changed > 20, "labels with capitals were lower-cased ({changed})");
}

//! Picture quality: whether a photo or scan of a document can be read, measured from its
//! pixels and never from its byte size or header.
//!
//! The server decodes each uploaded picture and the browser draws the chosen photo on a canvas;
//! both hand the pixels to [`working_gray`] and [`measure`], then judge the [`Measures`] with
//! [`judge`]. The functions are pure and use exact integer sums before the final division, so
//! the browser (wasm) and the server (native) compute the same numbers for the same pixels,
//! which the shared test vectors check on both targets.
//!
//! What is measured, on a grayscale copy scaled down to at most [`WORKING_SIDE`] pixels a side
//! (so thresholds do not depend on the camera's resolution):
//!
//! * **resolution** — the original's shorter side, at least [`MIN_SIDE`] pixels;
//! * **contrast** — the standard deviation of brightness; a blank or uniform picture has
//!   almost none (at least [`MIN_CONTRAST`]);
//! * **sharpness** — the variance of the Laplacian (4-neighbour kernel): edges of print make
//!   it large, blur flattens it (at least [`MIN_SHARPNESS`]);
//! * **under-exposure** — the share of pixels darker than [`DARK_LEVEL`] (at most
//!   [`MAX_DARK_SHARE`]);
//! * **over-exposure** — the share of pixels brighter than [`BRIGHT_LEVEL`] (at most
//!   [`MAX_BRIGHT_SHARE`]); judged on identity documents only, since a scanned letter is
//!   mostly white paper.

use crate::documents::DocumentKind;
use crate::i18n::Locale;
use serde::{Deserialize, Serialize};

/// The version of the thresholds below; recorded with every check so a decision can be
/// traced to the rules that made it.
pub const RULES_VERSION: u32 = 1;
/// Pictures are scaled down (by an integer factor, averaging blocks) until no side exceeds this.
pub const WORKING_SIDE: u32 = 1024;
/// Smallest shorter side, in pixels, of a picture a person can read.
pub const MIN_SIDE: u32 = 320;
/// Largest side a decoder accepts: anything bigger is a decompression bomb, not a photo.
pub const MAX_SIDE: u32 = 20_000;
/// Smallest standard deviation of brightness (0–255) of a picture with something on it.
pub const MIN_CONTRAST: f64 = 12.0;
/// Smallest variance of the Laplacian of a picture sharp enough to read.
pub const MIN_SHARPNESS: f64 = 100.0;
/// Brightness below which a pixel counts as under-exposed.
pub const DARK_LEVEL: u8 = 40;
/// Largest share of under-exposed pixels.
pub const MAX_DARK_SHARE: f64 = 0.75;
/// Brightness above which a pixel counts as over-exposed (glare, washed out).
pub const BRIGHT_LEVEL: u8 = 245;
/// Largest share of over-exposed pixels on an identity document.
pub const MAX_BRIGHT_SHARE: f64 = 0.6;
/// Letters and digits a PDF page must hold to count as text a person can read.
pub const MIN_TEXT_CHARS: u32 = 20;

/// Decoded pixels as a decoder or a canvas gives them: 8 bits a channel, rows top to bottom.
#[derive(Debug, Clone, Copy)]
pub struct Pixels<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA, as a canvas gives).
    pub channels: u8,
    /// `width × height × channels` bytes.
    pub data: &'a [u8],
}

/// A grayscale picture at working size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrayImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// One brightness byte a pixel, rows top to bottom.
    pub pixels: Vec<u8>,
    /// The original picture's size, kept for the resolution rule.
    pub original: (u32, u32),
}

/// Why pixels could not be measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PixelsError {
    /// The buffer's length does not match its stated size.
    #[error("the pixel buffer holds {got} bytes, not {width}×{height}×{channels}")]
    WrongLength {
        /// Stated width.
        width: u32,
        /// Stated height.
        height: u32,
        /// Stated channels.
        channels: u8,
        /// Bytes given.
        got: usize,
    },
    /// Not 1 to 4 channels, or an empty picture.
    #[error("a picture has 1 to 4 channels and at least one pixel")]
    Shape,
}

/// Brightness of one pixel (ITU-R BT.601 weights in integers), composited over white when it
/// has an alpha channel, as the picture appears on a page.
fn luma(pixel: &[u8]) -> u32 {
    let (value, alpha) = match *pixel {
        [g] => (u32::from(g), 255),
        [g, a] => (u32::from(g), u32::from(a)),
        [r, g, b] => ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8, 255),
        [r, g, b, a, ..] => ((77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8, u32::from(a)),
        [] => (255, 255),
    };
    (value * alpha + 255 * (255 - alpha) + 127) / 255
}

/// The grayscale working copy of a picture: brightness per pixel, averaged over blocks of
/// `f × f` pixels where `f` is the smallest integer that brings both sides within
/// [`WORKING_SIDE`]. One pass, no full-size copy.
pub fn working_gray(pixels: Pixels<'_>) -> Result<GrayImage, PixelsError> {
    let Pixels { width, height, channels, data } = pixels;
    if !(1..=4).contains(&channels) || width == 0 || height == 0 {
        return Err(PixelsError::Shape);
    }
    let stride = usize::from(channels);
    let row_bytes = width as usize * stride;
    if data.len() != row_bytes * height as usize {
        return Err(PixelsError::WrongLength { width, height, channels, got: data.len() });
    }
    let factor = width.max(height).div_ceil(WORKING_SIDE).max(1);
    let (out_w, out_h) = (width.div_ceil(factor), height.div_ceil(factor));
    let mut out = Vec::with_capacity(out_w as usize * out_h as usize);
    let mut sums = vec![0u32; out_w as usize];
    for block_row in 0..out_h {
        sums.fill(0);
        let rows = (block_row * factor)..((block_row + 1) * factor).min(height);
        let rows_in_block = rows.end - rows.start;
        for y in rows {
            let row = &data[y as usize * row_bytes..(y as usize + 1) * row_bytes];
            for (x, pixel) in row.chunks_exact(stride).enumerate() {
                sums[x / factor as usize] += luma(pixel);
            }
        }
        for (column, sum) in (0..out_w).zip(&sums) {
            let count = rows_in_block * factor.min(width - column * factor);
            out.push(u8::try_from((sum + count / 2) / count).unwrap_or(u8::MAX));
        }
    }
    Ok(GrayImage { width: out_w, height: out_h, pixels: out, original: (width, height) })
}

/// What [`measure`] found in a picture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// The original picture's width, in pixels.
    pub width: u32,
    /// The original picture's height, in pixels.
    pub height: u32,
    /// Standard deviation of brightness (0–255).
    pub contrast: f64,
    /// Variance of the Laplacian at working size.
    pub sharpness: f64,
    /// Share (0–1) of pixels darker than [`DARK_LEVEL`].
    pub dark_share: f64,
    /// Share (0–1) of pixels brighter than [`BRIGHT_LEVEL`].
    pub bright_share: f64,
}

/// Measures a working copy (see the module's documentation for what each number means).
#[allow(clippy::cast_precision_loss)] // sums of at most 2^20 pixels fit f64 exactly
pub fn measure(image: &GrayImage) -> Measures {
    let n = image.pixels.len() as f64;
    let (mut sum, mut sum_sq, mut dark, mut bright) = (0u64, 0u64, 0u64, 0u64);
    for &p in &image.pixels {
        sum += u64::from(p);
        sum_sq += u64::from(p) * u64::from(p);
        dark += u64::from(p < DARK_LEVEL);
        bright += u64::from(p > BRIGHT_LEVEL);
    }
    let mean = sum as f64 / n;
    let contrast = (sum_sq as f64 / n - mean * mean).max(0.0).sqrt();
    Measures {
        width: image.original.0,
        height: image.original.1,
        contrast,
        sharpness: laplacian_variance(image),
        dark_share: dark as f64 / n,
        bright_share: bright as f64 / n,
    }
}

/// Variance of `4·p − up − down − left − right` over the pixels that have four neighbours.
#[allow(clippy::cast_precision_loss)]
fn laplacian_variance(image: &GrayImage) -> f64 {
    let (w, h) = (image.width as usize, image.height as usize);
    if w < 3 || h < 3 {
        return 0.0;
    }
    let p = |x: usize, y: usize| i64::from(image.pixels[y * w + x]);
    let (mut sum, mut sum_sq) = (0i64, 0i128);
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let l = 4 * p(x, y) - p(x, y - 1) - p(x, y + 1) - p(x - 1, y) - p(x + 1, y);
            sum += l;
            sum_sq += i128::from(l * l);
        }
    }
    let n = ((w - 2) * (h - 2)) as f64;
    let mean = sum as f64 / n;
    (sum_sq as f64 / n - mean * mean).max(0.0)
}

choice_enum! {
    /// The quality rules, each judged against one threshold.
    pub enum Rule {
        Resolution = "resolution" => "The picture is too small: take it closer or at a higher resolution." / "La foto es demasiado pequeña: acércate más o usa más resolución.",
        Underexposure = "underexposure" => "The picture is too dark: take it again in better light." / "La foto está demasiado oscura: repítela con mejor luz.",
        Overexposure = "overexposure" => "The picture is too bright or has glare: take it again away from direct light." / "La foto está demasiado clara o tiene reflejos: repítela lejos de la luz directa.",
        Contrast = "contrast" => "The picture is blank or almost uniform: photograph the document itself." / "La foto está en blanco o casi uniforme: fotografía el documento.",
        Sharpness = "sharpness" => "The picture is too blurred: take it again, holding the camera still." / "La foto está demasiado borrosa: repítela sin mover la cámara.",
    }
}

/// One rule's verdict on one picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleResult {
    /// Which rule.
    pub rule: Rule,
    /// What was measured.
    pub value: f64,
    /// The limit (a minimum for resolution, contrast and sharpness; a maximum for exposure).
    pub threshold: f64,
    /// Whether the picture passed.
    pub passed: bool,
}

/// `value` with `places` (0 or 1) decimals, ties to even, as people read a measure. Written
/// with integers: float formatting would add 20 KB to the browser's download.
#[allow(clippy::cast_possible_truncation)] // measures are far below 2^53
fn decimal(value: f64, places: u32) -> String {
    let scale = if places == 0 { 1.0 } else { 10.0 };
    let scaled = (value * scale).round_ties_even() as i64;
    if places == 0 {
        return scaled.to_string();
    }
    let sign = if scaled < 0 { "-" } else { "" };
    format!("{sign}{}.{}", scaled.unsigned_abs() / 10, scaled.unsigned_abs() % 10)
}

impl RuleResult {
    /// The measurement in words, e.g. `sharpness 12.3`.
    pub fn value_text(&self) -> String {
        match self.rule {
            Rule::Resolution => format!("{} px", decimal(self.value, 0)),
            Rule::Underexposure | Rule::Overexposure => format!("{} %", decimal(self.value * 100.0, 1)),
            Rule::Contrast | Rule::Sharpness => decimal(self.value, 1),
        }
    }

    /// The threshold in words, with the rules' version, e.g. `>= 100.0 (quality rules v1)`.
    pub fn threshold_text(&self) -> String {
        let limit = match self.rule {
            Rule::Resolution => format!(">= {} px", decimal(self.threshold, 0)),
            Rule::Underexposure | Rule::Overexposure => format!("<= {} %", decimal(self.threshold * 100.0, 0)),
            Rule::Contrast | Rule::Sharpness => format!(">= {}", decimal(self.threshold, 1)),
        };
        format!("{limit} (quality rules v{RULES_VERSION})")
    }

    /// What a person reads: the rule's advice when it failed.
    pub fn message(&self) -> &'static str {
        self.message_in(Locale::English)
    }

    /// [`RuleResult::message`] in `locale`.
    pub const fn message_in(&self, locale: Locale) -> &'static str {
        if !self.passed {
            return self.rule.label_in(locale);
        }
        match (self.rule, locale) {
            (Rule::Resolution, Locale::English) => "Large enough to read.",
            (Rule::Resolution, Locale::Spanish) => "Lo bastante grande para leerse.",
            (Rule::Contrast, Locale::English) => "Something is on the picture.",
            (Rule::Contrast, Locale::Spanish) => "Hay algo en la foto.",
            (Rule::Sharpness, Locale::English) => "Sharp enough to read.",
            (Rule::Sharpness, Locale::Spanish) => "Lo bastante nítida para leerse.",
            (Rule::Underexposure, Locale::English) => "Not too dark.",
            (Rule::Underexposure, Locale::Spanish) => "No está demasiado oscura.",
            (Rule::Overexposure, Locale::English) => "No glare.",
            (Rule::Overexposure, Locale::Spanish) => "Sin reflejos.",
        }
    }
}

/// Whether over-exposure is judged for this kind: identity documents are photographed, while
/// a proof of address is often a scan or a screenshot of a mostly white page.
pub const fn judges_glare(kind: DocumentKind) -> bool {
    kind.shows_identity()
}

/// Every rule that applies to a picture of `kind`, in the order a person should fix them.
#[allow(clippy::cast_precision_loss)]
pub fn judge(kind: DocumentKind, m: &Measures) -> Vec<RuleResult> {
    let shorter = f64::from(m.width.min(m.height));
    let mut results = vec![RuleResult {
        rule: Rule::Resolution,
        value: shorter,
        threshold: f64::from(MIN_SIDE),
        passed: shorter >= f64::from(MIN_SIDE),
    }];
    // Exposure before contrast and sharpness: a dark or washed-out picture also lacks contrast
    // and edges, and the light is what the person must fix.
    results.push(RuleResult {
        rule: Rule::Underexposure,
        value: m.dark_share,
        threshold: MAX_DARK_SHARE,
        passed: m.dark_share <= MAX_DARK_SHARE,
    });
    if judges_glare(kind) {
        results.push(RuleResult {
            rule: Rule::Overexposure,
            value: m.bright_share,
            threshold: MAX_BRIGHT_SHARE,
            passed: m.bright_share <= MAX_BRIGHT_SHARE,
        });
    }
    results.push(RuleResult {
        rule: Rule::Contrast,
        value: m.contrast,
        threshold: MIN_CONTRAST,
        passed: m.contrast >= MIN_CONTRAST,
    });
    results.push(RuleResult {
        rule: Rule::Sharpness,
        value: m.sharpness,
        threshold: MIN_SHARPNESS,
        passed: m.sharpness >= MIN_SHARPNESS,
    });
    results
}

/// The first failed rule, which is what a person is told to fix before sending.
pub fn first_problem(kind: DocumentKind, m: &Measures) -> Option<RuleResult> {
    judge(kind, m).into_iter().find(|r| !r.passed)
}

choice_enum! {
    /// Why a file could not be read at all.
    pub enum ReadProblem {
        Corrupt = "corrupt" => "The file is damaged or incomplete: it cannot be decoded." / "El archivo está dañado o incompleto: no se puede descodificar.",
        TooLarge = "too_large" => "The picture is too large to decode (more than 20,000 pixels a side, or too many pixels in all)." / "La imagen es demasiado grande para descodificarla (más de 20.000 píxeles de lado o demasiados píxeles en total).",
        TwoFormats = "two_formats" => "The file is two formats at once (a picture that also holds a PDF): send a plain photo or PDF." / "El archivo tiene dos formatos a la vez (una imagen que también contiene un PDF): envía una foto o un PDF normal.",
        Encrypted = "encrypted" => "The PDF is encrypted or password-protected: send it without protection." / "El PDF está cifrado o protegido con contraseña: envíalo sin protección.",
        NoPages = "no_pages" => "The PDF has no pages." / "El PDF no tiene páginas.",
    }
}

/// What the server read in a file: a decoded picture, a parsed PDF, or why neither worked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "read", rename_all = "snake_case")]
pub enum DocumentContent {
    /// A picture (JPEG, PNG, WebP), decoded whole, EXIF orientation applied.
    Image {
        /// Its measures.
        measures: Measures,
    },
    /// A PDF with a valid structure.
    Pdf {
        /// Number of pages.
        pages: u32,
        /// Letters and digits of text found on the first pages.
        text_chars: u32,
        /// The largest picture embedded in the first pages, measured.
        image: Option<Measures>,
    },
    /// Nothing could be read.
    Unreadable {
        /// Why.
        problem: ReadProblem,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_read_with_fixed_decimals() {
        assert_eq!(decimal(12.34, 1), "12.3");
        assert_eq!(decimal(0.25, 1), "0.2");
        assert_eq!(decimal(99.96, 1), "100.0");
        assert_eq!(decimal(-0.04, 1), "0.0");
        assert_eq!(decimal(-1.26, 1), "-1.3");
        assert_eq!(decimal(811.5, 0), "812");
        assert_eq!(decimal(1_040_400.0, 1), "1040400.0");
    }

    fn gray(width: u32, height: u32, f: impl Fn(u32, u32) -> u8) -> Vec<u8> {
        (0..height).flat_map(|y| (0..width).map(move |x| (x, y))).map(|(x, y)| f(x, y)).collect()
    }

    #[test]
    fn large_pictures_are_averaged_down_by_an_integer_factor() {
        // 2050 px wide needs a factor of 3: 684 columns, the last averaging 1 column.
        let data = gray(2050, 4, |x, _| if x % 2 == 0 { 0 } else { 255 });
        let image = working_gray(Pixels { width: 2050, height: 4, channels: 1, data: &data }).unwrap();
        assert_eq!((image.width, image.height, image.original), (684, 2, (2050, 4)));
        assert_eq!(image.pixels[0], 85); // (0 + 255 + 0) / 3
        assert_eq!(image.pixels[1], 170); // (255 + 0 + 255) / 3
        assert_eq!(image.pixels[683], 255); // the last block holds column 2049 alone
    }

    #[test]
    fn alpha_is_composited_over_white_and_bad_buffers_are_refused() {
        assert_eq!(luma(&[0, 0, 0, 0]), 255);
        assert_eq!(luma(&[0, 0, 0, 255]), 0);
        assert_eq!(luma(&[255, 255, 255]), 255);
        assert!(matches!(
            working_gray(Pixels { width: 2, height: 2, channels: 3, data: &[0; 11] }),
            Err(PixelsError::WrongLength { got: 11, .. })
        ));
        assert_eq!(working_gray(Pixels { width: 0, height: 2, channels: 3, data: &[] }), Err(PixelsError::Shape));
        assert_eq!(working_gray(Pixels { width: 1, height: 1, channels: 5, data: &[0; 5] }), Err(PixelsError::Shape));
    }

    #[test]
    fn blur_lowers_sharpness_and_blank_has_no_contrast() {
        let sharp = gray(400, 400, |x, y| if (x / 4 + y / 4) % 2 == 0 { 30 } else { 220 });
        let sharp = measure(&working_gray(Pixels { width: 400, height: 400, channels: 1, data: &sharp }).unwrap());
        let smooth = gray(400, 400, |x, _| u8::try_from(x * 255 / 400).unwrap());
        let smooth = measure(&working_gray(Pixels { width: 400, height: 400, channels: 1, data: &smooth }).unwrap());
        let blank = vec![200; 400 * 400];
        let blank = measure(&working_gray(Pixels { width: 400, height: 400, channels: 1, data: &blank }).unwrap());
        assert!(sharp.sharpness > MIN_SHARPNESS && smooth.sharpness < MIN_SHARPNESS);
        assert!(blank.contrast < MIN_CONTRAST && blank.sharpness == 0.0);
        let failed: Vec<Rule> =
            judge(DocumentKind::Passport, &blank).iter().filter(|r| !r.passed).map(|r| r.rule).collect();
        assert_eq!(failed, [Rule::Contrast, Rule::Sharpness]);
        assert_eq!(first_problem(DocumentKind::Passport, &blank).map(|r| r.rule), Some(Rule::Contrast));
    }

    #[test]
    fn glare_is_judged_on_identity_documents_only() {
        let m =
            Measures { width: 1000, height: 800, contrast: 40.0, sharpness: 500.0, dark_share: 0.0, bright_share: 0.9 };
        assert_eq!(first_problem(DocumentKind::GovernmentIdFront, &m).map(|r| r.rule), Some(Rule::Overexposure));
        assert_eq!(first_problem(DocumentKind::ProofOfAddress, &m), None);
        let r = judge(DocumentKind::Passport, &m)[2];
        assert_eq!(
            (r.value_text(), r.threshold_text()),
            ("90.0 %".to_owned(), "<= 60 % (quality rules v1)".to_owned())
        );
    }

    #[test]
    fn content_round_trips_as_json() {
        let content = DocumentContent::Pdf { pages: 2, text_chars: 340, image: None };
        let json = serde_json::to_string(&content).unwrap();
        assert_eq!(json, r#"{"read":"pdf","pages":2,"text_chars":340,"image":null}"#);
        assert_eq!(serde_json::from_str::<DocumentContent>(&json).unwrap(), content);
        let bad = DocumentContent::Unreadable { problem: ReadProblem::TwoFormats };
        assert_eq!(serde_json::to_string(&bad).unwrap(), r#"{"read":"unreadable","problem":"two_formats"}"#);
    }
}

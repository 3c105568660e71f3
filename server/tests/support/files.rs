//! Document files made inside the tests (nothing downloaded): a printed-page picture that
//! passes every quality rule, the ways it goes wrong, and PDFs.

use image::{ImageEncoder, RgbImage};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_SEED: AtomicU64 = AtomicU64::new(1);

/// A different seed at every call, so two pictures never share a file hash (the review sends
/// the same file on two customers to a reviewer).
fn seed() -> u64 {
    NEXT_SEED.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// A sharp picture of a printed card: pale paper, a photo box and lines of dark "words".
pub fn document(width: u32, height: u32) -> RgbImage {
    let mut state = seed() | 1;
    let mut image = RgbImage::from_pixel(width, height, image::Rgb([232, 228, 220]));
    let fill = |image: &mut RgbImage, x0: u32, y0: u32, w: u32, h: u32, shade: u8| {
        for y in y0..(y0 + h).min(height) {
            for x in x0..(x0 + w).min(width) {
                image.put_pixel(x, y, image::Rgb([shade, shade, shade.saturating_add(10)]));
            }
        }
    };
    fill(&mut image, width / 20, height / 8, width / 4, height * 5 / 8, 120);
    let (glyph_h, line_gap) = ((height / 40).max(4), (height / 16).max(8));
    let mut y = height / 8;
    while y + glyph_h < height * 7 / 8 {
        let mut x = width / 3;
        while x < width * 19 / 20 {
            let glyph_w = u32::try_from(next(&mut state) % 6).unwrap_or(0) + glyph_h / 2;
            fill(&mut image, x, y, glyph_w, glyph_h, 35);
            x += glyph_w + 3 + if next(&mut state).is_multiple_of(5) { glyph_h } else { 0 };
        }
        y += line_gap;
    }
    image
}

/// Every pixel through `f`.
pub fn map(mut image: RgbImage, f: impl Fn(u8) -> u8) -> RgbImage {
    for pixel in image.pixels_mut() {
        pixel.0 = pixel.0.map(&f);
    }
    image
}

/// Three passes of a box blur of `radius` (close to a Gaussian): what a shaking hand gives.
pub fn blur(image: &RgbImage, radius: u32) -> RgbImage {
    let mut out = image.clone();
    for _ in 0..3 {
        for horizontal in [true, false] {
            let src = out.clone();
            for (x, y, pixel) in out.enumerate_pixels_mut() {
                let mut sum = [0u32; 3];
                let mut n = 0;
                for d in 0..=2 * radius {
                    let (sx, sy) = if horizontal {
                        ((x + d).checked_sub(radius), Some(y))
                    } else {
                        (Some(x), (y + d).checked_sub(radius))
                    };
                    if let (Some(sx), Some(sy)) = (sx, sy)
                        && sx < src.width()
                        && sy < src.height()
                    {
                        let p = src.get_pixel(sx, sy).0;
                        for c in 0..3 {
                            sum[c] += u32::from(p[c]);
                        }
                        n += 1;
                    }
                }
                pixel.0 = sum.map(|s| u8::try_from(s / n).unwrap_or(255));
            }
        }
    }
    out
}

/// PNG bytes.
pub fn png_of(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .expect("png");
    out
}

/// JPEG bytes (quality 90).
pub fn jpeg_of(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(image).expect("jpeg");
    out
}

/// Lossless WebP bytes.
pub fn webp_of(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .expect("webp");
    out
}

/// A sharp, well-lit document as a PNG, different at every call.
pub fn picture() -> Vec<u8> {
    png_of(&document(900, 600))
}

/// A JPEG whose pixels are stored sideways with an EXIF orientation of 6 ("rotate 90°
/// clockwise to show"), as phones write them, plus a GPS tag that must not reach the preview.
pub fn exif_rotated_jpeg(width: u32, height: u32) -> Vec<u8> {
    let jpeg = jpeg_of(&image::imageops::rotate270(&document(width, height)));
    // TIFF, big-endian, one IFD: Orientation (0x0112, SHORT) = 6 and GPSInfo (0x8825) = 0.
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x02".to_vec();
    exif.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    exif.extend([0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0]);
    exif.extend([0, 0, 0, 0]);
    let length = u16::try_from(exif.len() + 2).expect("short").to_be_bytes();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1, length[0], length[1]]);
    out.extend(exif);
    out.extend(&jpeg[2..]);
    out
}

/// A PNG that claims `width`×`height` pixels and holds almost nothing: a decompression bomb.
pub fn bomb_png(width: u32, height: u32) -> Vec<u8> {
    let mut png = png_of(&RgbImage::new(1, 1));
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    // Fix the header's CRC so only the size is wrong.
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// What the issue reported as approved: a PNG signature and a header claiming 1600×1000,
/// then zeros.
pub fn fake_png_header() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(1600u32.to_be_bytes());
    bytes.extend(1000u32.to_be_bytes());
    bytes.resize(bytes.len() + 2000, 0);
    bytes
}

/// `bytes` padded with zeros to `size`.
pub fn padded(mut bytes: Vec<u8>, size: usize) -> Vec<u8> {
    bytes.resize(size, 0);
    bytes
}

/// A one-page PDF; `build` adds the objects the page uses and returns its content and
/// resources.
fn one_page(build: impl FnOnce(&mut Document) -> (Vec<Operation>, lopdf::Dictionary)) -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let (operations, resources) = build(&mut doc);
    let content = Content { operations }.encode().expect("content");
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let resources_id = doc.add_object(resources);
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id, "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    doc
}

fn save(mut doc: Document) -> Vec<u8> {
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("pdf");
    out
}

fn text_document(text: &str) -> Document {
    one_page(|doc| {
        let font_id = doc.add_object(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
        let operations = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 12.into()]),
            Operation::new("Td", vec![60.into(), 760.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ];
        (operations, dictionary! { "Font" => dictionary! { "F1" => font_id } })
    })
}

/// A one-page text PDF, well under 1 KB: a utility bill, with a different number at every call.
pub fn text_pdf() -> Vec<u8> {
    let text = format!(
        "Electricity bill {}: Ana Maria Garcia Lopez, Calle Mayor 1, 28013 Madrid. Due 42.10 EUR.",
        seed() % 100_000
    );
    save(text_document(&text))
}

/// The same bill with an `/Encrypt` dictionary (the standard handler, RC4 40-bit).
pub fn encrypted_pdf() -> Vec<u8> {
    let mut doc = text_document("Electricity bill: Ana Maria Garcia Lopez, Calle Mayor 1, 28013 Madrid.");
    let encrypt = doc.add_object(dictionary! {
        "Filter" => "Standard", "V" => 1, "R" => 2, "P" => -44,
        "O" => Object::string_literal(vec![0x5Au8; 32]), "U" => Object::string_literal(vec![0xA5u8; 32]),
    });
    doc.trailer.set("Encrypt", encrypt);
    doc.trailer.set("ID", vec![Object::string_literal(vec![1u8; 16]), Object::string_literal(vec![1u8; 16])]);
    save(doc)
}

/// A valid PDF whose one page has neither text nor a picture.
pub fn empty_page_pdf() -> Vec<u8> {
    save(one_page(|_| (vec![Operation::new("n", vec![])], dictionary! {})))
}

/// A PDF whose page is a scan: the JPEG of a sharp document as its only content.
pub fn scanned_pdf() -> Vec<u8> {
    save(one_page(|doc| {
        let image_id = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 900, "Height" => 600,
                "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
            },
            jpeg_of(&document(900, 600)),
        ));
        let operations = vec![
            Operation::new("q", vec![]),
            Operation::new("cm", vec![500.into(), 0.into(), 0.into(), 333.into(), 40.into(), 400.into()]),
            Operation::new("Do", vec!["Im1".into()]),
            Operation::new("Q", vec![]),
        ];
        (operations, dictionary! { "XObject" => dictionary! { "Im1" => image_id } })
    }))
}

/// A picture that is also a PDF: a PNG with a PDF appended.
pub fn polyglot() -> Vec<u8> {
    let mut bytes = picture();
    bytes.extend(text_pdf());
    bytes
}

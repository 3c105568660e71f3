//! Reading what is inside an uploaded file: pictures are decoded whole (EXIF orientation
//! applied) and PDFs parsed, then core measures the pixels. Decoding is bounded in size (no
//! decompression bomb gets through) and in concurrency (as many at once as the machine has
//! cores, so memory stays bounded however many uploads arrive together).

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use kycard_core::documents::ContentType;
use kycard_core::quality::{DocumentContent, MAX_SIDE, Measures, Pixels, ReadProblem, measure, working_gray};
use std::io::Cursor;
use std::path::Path;
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// Largest allocation a decoder may make: a 12 MP RGBA photo needs 48 MB, a 20,000 px square
/// 1.6 GB, which no phone produces.
const MAX_DECODE_BYTES: u64 = 192 * 1024 * 1024;
/// Largest decompressed PDF stream (a page's content or an embedded picture).
const MAX_PDF_STREAM_BYTES: usize = 64 * 1024 * 1024;
/// Pages of a PDF whose text and pictures are read: a proof of address says what it must on
/// its first pages.
const PDF_PAGES_READ: u32 = 3;
/// Longest side of the preview shown in the app.
const PREVIEW_SIDE: u32 = 1024;
/// JPEG quality of the preview.
const PREVIEW_QUALITY: u8 = 80;

/// What was read of a file, and the preview to show in its place.
#[derive(Debug, Clone)]
pub struct Reading {
    /// What core is told.
    pub content: DocumentContent,
    /// A JPEG at most [`PREVIEW_SIDE`] pixels a side, re-encoded from the pixels (so no
    /// EXIF, GPS or other metadata of the original survives); `None` when there is no picture.
    pub preview: Option<Vec<u8>>,
}

impl Reading {
    fn unreadable(problem: ReadProblem) -> Self {
        Self { content: DocumentContent::Unreadable { problem }, preview: None }
    }
}

/// One decode at a time per core.
static DECODERS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)))
});

/// Reads a stored file off the async workers, waiting for a free decoder.
pub async fn read_file(path: &Path, content_type: ContentType) -> std::io::Result<Reading> {
    let permit = DECODERS.clone().acquire_owned().await.map_err(std::io::Error::other)?;
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        std::fs::read(path).map(|bytes| read(&bytes, content_type))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Reads a file whose type was sniffed as `content_type`.
pub fn read(bytes: &[u8], content_type: ContentType) -> Reading {
    match content_type {
        ContentType::Pdf => read_pdf(bytes),
        picture => {
            // A PDF reader finds a PDF anywhere in the file: a picture that holds one is a
            // polyglot, whatever it shows.
            if find(bytes, b"%PDF-").is_some() {
                return Reading::unreadable(ReadProblem::TwoFormats);
            }
            match decode_picture(bytes, picture) {
                Ok(image) => Reading {
                    content: DocumentContent::Image { measures: measures_of(&image) },
                    preview: preview(&image),
                },
                Err(problem) => Reading::unreadable(problem),
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    limits
}

fn problem_of(error: &image::ImageError) -> ReadProblem {
    match error {
        image::ImageError::Limits(_) => ReadProblem::TooLarge,
        _ => ReadProblem::Corrupt,
    }
}

/// Decodes a whole picture and turns it upright as its EXIF orientation says.
fn decode_picture(bytes: &[u8], content_type: ContentType) -> Result<DynamicImage, ReadProblem> {
    let format = match content_type {
        ContentType::Jpeg => ImageFormat::Jpeg,
        ContentType::Png => ImageFormat::Png,
        ContentType::Webp => ImageFormat::WebP,
        ContentType::Pdf => return Err(ReadProblem::Corrupt),
    };
    // The JPEG decoder fills a cut-off file with grey instead of failing: a complete JPEG
    // ends its last scan with an end-of-image marker.
    if format == ImageFormat::Jpeg && !jpeg_complete(bytes) {
        return Err(ReadProblem::Corrupt);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| problem_of(&e))?;
    // Refuse before allocating: a small file may claim a picture of gigabytes.
    if decoder.total_bytes() > MAX_DECODE_BYTES {
        return Err(ReadProblem::TooLarge);
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| problem_of(&e))?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Whether an end-of-image marker follows the last start-of-scan (an EXIF thumbnail has its
/// own pair earlier in the file).
fn jpeg_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    last_scan.is_some_and(|at| find(&bytes[at..], &[0xFF, 0xD9]).is_some())
}

/// Core's measures of a decoded picture, from its 8-bit pixels as they are (no copy) when
/// they already are gray, RGB or RGBA.
fn measures_of(image: &DynamicImage) -> Measures {
    let (width, height) = (image.width(), image.height());
    let measured =
        |channels: u8, data: &[u8]| working_gray(Pixels { width, height, channels, data }).map(|gray| measure(&gray));
    let result = match image {
        DynamicImage::ImageLuma8(i) => measured(1, i.as_raw()),
        DynamicImage::ImageLumaA8(i) => measured(2, i.as_raw()),
        DynamicImage::ImageRgb8(i) => measured(3, i.as_raw()),
        DynamicImage::ImageRgba8(i) => measured(4, i.as_raw()),
        other => measured(4, other.to_rgba8().as_raw()),
    };
    // A decoded picture always has a buffer of its stated size.
    result.unwrap_or(Measures { width, height, contrast: 0.0, sharpness: 0.0, dark_share: 1.0, bright_share: 0.0 })
}

fn preview(image: &DynamicImage) -> Option<Vec<u8>> {
    let fits = image.width() <= PREVIEW_SIDE && image.height() <= PREVIEW_SIDE;
    let small = if fits { image.to_rgb8() } else { image.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE).into_rgb8() };
    let mut out = Vec::new();
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, PREVIEW_QUALITY);
    small.write_with_encoder(encoder).ok()?;
    Some(out)
}

fn read_pdf(bytes: &[u8]) -> Reading {
    let options = lopdf::LoadOptions { max_decompressed_size: Some(MAX_PDF_STREAM_BYTES), ..Default::default() };
    let document = match lopdf::Document::load_mem_with_options(bytes, options) {
        Ok(document) => document,
        // A file that declares encryption and cannot be opened is protected, not damaged.
        Err(_) if find(bytes, b"/Encrypt").is_some() => return Reading::unreadable(ReadProblem::Encrypted),
        Err(_) => return Reading::unreadable(ReadProblem::Corrupt),
    };
    if document.is_encrypted() {
        return Reading::unreadable(ReadProblem::Encrypted);
    }
    let pages = document.get_pages();
    if pages.is_empty() {
        return Reading::unreadable(ReadProblem::NoPages);
    }
    let read: Vec<u32> = pages.keys().copied().take(PDF_PAGES_READ as usize).collect();
    let text = document.extract_text_with_limit(&read, MAX_PDF_STREAM_BYTES).unwrap_or_default();
    let text_chars = u32::try_from(text.chars().filter(|c| c.is_alphanumeric()).count()).unwrap_or(u32::MAX);
    let picture = read
        .iter()
        .filter_map(|n| pages.get(n))
        .flat_map(|page| pdf_pictures(&document, *page))
        .max_by_key(|image| u64::from(image.width()) * u64::from(image.height()));
    Reading {
        content: DocumentContent::Pdf {
            pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
            text_chars,
            image: picture.as_ref().map(measures_of),
        },
        preview: picture.as_ref().and_then(preview),
    }
}

/// The pictures of a page that can be decoded: JPEG streams (`DCTDecode`), and 8-bit gray or
/// RGB samples (raw or `FlateDecode`). Others are skipped.
fn pdf_pictures(document: &lopdf::Document, page: lopdf::ObjectId) -> Vec<DynamicImage> {
    let Ok(images) = document.get_page_images(page) else { return Vec::new() };
    images
        .iter()
        .filter_map(|pdf_image| {
            let filters = pdf_image.filters.clone().unwrap_or_default();
            let (width, height) = (u32::try_from(pdf_image.width).ok()?, u32::try_from(pdf_image.height).ok()?);
            if width > MAX_SIDE || height > MAX_SIDE {
                return None;
            }
            if filters.iter().map(String::as_str).eq(["DCTDecode"]) {
                return decode_picture(pdf_image.content, ContentType::Jpeg).ok();
            }
            if pdf_image.bits_per_component != Some(8) || filters.iter().any(|f| f != "FlateDecode") {
                return None;
            }
            let stream = document.get_object(pdf_image.id).ok()?.as_stream().ok()?;
            let samples = stream.decompressed_content_with_limit(MAX_PDF_STREAM_BYTES).ok()?;
            match pdf_image.color_space.as_deref() {
                Some("DeviceGray") => image::GrayImage::from_raw(width, height, samples).map(DynamicImage::ImageLuma8),
                Some("DeviceRGB") => image::RgbImage::from_raw(width, height, samples).map(DynamicImage::ImageRgb8),
                _ => None,
            }
        })
        .collect()
}

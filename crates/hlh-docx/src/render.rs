//! A figure's SVG as a PNG at print resolution, its text set in the bundled Liberation Sans (metrically
//! Helvetica and Arial, which the SVG names first), so that no glyph depends on the fonts of the machine.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{fontdb, Options, Tree};

/// The print resolution journals ask of figures.
pub const FIGURE_DPI: u32 = 300;
/// A figure fills the text width of an A4 page with 2.54 cm margins (6.27 in), less a little.
pub const FIGURE_WIDTH_INCHES: f64 = 6.0;

const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// A rendered figure: its PNG and its size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FigurePng {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The fonts the figures are set in, and nothing from the system; loaded once for every figure.
fn fonts() -> Arc<fontdb::Database> {
    static FONTS: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut database = fontdb::Database::new();
            database.load_font_data(REGULAR.to_vec());
            database.load_font_data(BOLD.to_vec());
            database.set_sans_serif_family("Liberation Sans");
            Arc::new(database)
        })
        .clone()
}

/// Renders `svg` at [`FIGURE_DPI`] for a width of [`FIGURE_WIDTH_INCHES`], on white.
///
/// # Errors
///
/// The parser's message when the SVG does not parse.
pub fn svg_to_png(svg: &str) -> Result<FigurePng, String> {
    let options = Options {
        font_family: "Liberation Sans".into(),
        fontdb: fonts(),
        ..Options::default()
    };
    let tree = Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let width = (FIGURE_WIDTH_INCHES * f64::from(FIGURE_DPI)).round() as u32;
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round().max(1.0) as u32;
    let mut pixmap = Pixmap::new(width, height).ok_or("the figure has no area")?;
    pixmap.fill(Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    // On white every pixel is opaque, so the premultiplied RGBA is plain RGB.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
        .collect();
    let mut png = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut png, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        // 300 dots per inch, in the PNG's unit of dots per metre.
        let per_metre = (f64::from(FIGURE_DPI) / 0.0254).round() as u32;
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&rgb).map_err(|e| e.to_string())?;
    }
    Ok(FigurePng { png, width, height })
}

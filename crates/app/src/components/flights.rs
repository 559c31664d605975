//! The arrows of segments still on the wire, painted on a canvas laid over the ladder's
//! SVG. They move on every frame; as SVG elements each move cost the browser a style
//! recalculation, an SVG layout and a paint of its own (with 70 in flight, most of a
//! frame). On a canvas a frame is one clear and a few dozen strokes. Everything that
//! does not move (arrived segments, labels, tooltips, focus and the keyboard) stays in
//! the SVG; a click that lands on a moving arrow is matched to it here.

use sockscope_engine::SegId;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

/// One moving arrow, in the ladder's own coordinates (before its scroll).
#[derive(Clone, Debug, PartialEq)]
pub struct Flight {
    pub id: SegId,
    /// `syn`, `fin`, `rst`, `data` or `ack`: the same classes as the SVG's segments.
    pub kind: &'static str,
    pub from: (f64, f64),
    pub to: (f64, f64),
    pub selected: bool,
}

/// What the canvas shows: the flights and the ladder's frame of reference.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    pub flights: Vec<Flight>,
    /// The SVG's viewBox is `0 0 width height`; content is shifted up by `scroll`.
    pub width: f64,
    pub height: f64,
    pub scroll: f64,
}

/// What painting needs to know about the page, kept between frames so that a frame
/// never asks the browser for layout (that would force one in the middle of the
/// frame): the SVG's width, learned from a ResizeObserver, and the theme's text colour.
#[derive(Clone, Debug, Default)]
pub struct Surface {
    pub sheet: Sheet,
    /// CSS pixels; 0 until measured.
    pub css_width: f64,
    /// The theme's text colour (ACK arrows), read again when the theme changes.
    pub fg: Option<String>,
}

/// The canvas grows in steps, so that its bitmap is not reallocated on every frame as
/// the ladder's height creeps; its box clips it to the SVG.
const HEIGHT_STEP: f64 = 256.0;

/// How ladder coordinates land on the SVG's box: its default `preserveAspectRatio`
/// (uniform scale, centred). The SVG is `width` wide and `sheet.height` tall.
fn fit(css_w: f64, sheet: &Sheet) -> Option<(f64, f64, f64)> {
    let css_h = sheet.height;
    if css_w <= 0.0 || css_h <= 0.0 || sheet.width <= 0.0 {
        return None;
    }
    let scale = (css_w / sheet.width).min(1.0);
    Some((
        scale,
        (css_w - sheet.width * scale) / 2.0,
        (css_h - sheet.height * scale) / 2.0,
    ))
}

/// Stroke colour of a kind; `fg` is the theme's text colour (ACKs and the rest).
fn colour<'a>(kind: &str, fg: &'a str) -> &'a str {
    match kind {
        "syn" => "#1f63a8",
        "fin" => "#8e3b8e",
        "rst" => "#b3261e",
        "data" => "#2e7d32",
        _ => fg,
    }
}

/// Paints the surface's sheet on `canvas`; `svg` gives the theme's colour when the
/// surface does not know it yet. `focused` is drawn as selected.
pub fn paint(
    svg: &Element,
    canvas: &HtmlCanvasElement,
    surface: &mut Surface,
    focused: Option<SegId>,
) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if surface.css_width <= 0.0 {
        // Not measured yet: the ResizeObserver reports the width once layout has
        // happened, and paints then.
        return;
    }
    if surface.fg.is_none() {
        surface.fg = window
            .get_computed_style(svg)
            .ok()
            .flatten()
            .and_then(|s| s.get_property_value("--fg").ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
    let sheet = &surface.sheet;
    let Some((scale, dx, dy)) = fit(surface.css_width, sheet) else {
        return;
    };
    let ratio = window.device_pixel_ratio().max(1.0);
    let css_h = (sheet.height / HEIGHT_STEP).ceil() * HEIGHT_STEP;
    let (w, h) = ((surface.css_width * ratio).round(), (css_h * ratio).round());
    if canvas.width() != w as u32 || canvas.height() != h as u32 {
        canvas.set_width(w as u32);
        canvas.set_height(h as u32);
        let style = format!("width:{}px;height:{css_h}px", surface.css_width);
        let _ = canvas.set_attribute("style", &style);
    }
    let Some(g) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let _ = g.set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0);
    g.clear_rect(0.0, 0.0, w, h);
    let k = scale * ratio;
    let _ = g.set_transform(
        k,
        0.0,
        0.0,
        k,
        dx * ratio,
        (dy - sheet.scroll * scale) * ratio,
    );
    let fg = surface.fg.as_deref().unwrap_or("#1d2126");
    for fl in &sheet.flights {
        let c = colour(fl.kind, fg);
        g.set_stroke_style_str(c);
        g.set_fill_style_str(c);
        let thick = fl.selected || focused == Some(fl.id);
        g.set_line_width(match (thick, fl.kind) {
            (true, _) => 4.0,
            (false, "data") => 2.2,
            _ => 1.4,
        });
        g.begin_path();
        if fl.kind == "ack" {
            dashed(&g, fl.from, fl.to, 4.0, 3.0);
        } else {
            g.move_to(fl.from.0, fl.from.1);
            g.line_to(fl.to.0, fl.to.1);
        }
        g.stroke();
        g.begin_path();
        let _ = g.arc(fl.to.0, fl.to.1, 4.0, 0.0, std::f64::consts::TAU);
        g.fill();
    }
}

/// A dashed line as separate strokes (the same pattern as the SVG's ACKs).
fn dashed(g: &CanvasRenderingContext2d, a: (f64, f64), b: (f64, f64), on: f64, off: f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = dx.hypot(dy);
    if len == 0.0 {
        return;
    }
    let (ux, uy) = (dx / len, dy / len);
    let mut t = 0.0;
    while t < len {
        let e = (t + on).min(len);
        g.move_to(a.0 + ux * t, a.1 + uy * t);
        g.line_to(a.0 + ux * e, a.1 + uy * e);
        t = e + off;
    }
}

/// The flight under a click at client coordinates, if one passes within a few pixels.
pub fn hit(svg: &Element, surface: &Surface, client_x: f64, client_y: f64) -> Option<SegId> {
    let sheet = &surface.sheet;
    let (scale, dx, dy) = fit(surface.css_width, sheet)?;
    let r = svg.get_bounding_client_rect();
    let x = (client_x - r.left() - dx) / scale;
    let y = (client_y - r.top() - dy) / scale + sheet.scroll;
    let reach = 6.0 / scale;
    sheet
        .flights
        .iter()
        .map(|fl| (distance((x, y), fl.from, fl.to), fl.id))
        .filter(|(d, _)| *d <= reach)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// Distance from `p` to the segment `a`–`b`.
fn distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.0 - (a.0 + t * dx)).hypot(p.1 - (a.1 + t * dy))
}

#[cfg(test)]
mod tests {
    use super::distance;

    #[test]
    fn distance_is_measured_to_the_nearest_point_of_the_segment() {
        assert_eq!(distance((5.0, 3.0), (0.0, 0.0), (10.0, 0.0)), 3.0);
        assert_eq!(distance((13.0, 4.0), (0.0, 0.0), (10.0, 0.0)), 5.0);
        assert_eq!(distance((-3.0, -4.0), (0.0, 0.0), (0.0, 0.0)), 5.0);
    }
}

//! The arrows of segments still on the wire, painted on a canvas laid over the ladder's
//! SVG. They move on every frame; as SVG elements each move cost the browser a style
//! recalculation, an SVG layout and a paint of its own (with 70 in flight, most of a
//! frame). On a canvas a frame is one clear, then one stroke and one fill for each pen
//! (colour, width, dash) that some arrow uses: a handful. Everything that
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
    let dash = js_sys::Array::of2(&ACK_DASH[0].into(), &ACK_DASH[1].into());
    let solid = js_sys::Array::new();
    for (pen, flights) in by_pen(&sheet.flights, fg, focused) {
        g.set_stroke_style_str(pen.colour);
        g.set_fill_style_str(pen.colour);
        g.set_line_width(pen.width);
        let _ = g.set_line_dash(if pen.dashed { &dash } else { &solid });
        g.begin_path();
        for fl in &flights {
            g.move_to(fl.from.0, fl.from.1);
            g.line_to(fl.to.0, fl.to.1);
        }
        g.stroke();
        g.begin_path();
        for fl in &flights {
            // Each dot its own subpath: no line joins it to the one before.
            g.move_to(fl.to.0 + DOT_RADIUS, fl.to.1);
            let _ = g.arc(fl.to.0, fl.to.1, DOT_RADIUS, 0.0, std::f64::consts::TAU);
        }
        g.fill();
    }
}

/// The ACKs' dash, on and off in ladder units: the SVG's `stroke-dasharray: 4 3`. The
/// canvas restarts it at each arrow's tail, as the SVG does.
const ACK_DASH: [f64; 2] = [4.0, 3.0];
/// The dot at an arrow's head.
const DOT_RADIUS: f64 = 4.0;

/// How an arrow is drawn: its colour, its width and whether it is dashed.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pen<'a> {
    colour: &'a str,
    width: f64,
    dashed: bool,
}

/// The flights grouped by pen, so that a frame strokes one path per pen (a handful)
/// rather than one or, dashed by hand, dozens per arrow; in the order each pen first
/// appears, with the thick pen of a selected or focused arrow last, so that arrow is on
/// top of the others.
fn by_pen<'a, 'f>(
    flights: &'f [Flight],
    fg: &'a str,
    focused: Option<SegId>,
) -> Vec<(Pen<'a>, Vec<&'f Flight>)> {
    let thick = |fl: &Flight| fl.selected || focused == Some(fl.id);
    let mut groups: Vec<(Pen, Vec<&Flight>)> = Vec::new();
    // The thick ones in a second pass, not sorted after: a sort here added 1.7 KB
    // gzip to the page's wasm.
    for pass in [false, true] {
        for fl in flights.iter().filter(|fl| thick(fl) == pass) {
            let pen = Pen {
                colour: colour(fl.kind, fg),
                width: match (pass, fl.kind) {
                    (true, _) => THICK,
                    (false, "data") => 2.2,
                    _ => 1.4,
                },
                dashed: fl.kind == "ack",
            };
            match groups.iter_mut().find(|(p, _)| *p == pen) {
                Some((_, members)) => members.push(fl),
                None => groups.push((pen, vec![fl])),
            }
        }
    }
    groups
}

/// The width of a selected or focused arrow.
const THICK: f64 = 4.0;

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
    use super::*;

    fn flight(id: u64, kind: &'static str, selected: bool) -> Flight {
        Flight {
            id: SegId(id),
            kind,
            from: (0.0, 0.0),
            to: (10.0, 10.0),
            selected,
        }
    }

    #[test]
    fn arrows_of_one_pen_share_one_path_and_the_selected_one_comes_last() {
        let fl = [
            flight(1, "ack", false),
            flight(2, "data", true),
            flight(3, "data", false),
            flight(4, "ack", false),
            flight(5, "syn", false),
        ];
        let groups = by_pen(&fl, "#000", Some(SegId(5)));
        let ids: Vec<Vec<u64>> = groups
            .iter()
            .map(|(_, members)| members.iter().map(|f| f.id.0).collect())
            .collect();
        assert_eq!(ids, vec![vec![1, 4], vec![3], vec![2], vec![5]]);
        assert!(groups[0].0.dashed && !groups[1].0.dashed);
        assert_eq!(groups[2].0.width, THICK);
        assert_eq!(groups[3].0.width, THICK);
        assert_eq!(groups[3].0.colour, "#1f63a8");
    }

    #[test]
    fn distance_is_measured_to_the_nearest_point_of_the_segment() {
        assert_eq!(distance((5.0, 3.0), (0.0, 0.0), (10.0, 0.0)), 3.0);
        assert_eq!(distance((13.0, 4.0), (0.0, 0.0), (10.0, 0.0)), 5.0);
        assert_eq!(distance((-3.0, -4.0), (0.0, 0.0), (0.0, 0.0)), 5.0);
    }
}

//! A small anti-aliased RGB rasterizer (signed-distance coverage for shapes
//! and lines, bitmap text) and the PNG picture of a layout.

use crate::font;
use crate::layout::{self, label_lines, Layout, Metrics};
use crate::{Graph, Shape};

/// Largest PNG width or height in pixels.
pub(crate) const MAX_DIM: f64 = 4000.0;

pub(crate) type Rgb = [u8; 3];
pub(crate) const BLACK: Rgb = [0, 0, 0];
pub(crate) const WHITE: Rgb = [255, 255, 255];
const EDGE_GREY: Rgb = [40, 40, 40];

pub(crate) struct Canvas {
    pub w: usize,
    pub h: usize,
    pub px: Vec<u8>,
}

#[inline]
fn clamp01(v: f64) -> f64 {
    v.clamp(0.0, 1.0)
}

impl Canvas {
    pub(crate) fn new(w: usize, h: usize) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![255; w * h * 3],
        }
    }

    #[inline]
    fn blend(&mut self, x: i64, y: i64, c: Rgb, a: f64) {
        if a <= 0.0 || x < 0 || y < 0 || x >= self.w as i64 || y >= self.h as i64 {
            return;
        }
        let a = a.min(1.0);
        let i = (y as usize * self.w + x as usize) * 3;
        for (dst, &src) in self.px[i..i + 3].iter_mut().zip(&c) {
            let old = *dst as f64;
            *dst = (old + (src as f64 - old) * a).round() as u8;
        }
    }

    fn fill_rect_px(&mut self, x: i64, y: i64, w: i64, h: i64, c: Rgb) {
        for yy in y.max(0)..(y + h).min(self.h as i64) {
            for xx in x.max(0)..(x + w).min(self.w as i64) {
                let i = (yy as usize * self.w + xx as usize) * 3;
                self.px[i..i + 3].copy_from_slice(&c);
            }
        }
    }

    /// Paints a shape given by a signed distance function (negative inside)
    /// over the box [x0, x1] x [y0, y1]: optional fill, optional stroke of
    /// width `sw` lying just inside the outline.
    fn sdf_shape(
        &mut self,
        bounds: (f64, f64, f64, f64),
        sdf: impl Fn(f64, f64) -> f64,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f64)>,
    ) {
        let (x0, y0, x1, y1) = bounds;
        let xs = (x0 - 2.0).floor().max(0.0) as i64;
        let ys = (y0 - 2.0).floor().max(0.0) as i64;
        let xe = ((x1 + 2.0).ceil() as i64).min(self.w as i64 - 1);
        let ye = ((y1 + 2.0).ceil() as i64).min(self.h as i64 - 1);
        for py in ys..=ye {
            for px in xs..=xe {
                let d = sdf(px as f64 + 0.5, py as f64 + 0.5);
                if let Some(f) = fill {
                    self.blend(px, py, f, clamp01(0.5 - d));
                }
                if let Some((sc, sw)) = stroke {
                    let ds = (d + sw / 2.0).abs();
                    self.blend(px, py, sc, clamp01(sw / 2.0 + 0.5 - ds));
                }
            }
        }
    }

    /// Anti-aliased polyline of width `width`. Joints are covered once
    /// (later segments skip their start cap), so bends show no dark dots.
    pub(crate) fn polyline(&mut self, pts: &[(f64, f64)], width: f64, c: Rgb) {
        for (i, seg) in pts.windows(2).enumerate() {
            self.line_ext(seg[0], seg[1], width, c, i > 0);
        }
    }

    /// One segment with capsule coverage, visiting only a narrow band
    /// around it.
    fn line_ext(&mut self, a: (f64, f64), b: (f64, f64), width: f64, c: Rgb, skip_start_cap: bool) {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        if len2 < 1e-12 {
            return;
        }
        let hw = width / 2.0;
        let dist = |px: f64, py: f64| {
            let t = ((px - a.0) * dx + (py - a.1) * dy) / len2;
            if skip_start_cap && t < 0.0 {
                return f64::INFINITY;
            }
            let t = t.clamp(0.0, 1.0);
            let (qx, qy) = (a.0 + t * dx - px, a.1 + t * dy - py);
            (qx * qx + qy * qy).sqrt()
        };
        let reach = hw + 1.0;
        // Iterate along the major axis; `major` maps (u, v) -> (x, y).
        let steep = dy.abs() > dx.abs();
        let (a_u, a_v, b_u, d_u, d_v) = if steep {
            (a.1, a.0, b.1, dy, dx)
        } else {
            (a.0, a.1, b.0, dx, dy)
        };
        let slope = d_v / d_u;
        let band = reach * (1.0 + slope * slope).sqrt() + 1.0;
        let (umin, umax) = (a_u.min(b_u), a_u.max(b_u));
        let us = (umin - reach).floor() as i64;
        let ue = (umax + reach).ceil() as i64;
        let limit_u = if steep { self.h } else { self.w } as i64;
        for ui in us.max(0)..=ue.min(limit_u - 1) {
            let uc = (ui as f64 + 0.5).clamp(umin, umax);
            let vc = a_v + (uc - a_u) * slope;
            let vs = (vc - band).floor() as i64;
            let ve = (vc + band).ceil() as i64;
            for vi in vs..=ve {
                let (px, py) = if steep { (vi, ui) } else { (ui, vi) };
                let d = dist(px as f64 + 0.5, py as f64 + 0.5);
                self.blend(px, py, c, clamp01(hw + 0.5 - d));
            }
        }
    }

    /// Anti-aliased filled convex polygon.
    pub(crate) fn convex(&mut self, pts: &[(f64, f64)], c: Rgb) {
        let k = pts.len();
        if k < 3 {
            return;
        }
        let mut area = 0.0;
        for i in 0..k {
            let (p, q) = (pts[i], pts[(i + 1) % k]);
            area += p.0 * q.1 - q.0 * p.1;
        }
        let sign = if area > 0.0 { 1.0 } else { -1.0 };
        // Outward unit normals and offsets.
        let mut planes = Vec::with_capacity(k);
        for i in 0..k {
            let (p, q) = (pts[i], pts[(i + 1) % k]);
            let (ex, ey) = (q.0 - p.0, q.1 - p.1);
            let l = (ex * ex + ey * ey).sqrt();
            if l < 1e-12 {
                continue;
            }
            let (nx, ny) = (sign * ey / l, -sign * ex / l);
            planes.push((nx, ny, nx * p.0 + ny * p.1));
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in pts {
            x0 = x0.min(p.0);
            y0 = y0.min(p.1);
            x1 = x1.max(p.0);
            y1 = y1.max(p.1);
        }
        self.sdf_shape(
            (x0, y0, x1, y1),
            |x, y| {
                planes
                    .iter()
                    .map(|&(nx, ny, o)| nx * x + ny * y - o)
                    .fold(f64::MIN, f64::max)
            },
            Some(c),
            None,
        );
    }

    /// One line of bitmap text with its top-left corner at (x, y), each font
    /// pixel drawn as a `scale` x `scale` block.
    pub(crate) fn text_line(&mut self, x: i64, y: i64, s: &str, scale: i64, c: Rgb) {
        for (i, ch) in s.chars().enumerate() {
            let g = font::glyph(ch);
            let gx = x + i as i64 * font::ADVANCE * scale;
            for (col, bits) in g.iter().enumerate() {
                for row in 0..font::GLYPH_H {
                    if bits >> row & 1 != 0 {
                        self.fill_rect_px(
                            gx + col as i64 * scale,
                            y + row * scale,
                            scale,
                            scale,
                            c,
                        );
                    }
                }
            }
        }
    }

    /// A (possibly multi-line) label centred on (cx, cy).
    pub(crate) fn text_centered(&mut self, cx: f64, cy: f64, s: &str, scale: i64, c: Rgb) {
        let lines = label_lines(s);
        if lines.is_empty() || scale <= 0 {
            return;
        }
        // Centre the capitals (descenders hang below, as in typeset text).
        let total_h = ((lines.len() as i64 - 1) * font::LINE + font::CAP_H) * scale;
        let top = (cy - total_h as f64 / 2.0).round() as i64;
        for (k, line) in lines.iter().enumerate() {
            let lw = line.chars().count() as i64 * font::ADVANCE * scale - scale;
            let left = (cx - lw as f64 / 2.0).round() as i64;
            self.text_line(left, top + k as i64 * font::LINE * scale, line, scale, c);
        }
    }
}

pub(crate) fn shape_sdf(
    shape: Shape,
    cx: f64,
    cy: f64,
    w: f64,
    h: f64,
) -> impl Fn(f64, f64) -> f64 {
    let (a, b) = (w / 2.0, h / 2.0);
    move |x: f64, y: f64| {
        let (dx, dy) = (x - cx, y - cy);
        match shape {
            Shape::Box => {
                let (qx, qy) = (dx.abs() - a, dy.abs() - b);
                if qx <= 0.0 && qy <= 0.0 {
                    qx.max(qy)
                } else {
                    let (ox, oy) = (qx.max(0.0), qy.max(0.0));
                    (ox * ox + oy * oy).sqrt()
                }
            }
            Shape::Circle => (dx * dx + dy * dy).sqrt() - a.min(b),
            Shape::Ellipse => {
                let f = (dx / a).powi(2) + (dy / b).powi(2) - 1.0;
                let gx = 2.0 * dx / (a * a);
                let gy = 2.0 * dy / (b * b);
                let g = (gx * gx + gy * gy).sqrt();
                if g < 1e-9 {
                    -a.min(b)
                } else {
                    f / g
                }
            }
        }
    }
}

/// The layout used for the PNG and the pixel scale it is drawn at.
///
/// A full-size layout is tried first (text drawn at font scale 2); if it
/// would exceed [`MAX_DIM`] a half-size layout (font scale 1) is used, and if
/// that is still too large it is shrunk uniformly and labels are dropped.
pub(crate) fn png_layout(g: &Graph) -> (Layout, f64, i64) {
    let full = layout::layout(g, Metrics::new(1.0));
    if full.width <= MAX_DIM && full.height <= MAX_DIM {
        return (full, 1.0, 2);
    }
    let half = layout::layout(g, Metrics::new(0.5));
    let s = (MAX_DIM / half.width).min(MAX_DIM / half.height).min(1.0);
    let text_scale = if s >= 0.999 { 1 } else { 0 };
    (half, s, text_scale)
}

pub(crate) fn render_png(g: &Graph) -> Vec<u8> {
    let (lay, s, ts) = png_layout(g);
    let canvas = draw(g, &lay, s, ts);
    crate::png::encode_rgb(canvas.w, canvas.h, &canvas.px)
}

pub(crate) fn draw(g: &Graph, lay: &Layout, s: f64, ts: i64) -> Canvas {
    let w = ((lay.width * s).ceil() as usize).max(1);
    let h = ((lay.height * s).ceil() as usize).max(1);
    let mut cv = Canvas::new(w, h);
    let k = lay.metrics.scale * s; // pixels per "full-size unit"
    let edge_w = (1.3 * k).max(0.9);
    let stroke_w = (1.5 * k).max(0.9);
    let arrow_len = (11.0 * k).max(3.0);
    let arrow_half = (4.5 * k).max(1.5);
    let sc = |p: (f64, f64)| (p.0 * s, p.1 * s);

    for e in &lay.edges {
        let pts: Vec<(f64, f64)> = e.points.iter().map(|&p| sc(p)).collect();
        if let Some((shaft, tri)) = layout::edge_shaft_and_arrow(&pts, arrow_len, arrow_half) {
            cv.polyline(&shaft, edge_w, EDGE_GREY);
            cv.convex(&tri, EDGE_GREY);
        }
    }
    for (node, geom) in g.nodes.iter().zip(&lay.nodes) {
        let (cx, cy, nw, nh) = (geom.cx * s, geom.cy * s, geom.w * s, geom.h * s);
        let fill = node.fill.as_deref().and_then(crate::parse_color);
        cv.sdf_shape(
            (cx - nw / 2.0, cy - nh / 2.0, cx + nw / 2.0, cy + nh / 2.0),
            shape_sdf(geom.shape, cx, cy, nw, nh),
            fill,
            Some((BLACK, stroke_w)),
        );
        let tc = if fill.is_some_and(crate::is_dark) {
            WHITE
        } else {
            BLACK
        };
        cv.text_centered(cx, cy, &node.label, ts, tc);
    }
    if let (Some(t), Some((tx, ty))) = (g.title.as_deref(), lay.title_pos) {
        cv.text_centered(tx * s, ty * s, t, ts, BLACK);
    }
    cv
}

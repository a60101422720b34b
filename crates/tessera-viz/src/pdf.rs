//! A minimal single-page PDF 1.4 drawing the layout with vector operators and
//! the standard (non-embedded) Helvetica font.

use crate::layout::{self, label_lines, Metrics};
use crate::svg::num;
use crate::{Graph, Shape};
use std::fmt::Write;

/// Helvetica advance widths (1/1000 em) for codes 32..=126 in WinAnsiEncoding.
#[rustfmt::skip]
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556,                               // 0..9
    278, 278, 584, 584, 584, 556, 1015,                                             // :..@
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,                // A..M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611,                // N..Z
    278, 278, 278, 469, 556, 333,                                                   // [..`
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,                // a..m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500,                // n..z
    334, 260, 334, 584,                                                             // {..~
];

const FONT_SIZE: f64 = 14.0;

fn pdf_char(c: char) -> char {
    if (32..=126).contains(&(c as u32)) {
        c
    } else {
        '?'
    }
}

pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| HELVETICA[pdf_char(c) as usize - 32] as f64)
        .sum::<f64>()
        * size
        / 1000.0
}

fn pdf_string(s: &str) -> String {
    let mut out = String::from("(");
    for c in s.chars().map(pdf_char) {
        if matches!(c, '(' | ')' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push(')');
    out
}

fn rgb(c: [u8; 3]) -> String {
    format!(
        "{} {} {}",
        num(c[0] as f64 / 255.0),
        num(c[1] as f64 / 255.0),
        num(c[2] as f64 / 255.0)
    )
}

/// Bezier approximation of an ellipse centred on (cx, cy).
fn ellipse_path(s: &mut String, cx: f64, cy: f64, rx: f64, ry: f64) {
    const K: f64 = 0.552_284_75;
    let (ox, oy) = (rx * K, ry * K);
    let _ = writeln!(s, "{} {} m", num(cx + rx), num(cy));
    let segs = [
        (cx + rx, cy + oy, cx + ox, cy + ry, cx, cy + ry),
        (cx - ox, cy + ry, cx - rx, cy + oy, cx - rx, cy),
        (cx - rx, cy - oy, cx - ox, cy - ry, cx, cy - ry),
        (cx + ox, cy - ry, cx + rx, cy - oy, cx + rx, cy),
    ];
    for (a, b, c, d, e, f) in segs {
        let _ = writeln!(
            s,
            "{} {} {} {} {} {} c",
            num(a),
            num(b),
            num(c),
            num(d),
            num(e),
            num(f)
        );
    }
    s.push_str("h\n");
}

fn text_block(s: &mut String, cx: f64, cy_up: f64, label: &str, line_h: f64, color: &str) {
    let lines = label_lines(label);
    let total = lines.len() as f64 * line_h;
    for (i, line) in lines.iter().enumerate() {
        // cy_up is in PDF's y-up space: the first line is the highest.
        let baseline = cy_up + total / 2.0 - line_h * (i as f64 + 0.5) - FONT_SIZE * 0.35;
        let x = cx - text_width(line, FONT_SIZE) / 2.0;
        let _ = writeln!(
            s,
            "BT {color} rg /F1 {} Tf {} {} Td {} Tj ET",
            num(FONT_SIZE),
            num(x),
            num(baseline),
            pdf_string(line)
        );
    }
}

pub(crate) fn render_pdf(g: &Graph) -> Vec<u8> {
    let lay = layout::layout(g, Metrics::new(1.0));
    let (w, h) = (lay.width, lay.height);
    // 96 px per inch -> 72 pt per inch; PDF pages are limited to 14400 pt.
    let k = 0.75 * (14_400.0 / (0.75 * w.max(h))).min(1.0);
    let flip = |y: f64| h - y;

    let mut c = String::new();
    let _ = writeln!(c, "{} 0 0 {} 0 0 cm", num4(k), num4(k));
    c.push_str("1 J 1 j\n");
    c.push_str("0 0 0 RG 0 0 0 rg 1.2 w\n");
    for e in &lay.edges {
        let Some((shaft, tri)) = layout::edge_shaft_and_arrow(&e.points, 10.0, 4.0) else {
            continue;
        };
        for (i, p) in shaft.iter().enumerate() {
            let _ = writeln!(
                c,
                "{} {} {}",
                num(p.0),
                num(flip(p.1)),
                if i == 0 { "m" } else { "l" }
            );
        }
        c.push_str("S\n");
        let _ = writeln!(
            c,
            "{} {} m {} {} l {} {} l h f",
            num(tri[0].0),
            num(flip(tri[0].1)),
            num(tri[1].0),
            num(flip(tri[1].1)),
            num(tri[2].0),
            num(flip(tri[2].1))
        );
    }
    for (node, geom) in g.nodes.iter().zip(&lay.nodes) {
        let fill = node.fill.as_deref().and_then(crate::parse_color);
        if let Some(f) = fill {
            let _ = writeln!(c, "{} rg", rgb(f));
        }
        let (cx, cy) = (geom.cx, flip(geom.cy));
        match geom.shape {
            Shape::Box => {
                let _ = writeln!(
                    c,
                    "{} {} {} {} re",
                    num(cx - geom.w / 2.0),
                    num(cy - geom.h / 2.0),
                    num(geom.w),
                    num(geom.h)
                );
            }
            Shape::Circle => {
                let r = geom.w.min(geom.h) / 2.0;
                ellipse_path(&mut c, cx, cy, r, r);
            }
            Shape::Ellipse => ellipse_path(&mut c, cx, cy, geom.w / 2.0, geom.h / 2.0),
        }
        c.push_str(if fill.is_some() { "B\n" } else { "S\n" });
        let color = if fill.is_some_and(crate::is_dark) {
            "1 1 1"
        } else {
            "0 0 0"
        };
        text_block(&mut c, cx, cy, &node.label, lay.metrics.line_h, color);
    }
    if let (Some(t), Some((tx, ty))) = (g.title.as_deref(), lay.title_pos) {
        text_block(&mut c, tx, flip(ty), t, lay.metrics.line_h, "0 0 0");
    }

    let page_w = num(w * k);
    let page_h = num(h * k);
    let title = g.title.as_deref().unwrap_or("task graph");
    let objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        format!("<< /Length {} >>\nstream\n{}endstream", c.len(), c),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Title {} /Producer (tessera-viz) >>", pdf_string(title)),
    ];
    let mut out: Vec<u8> = Vec::new();
    out.extend_from_slice(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, body).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(tail, "{off:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{}\n%%EOF\n",
        objects.len() + 1,
        xref
    );
    out.extend_from_slice(tail.as_bytes());
    out
}

fn num4(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

//! Self-contained SVG output, structured like Graphviz's (a `graph` group, one
//! `edge` group per edge, one `node` group per node with a `<title>`).

use crate::layout::{self, label_lines, Layout, Metrics};
use crate::{Graph, Shape};
use std::fmt::Write;

pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Formats a coordinate compactly and deterministically.
pub(crate) fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

const FONT_SIZE: f64 = 14.0;

fn text_block(out: &mut String, cx: f64, cy: f64, label: &str, line_h: f64, color: &str) {
    let lines = label_lines(label);
    let total = lines.len() as f64 * line_h;
    for (i, line) in lines.iter().enumerate() {
        let baseline = cy - total / 2.0 + line_h * (i as f64 + 0.5) + FONT_SIZE * 0.35;
        let _ = writeln!(
            out,
            "<text text-anchor=\"middle\" x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"{}\" fill=\"{}\">{}</text>",
            num(cx),
            num(baseline),
            FONT_SIZE,
            color,
            xml_escape(line)
        );
    }
}

pub(crate) fn render_svg(g: &Graph) -> String {
    let lay = layout::layout(g, Metrics::new(1.0));
    render_svg_layout(g, &lay)
}

pub(crate) fn render_svg_layout(g: &Graph, lay: &Layout) -> String {
    let (w, h) = (lay.width.ceil(), lay.height.ceil());
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}px\" height=\"{h}px\" viewBox=\"0 0 {w} {h}\">"
    );
    out.push_str("<g id=\"graph0\" class=\"graph\">\n");
    let _ = writeln!(
        out,
        "<title>{}</title>",
        xml_escape(g.title.as_deref().unwrap_or("G"))
    );
    let _ = writeln!(
        out,
        "<polygon fill=\"white\" stroke=\"none\" points=\"0,0 {w},0 {w},{h} 0,{h}\"/>"
    );
    if let (Some(t), Some((tx, ty))) = (g.title.as_deref(), lay.title_pos) {
        text_block(&mut out, tx, ty, t, lay.metrics.line_h, "black");
    }
    for (i, e) in lay.edges.iter().enumerate() {
        let Some((shaft, tri)) = layout::edge_shaft_and_arrow(&e.points, 10.0, 4.0) else {
            continue;
        };
        let _ = writeln!(out, "<g id=\"edge{}\" class=\"edge\">", i + 1);
        let _ = writeln!(
            out,
            "<title>{}&#45;&gt;{}</title>",
            xml_escape(&g.nodes[e.from].id),
            xml_escape(&g.nodes[e.to].id)
        );
        let mut d = String::new();
        for (k, p) in shaft.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{}",
                if k == 0 { "M" } else { " L" },
                num(p.0),
                num(p.1)
            );
        }
        let _ = writeln!(
            out,
            "<path fill=\"none\" stroke=\"black\" stroke-width=\"1.2\" d=\"{d}\"/>"
        );
        let _ = writeln!(
            out,
            "<polygon fill=\"black\" stroke=\"black\" points=\"{},{} {},{} {},{}\"/>",
            num(tri[0].0),
            num(tri[0].1),
            num(tri[1].0),
            num(tri[1].1),
            num(tri[2].0),
            num(tri[2].1)
        );
        out.push_str("</g>\n");
    }
    for (i, (node, geom)) in g.nodes.iter().zip(&lay.nodes).enumerate() {
        let _ = writeln!(out, "<g id=\"node{}\" class=\"node\">", i + 1);
        let tip = node.tooltip.as_deref().unwrap_or(&node.id);
        let _ = writeln!(out, "<title>{}</title>", xml_escape(tip));
        let fill_rgb = node.fill.as_deref().and_then(crate::parse_color);
        let fill = match fill_rgb {
            Some(c) => crate::hex(c),
            None => "none".to_string(),
        };
        let common = format!("fill=\"{fill}\" stroke=\"black\" stroke-width=\"1.2\"");
        match geom.shape {
            Shape::Circle => {
                let _ = writeln!(
                    out,
                    "<circle {common} cx=\"{}\" cy=\"{}\" r=\"{}\"/>",
                    num(geom.cx),
                    num(geom.cy),
                    num(geom.w.min(geom.h) / 2.0)
                );
            }
            Shape::Ellipse => {
                let _ = writeln!(
                    out,
                    "<ellipse {common} cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"/>",
                    num(geom.cx),
                    num(geom.cy),
                    num(geom.w / 2.0),
                    num(geom.h / 2.0)
                );
            }
            Shape::Box => {
                let _ = writeln!(
                    out,
                    "<rect {common} x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>",
                    num(geom.cx - geom.w / 2.0),
                    num(geom.cy - geom.h / 2.0),
                    num(geom.w),
                    num(geom.h)
                );
            }
        }
        let color = if fill_rgb.is_some_and(crate::is_dark) {
            "white"
        } else {
            "black"
        };
        text_block(
            &mut out,
            geom.cx,
            geom.cy,
            &node.label,
            lay.metrics.line_h,
            color,
        );
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n</svg>\n");
    out
}

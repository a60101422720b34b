//! Task-graph pictures for tessera, in the style of Dask's `visualize()`:
//! operations are circles labelled with the operation name, data are boxes,
//! edges run from producer to consumer and, by default, from bottom to top.
//!
//! [`render`] uses Graphviz's `dot` when it is on `PATH` (unless the
//! environment variable `TESSERA_NO_GRAPHVIZ=1` is set) and otherwise falls
//! back to [`render_builtin`], a dependency-free renderer: a layered
//! (Sugiyama-style) layout, SVG and PDF writers, and a rasterizer with an
//! embedded bitmap font and its own PNG/zlib encoder.
//!
//! ```
//! use tessera_viz::{Graph, Node, Shape, Format};
//! let node = |id: &str, label: &str, shape| Node {
//!     id: id.into(), label: label.into(), shape, fill: None, tooltip: None,
//! };
//! let g = Graph {
//!     nodes: vec![node("f", "add", Shape::Circle), node("x", "", Shape::Box)],
//!     edges: vec![(0, 1)],
//!     ..Default::default()
//! };
//! assert!(tessera_viz::to_dot(&g).contains("shape=circle"));
//! let png = tessera_viz::render_builtin(&g, Format::Png).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

mod font;
mod layout;
mod pdf;
mod png;
mod raster;
mod svg;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Outline of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Box,
    Circle,
    Ellipse,
}

/// Direction in which ranks advance (Graphviz's `rankdir`): `BT` puts the
/// sources at the bottom, as Dask does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankDir {
    BT,
    TB,
    LR,
    RL,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
    Pdf,
    Dot,
}

/// A vertex of the picture.
#[derive(Clone, Debug)]
pub struct Node {
    /// Unique identifier (the DOT node name).
    pub id: String,
    /// Text drawn inside the node; may be empty (Dask's data boxes are) and
    /// may contain `\n` for several lines.
    pub label: String,
    pub shape: Shape,
    /// Fill colour as `"#rrggbb"` (also `"#rgb"`); `None` leaves it unfilled.
    pub fill: Option<String>,
    /// Hover text (SVG `<title>`, DOT `tooltip`); defaults to the id in SVG.
    pub tooltip: Option<String>,
}

/// A directed graph; edges are `(producer, consumer)` indices into `nodes`.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<(usize, usize)>,
    /// Defaults to [`RankDir::BT`].
    pub rankdir: Option<RankDir>,
    /// Drawn centred above the picture.
    pub title: Option<String>,
}

fn rankdir_name(r: RankDir) -> &'static str {
    match r {
        RankDir::BT => "BT",
        RankDir::TB => "TB",
        RankDir::LR => "LR",
        RankDir::RL => "RL",
    }
}

fn shape_name(s: Shape) -> &'static str {
    match s {
        Shape::Box => "box",
        Shape::Circle => "circle",
        Shape::Ellipse => "ellipse",
    }
}

/// A DOT double-quoted string.
fn dot_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Parses `"#rrggbb"`, `"#rrggbbaa"` (alpha ignored) or `"#rgb"`.
pub(crate) fn parse_color(s: &str) -> Option<[u8; 3]> {
    let h = s.trim().strip_prefix('#')?;
    if !h.is_ascii() {
        return None;
    }
    let pair = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    match h.len() {
        6 | 8 => Some([pair(0)?, pair(2)?, pair(4)?]),
        3 => {
            let d = |i: usize| u8::from_str_radix(&h[i..i + 1], 16).ok().map(|v| v * 17);
            Some([d(0)?, d(1)?, d(2)?])
        }
        _ => None,
    }
}

/// Whether black text would be hard to read on this fill.
pub(crate) fn is_dark(c: [u8; 3]) -> bool {
    0.299 * c[0] as f64 + 0.587 * c[1] as f64 + 0.114 * (c[2] as f64) < 120.0
}

pub(crate) fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// DOT text for the graph, deterministic and with Dask-like attributes:
/// `graph [rankdir=BT]`, `label=... shape=circle|box`, `style=filled
/// fillcolor=...` for filled nodes. Edges with out-of-range indices are left
/// out.
pub fn to_dot(g: &Graph) -> String {
    let mut s = String::from("digraph {\n");
    let rd = rankdir_name(g.rankdir.unwrap_or(RankDir::BT));
    match &g.title {
        Some(t) => {
            let _ = writeln!(
                s,
                "\tgraph [rankdir={rd}, label={}, labelloc=t]",
                dot_quote(t)
            );
        }
        None => {
            let _ = writeln!(s, "\tgraph [rankdir={rd}]");
        }
    }
    for n in &g.nodes {
        let _ = write!(
            s,
            "\t{} [label={}, shape={}",
            dot_quote(&n.id),
            dot_quote(&n.label),
            shape_name(n.shape)
        );
        if let Some(f) = &n.fill {
            let _ = write!(s, ", style=filled, fillcolor={}", dot_quote(f));
            if parse_color(f).is_some_and(is_dark) {
                s.push_str(", fontcolor=white");
            }
        }
        if let Some(t) = &n.tooltip {
            let _ = write!(s, ", tooltip={}", dot_quote(t));
        }
        s.push_str("]\n");
    }
    let n = g.nodes.len();
    for &(a, b) in &g.edges {
        if a < n && b < n {
            let _ = writeln!(
                s,
                "\t{} -> {}",
                dot_quote(&g.nodes[a].id),
                dot_quote(&g.nodes[b].id)
            );
        }
    }
    s.push_str("}\n");
    s
}

fn check(g: &Graph) -> Result<(), String> {
    let n = g.nodes.len();
    for &(a, b) in &g.edges {
        if a >= n || b >= n {
            return Err(format!(
                "edge ({a}, {b}) refers to a node past the {n} nodes"
            ));
        }
    }
    Ok(())
}

fn graphviz_disabled() -> bool {
    match std::env::var("TESSERA_NO_GRAPHVIZ") {
        Ok(v) => {
            let v = v.trim();
            !(v.is_empty() || v == "0" || v.eq_ignore_ascii_case("false"))
        }
        Err(_) => false,
    }
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for candidate in [dir.join(name), dir.join(format!("{name}.exe"))] {
            if is_executable(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}

fn dot_program() -> Option<PathBuf> {
    if graphviz_disabled() {
        None
    } else {
        find_in_path("dot")
    }
}

/// Whether [`render`] will try Graphviz: `dot` is an executable on `PATH` and
/// `TESSERA_NO_GRAPHVIZ` is not set to `1`.
pub fn graphviz_available() -> bool {
    dot_program().is_some()
}

/// Runs `program -T<fmt>` with the DOT text on stdin and returns stdout.
pub(crate) fn run_dot(program: &Path, dot: &str, fmt: &str) -> Result<Vec<u8>, String> {
    let mut child = Command::new(program)
        .arg(format!("-T{fmt}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", program.display()))?;
    let mut stdin = child.stdin.take().ok_or("no stdin for dot")?;
    let input = dot.as_bytes().to_vec();
    // Write from another thread so a large output cannot deadlock the pipes.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("dot failed: {e}"))?;
    let wrote = writer
        .join()
        .map_err(|_| "dot writer panicked".to_string())?;
    if !out.status.success() {
        return Err(format!(
            "dot exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    wrote.map_err(|e| format!("writing to dot: {e}"))?;
    if out.stdout.is_empty() {
        return Err("dot produced no output".to_string());
    }
    Ok(out.stdout)
}

fn graphviz_format(f: Format) -> &'static str {
    match f {
        Format::Png => "png",
        Format::Svg => "svg",
        Format::Pdf => "pdf",
        Format::Dot => "dot",
    }
}

/// Renders the graph: [`Format::Dot`] gives the [`to_dot`] text; other
/// formats go through Graphviz's `dot` when [`graphviz_available`], and
/// through [`render_builtin`] otherwise or when `dot` fails.
pub fn render(g: &Graph, format: Format) -> Result<Vec<u8>, String> {
    check(g)?;
    if format == Format::Dot {
        return Ok(to_dot(g).into_bytes());
    }
    if let Some(program) = dot_program() {
        if let Ok(bytes) = run_dot(&program, &to_dot(g), graphviz_format(format)) {
            return Ok(bytes);
        }
    }
    render_builtin(g, format)
}

/// Renders the graph without Graphviz. PNG pictures are capped at 4000
/// pixels a side (spacing and text shrink, then labels are dropped, for
/// larger graphs).
pub fn render_builtin(g: &Graph, format: Format) -> Result<Vec<u8>, String> {
    check(g)?;
    Ok(match format {
        Format::Dot => to_dot(g).into_bytes(),
        Format::Svg => svg::render_svg(g).into_bytes(),
        Format::Png => raster::render_png(g),
        Format::Pdf => pdf::render_pdf(g),
    })
}

/// `"png"`, `"svg"`, `"pdf"`, `"dot"` (also `"gv"`), case-insensitive, with
/// or without a leading dot.
pub fn format_from_name(name: &str) -> Option<Format> {
    let n = name.trim().trim_start_matches('.').to_ascii_lowercase();
    match n.as_str() {
        "png" => Some(Format::Png),
        "svg" => Some(Format::Svg),
        "pdf" => Some(Format::Pdf),
        "dot" | "gv" => Some(Format::Dot),
        _ => None,
    }
}

fn hsl_to_rgb(h: f64, s: f64, l: f64) -> [u8; 3] {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h.rem_euclid(360.0)) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    [to(r), to(g), to(b)]
}

/// ColorBrewer "Set3": light colours that keep black labels readable.
const SET3: [[u8; 3]; 12] = [
    [0x8d, 0xd3, 0xc7],
    [0xff, 0xff, 0xb3],
    [0xbe, 0xba, 0xda],
    [0xfb, 0x80, 0x72],
    [0x80, 0xb1, 0xd3],
    [0xfd, 0xb4, 0x62],
    [0xb3, 0xde, 0x69],
    [0xfc, 0xcd, 0xe5],
    [0xd9, 0xd9, 0xd9],
    [0xbc, 0x80, 0xbd],
    [0xcc, 0xeb, 0xc5],
    [0xff, 0xed, 0x6f],
];

/// Turns a hue index into a pleasant fill colour (for colouring by operation
/// or order): the twelve ColorBrewer Set3 colours, then light colours whose
/// hues step by the golden angle.
pub fn palette(i: usize) -> String {
    if i < SET3.len() {
        hex(SET3[i])
    } else {
        let k = i - SET3.len();
        let hue = 17.0 + k as f64 * 137.507_764;
        let light = [0.78, 0.70, 0.84][k % 3];
        hex(hsl_to_rgb(hue, 0.62, light))
    }
}

/// Matplotlib's "plasma" colour map at eleven evenly spaced stops.
const PLASMA: [[u8; 3]; 11] = [
    [0x0d, 0x08, 0x87],
    [0x41, 0x04, 0x9d],
    [0x6a, 0x00, 0xa8],
    [0x8f, 0x0d, 0xa4],
    [0xb1, 0x2a, 0x90],
    [0xcc, 0x47, 0x78],
    [0xe1, 0x64, 0x62],
    [0xf2, 0x84, 0x4b],
    [0xfc, 0xa6, 0x36],
    [0xfc, 0xce, 0x25],
    [0xf0, 0xf9, 0x21],
];

/// Colour of the `k`-th of `n` tasks in execution order: a gradient like
/// Dask's `color="order"` (matplotlib's plasma, dark blue-violet first,
/// yellow last). Labels on the dark end are drawn in white.
pub fn order_color(k: usize, n: usize) -> String {
    let t = if n <= 1 {
        0.0
    } else {
        k.min(n - 1) as f64 / (n - 1) as f64
    };
    let f = t * (PLASMA.len() - 1) as f64;
    let i = (f.floor() as usize).min(PLASMA.len() - 2);
    let u = f - i as f64;
    let (a, b) = (PLASMA[i], PLASMA[i + 1]);
    let mix = |j: usize| (a[j] as f64 + (b[j] as f64 - a[j] as f64) * u).round() as u8;
    hex([mix(0), mix(1), mix(2)])
}

use crate::layout::{self, Metrics};
use crate::*;

// ---------------------------------------------------------------- helpers --

fn node(id: &str, label: &str, shape: Shape) -> Node {
    Node {
        id: id.to_string(),
        label: label.to_string(),
        shape,
        fill: None,
        tooltip: None,
    }
}

/// Dask's picture of `da.random.normal(size=(4 chunks)).mean()`:
/// 4 `normal` tasks -> 4 `mean_chunk` tasks -> 1 `mean_agg`, each task
/// followed by its (unlabelled) data box.
fn seed_graph() -> Graph {
    let mut g = Graph::default();
    let add = |g: &mut Graph, n: Node| {
        g.nodes.push(n);
        g.nodes.len() - 1
    };
    let mut chunk_data = Vec::new();
    for i in 0..4 {
        let f = add(
            &mut g,
            node(&format!("normal-{i}-fn"), "normal", Shape::Circle),
        );
        let mut d = node(&format!("normal-{i}"), "", Shape::Box);
        d.tooltip = Some(format!("('normal', {i})"));
        let d = add(&mut g, d);
        let f2 = add(
            &mut g,
            node(&format!("mean_chunk-{i}-fn"), "mean_chunk", Shape::Circle),
        );
        let mut d2 = node(&format!("mean_chunk-{i}"), "", Shape::Box);
        d2.tooltip = Some(format!("('mean_chunk', {i})"));
        let d2 = add(&mut g, d2);
        g.edges.extend([(f, d), (d, f2), (f2, d2)]);
        chunk_data.push(d2);
    }
    let agg = add(&mut g, node("mean_agg-fn", "mean_agg", Shape::Circle));
    let out = add(&mut g, node("mean_agg", "", Shape::Box));
    for d in chunk_data {
        g.edges.push((d, agg));
    }
    g.edges.push((agg, out));
    g
}

/// Deterministic pseudo-random DAG with mixed shapes and labels.
fn random_dag(n: usize, extra: usize, seed: u64) -> Graph {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    let shapes = [Shape::Circle, Shape::Box, Shape::Ellipse];
    let names = [
        "add",
        "mul",
        "sum",
        "transpose",
        "x",
        "",
        "getitem",
        "rechunk-merge",
    ];
    let mut g = Graph::default();
    for i in 0..n {
        let mut nd = node(
            &format!("n{i}"),
            names[next() % names.len()],
            shapes[next() % 3],
        );
        if i % 3 == 0 {
            nd.fill = Some(palette(i % 20));
        }
        g.nodes.push(nd);
    }
    for i in 1..n {
        let j = next() % i;
        g.edges.push((j, i));
    }
    for _ in 0..extra {
        let a = next() % n;
        let b = next() % n;
        if a < b {
            g.edges.push((a, b));
        }
    }
    g
}

/// Bitwise CRC-32, independent from the table-driven one in the crate.
fn crc32_slow(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

struct Bits<'a> {
    data: &'a [u8],
    pos: usize, // in bits
}

impl Bits<'_> {
    fn bit(&mut self) -> u32 {
        let b = (self.data[self.pos / 8] >> (self.pos % 8)) & 1;
        self.pos += 1;
        b as u32
    }
    fn bits(&mut self, n: u32) -> u32 {
        (0..n).map(|i| self.bit() << i).sum()
    }
    /// Reads a Huffman code MSB-first (as DEFLATE packs them).
    fn code(&mut self, n: u32) -> u32 {
        (0..n).fold(0, |acc, _| (acc << 1) | self.bit())
    }
}

/// Minimal inflate for stored and fixed-Huffman blocks.
fn inflate(data: &[u8]) -> Vec<u8> {
    const LB: [usize; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LE: [u32; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DB: [usize; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DE: [u32; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];
    let mut out = Vec::new();
    let mut br = Bits { data, pos: 0 };
    loop {
        let last = br.bit();
        let kind = br.bits(2);
        match kind {
            0 => {
                br.pos = br.pos.div_ceil(8) * 8;
                let len = br.bits(16) as usize;
                let nlen = br.bits(16) as usize;
                assert_eq!(len, !nlen & 0xFFFF);
                let start = br.pos / 8;
                out.extend_from_slice(&data[start..start + len]);
                br.pos += len * 8;
            }
            1 => loop {
                // fixed literal/length code
                let mut c = br.code(7);
                let sym = if c <= 0b0010111 {
                    256 + c
                } else {
                    c = (c << 1) | br.bit();
                    if (0x30..=0xBF).contains(&c) {
                        c - 0x30
                    } else if (0xC0..=0xC7).contains(&c) {
                        280 + c - 0xC0
                    } else {
                        c = (c << 1) | br.bit();
                        144 + c - 0x190
                    }
                };
                if sym < 256 {
                    out.push(sym as u8);
                } else if sym == 256 {
                    break;
                } else {
                    let k = (sym - 257) as usize;
                    let len = LB[k] + br.bits(LE[k]) as usize;
                    let dc = br.code(5) as usize;
                    let dist = DB[dc] + br.bits(DE[dc]) as usize;
                    assert!(dist <= out.len(), "distance past start");
                    let from = out.len() - dist;
                    for j in 0..len {
                        out.push(out[from + j]);
                    }
                }
            },
            _ => panic!("unsupported block type {kind}"),
        }
        if last == 1 {
            break;
        }
    }
    out
}

struct Png {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
}

/// Checks signature, chunk CRCs, IHDR, zlib header and Adler-32, and undoes
/// the row filters.
fn decode_png(bytes: &[u8]) -> Png {
    assert_eq!(
        &bytes[..8],
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]
    );
    let mut i = 8;
    let mut chunks: Vec<([u8; 4], &[u8])> = Vec::new();
    while i < bytes.len() {
        let len = u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        let kind: [u8; 4] = bytes[i + 4..i + 8].try_into().unwrap();
        let data = &bytes[i + 8..i + 8 + len];
        let crc = u32::from_be_bytes(bytes[i + 8 + len..i + 12 + len].try_into().unwrap());
        assert_eq!(
            crc,
            crc32_slow(&bytes[i + 4..i + 8 + len]),
            "bad CRC in {:?}",
            kind
        );
        chunks.push((kind, data));
        i += 12 + len;
    }
    assert_eq!(i, bytes.len());
    assert_eq!(&chunks[0].0, b"IHDR");
    assert_eq!(&chunks.last().unwrap().0, b"IEND");
    let ihdr = chunks[0].1;
    let width = u32::from_be_bytes(ihdr[0..4].try_into().unwrap()) as usize;
    let height = u32::from_be_bytes(ihdr[4..8].try_into().unwrap()) as usize;
    assert_eq!(&ihdr[8..13], &[8, 2, 0, 0, 0]);
    assert!(
        width >= 1 && height >= 1 && width <= 4000 && height <= 4000,
        "{width}x{height}"
    );
    let z: Vec<u8> = chunks
        .iter()
        .filter(|c| &c.0 == b"IDAT")
        .flat_map(|c| c.1.iter().copied())
        .collect();
    assert_eq!(
        ((z[0] as u16) << 8 | z[1] as u16) % 31,
        0,
        "zlib header check"
    );
    assert_eq!(z[0] & 0x0F, 8, "deflate method");
    let raw = inflate(&z[2..z.len() - 4]);
    let adler = u32::from_be_bytes(z[z.len() - 4..].try_into().unwrap());
    assert_eq!(adler, crate::png::adler32(&raw));
    let stride = width * 3;
    assert_eq!(raw.len(), height * (stride + 1));
    let mut rgb = vec![0u8; height * stride];
    for y in 0..height {
        let f = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        for x in 0..stride {
            let a = if x >= 3 {
                rgb[y * stride + x - 3] as i16
            } else {
                0
            };
            let b = if y > 0 {
                rgb[(y - 1) * stride + x] as i16
            } else {
                0
            };
            let c = if x >= 3 && y > 0 {
                rgb[(y - 1) * stride + x - 3] as i16
            } else {
                0
            };
            let pred = match f {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                _ => panic!("bad filter {f}"),
            };
            rgb[y * stride + x] = (line[x] as i16 + pred) as u8;
        }
    }
    Png { width, height, rgb }
}

impl Png {
    fn px(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
    fn count(&self, x0: f64, y0: f64, x1: f64, y1: f64, pred: impl Fn([u8; 3]) -> bool) -> usize {
        let xs = x0.max(0.0) as usize;
        let ys = y0.max(0.0) as usize;
        let xe = (x1.ceil() as usize).min(self.width);
        let ye = (y1.ceil() as usize).min(self.height);
        let mut n = 0;
        for y in ys..ye {
            for x in xs..xe {
                if pred(self.px(x, y)) {
                    n += 1;
                }
            }
        }
        n
    }
}

/// A small XML well-formedness check: balanced tags, quoted attributes, only
/// known entities.
fn check_xml(s: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = s;
    let mut roots = 0;
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        check_text(text);
        rest = &rest[lt..];
        if rest.starts_with("<?") {
            let end = rest.find("?>").expect("unterminated PI");
            rest = &rest[end + 2..];
            continue;
        }
        if rest.starts_with("<!--") {
            let end = rest.find("-->").expect("unterminated comment");
            rest = &rest[end + 3..];
            continue;
        }
        let end = rest.find('>').expect("unterminated tag");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("stray </{name}>"));
            assert_eq!(open, name.trim());
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/')
            .collect();
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-')
        );
        if stack.is_empty() {
            roots += 1;
        }
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest);
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1);
}

fn check_text(t: &str) {
    let mut rest = t;
    while let Some(a) = rest.find('&') {
        let semi = rest[a..].find(';').expect("bare &");
        let ent = &rest[a + 1..a + semi];
        assert!(
            matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos") || ent.starts_with('#'),
            "unknown entity &{ent};"
        );
        rest = &rest[a + semi..];
    }
}

fn assert_layout_sane(g: &Graph, lay: &layout::Layout) {
    let n = g.nodes.len();
    assert_eq!(lay.nodes.len(), n);
    // Nodes inside the picture.
    for v in &lay.nodes {
        assert!(v.cx - v.w / 2.0 >= -1e-6 && v.cx + v.w / 2.0 <= lay.width + 1e-6);
        assert!(v.cy - v.h / 2.0 >= -1e-6 && v.cy + v.h / 2.0 <= lay.height + 1e-6);
    }
    // No overlaps: sort by left edge and sweep.
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| {
        (lay.nodes[a].cx - lay.nodes[a].w / 2.0)
            .total_cmp(&(lay.nodes[b].cx - lay.nodes[b].w / 2.0))
    });
    for (k, &a) in idx.iter().enumerate() {
        let na = &lay.nodes[a];
        for &b in &idx[k + 1..] {
            let nb = &lay.nodes[b];
            if nb.cx - nb.w / 2.0 >= na.cx + na.w / 2.0 {
                break;
            }
            let overlap_y = (na.cy - nb.cy).abs() < (na.h + nb.h) / 2.0 - 1e-6;
            assert!(!overlap_y, "nodes {a} and {b} overlap: {na:?} {nb:?}");
        }
    }
    // Edges go to strictly higher ranks, and the consumer lies entirely
    // beyond the producer in the rank direction.
    let rd = g.rankdir.unwrap_or(RankDir::BT);
    for &(a, b) in &g.edges {
        let (p, c) = (&lay.nodes[a], &lay.nodes[b]);
        assert!(
            c.rank > p.rank,
            "edge {a}->{b} ranks {} -> {}",
            p.rank,
            c.rank
        );
        assert!(
            lay.edges
                .iter()
                .any(|e| e.from == a && e.to == b && e.points.len() >= 2),
            "edge {a}->{b} not drawn"
        );
        let ok = match rd {
            RankDir::BT => c.cy + c.h / 2.0 < p.cy - p.h / 2.0,
            RankDir::TB => c.cy - c.h / 2.0 > p.cy + p.h / 2.0,
            RankDir::LR => c.cx - c.w / 2.0 > p.cx + p.w / 2.0,
            RankDir::RL => c.cx + c.w / 2.0 < p.cx - p.w / 2.0,
        };
        assert!(ok, "edge {a}->{b} against {rd:?}");
    }
}

// ------------------------------------------------------------------ tests --

#[test]
fn dot_golden_seed_graph() {
    let expected = r#"digraph {
	graph [rankdir=BT]
	"normal-0-fn" [label="normal", shape=circle]
	"normal-0" [label="", shape=box, tooltip="('normal', 0)"]
	"mean_chunk-0-fn" [label="mean_chunk", shape=circle]
	"mean_chunk-0" [label="", shape=box, tooltip="('mean_chunk', 0)"]
	"normal-1-fn" [label="normal", shape=circle]
	"normal-1" [label="", shape=box, tooltip="('normal', 1)"]
	"mean_chunk-1-fn" [label="mean_chunk", shape=circle]
	"mean_chunk-1" [label="", shape=box, tooltip="('mean_chunk', 1)"]
	"normal-2-fn" [label="normal", shape=circle]
	"normal-2" [label="", shape=box, tooltip="('normal', 2)"]
	"mean_chunk-2-fn" [label="mean_chunk", shape=circle]
	"mean_chunk-2" [label="", shape=box, tooltip="('mean_chunk', 2)"]
	"normal-3-fn" [label="normal", shape=circle]
	"normal-3" [label="", shape=box, tooltip="('normal', 3)"]
	"mean_chunk-3-fn" [label="mean_chunk", shape=circle]
	"mean_chunk-3" [label="", shape=box, tooltip="('mean_chunk', 3)"]
	"mean_agg-fn" [label="mean_agg", shape=circle]
	"mean_agg" [label="", shape=box]
	"normal-0-fn" -> "normal-0"
	"normal-0" -> "mean_chunk-0-fn"
	"mean_chunk-0-fn" -> "mean_chunk-0"
	"normal-1-fn" -> "normal-1"
	"normal-1" -> "mean_chunk-1-fn"
	"mean_chunk-1-fn" -> "mean_chunk-1"
	"normal-2-fn" -> "normal-2"
	"normal-2" -> "mean_chunk-2-fn"
	"mean_chunk-2-fn" -> "mean_chunk-2"
	"normal-3-fn" -> "normal-3"
	"normal-3" -> "mean_chunk-3-fn"
	"mean_chunk-3-fn" -> "mean_chunk-3"
	"mean_chunk-0" -> "mean_agg-fn"
	"mean_chunk-1" -> "mean_agg-fn"
	"mean_chunk-2" -> "mean_agg-fn"
	"mean_chunk-3" -> "mean_agg-fn"
	"mean_agg-fn" -> "mean_agg"
}
"#;
    assert_eq!(to_dot(&seed_graph()), expected);
}

#[test]
fn dot_attributes_and_escaping() {
    let mut g = Graph {
        nodes: vec![
            node("a\"b", "two\nlines \\ x", Shape::Ellipse),
            node("c", "c", Shape::Box),
        ],
        edges: vec![(0, 1), (0, 7)],
        rankdir: Some(RankDir::LR),
        title: Some("my \"graph\"".into()),
    };
    g.nodes[0].fill = Some("#0d0887".into());
    g.nodes[1].fill = Some("#ffffb3".into());
    let d = to_dot(&g);
    assert!(
        d.starts_with("digraph {\n\tgraph [rankdir=LR, label=\"my \\\"graph\\\"\", labelloc=t]\n")
    );
    assert!(d.contains(
        "\t\"a\\\"b\" [label=\"two\\nlines \\\\ x\", shape=ellipse, style=filled, fillcolor=\"#0d0887\", fontcolor=white]\n"
    ));
    assert!(d.contains("\t\"c\" [label=\"c\", shape=box, style=filled, fillcolor=\"#ffffb3\"]\n"));
    assert!(d.contains("\t\"a\\\"b\" -> \"c\"\n"));
    assert_eq!(d.matches("->").count(), 1, "out-of-range edge left out");
}

#[test]
fn checksums_known_values() {
    assert_eq!(png::crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(png::crc32(b""), 0);
    assert_eq!(png::adler32(b"Wikipedia"), 0x11E6_0398);
    assert_eq!(png::adler32(b""), 1);
    let big: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    assert_eq!(png::crc32(&big), crc32_slow(&big));
}

#[test]
fn deflate_round_trips() {
    let mut cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"a".to_vec(),
        b"abcabcabcabcabcabcabc".to_vec(),
        vec![0u8; 100_000],
        vec![255u8; 70_000],
    ];
    let mut s = 12345u64;
    let noise: Vec<u8> = (0..50_000)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            (s >> 56) as u8
        })
        .collect();
    cases.push(noise.clone());
    // Text-like data with long-distance repeats.
    let mut texty = Vec::new();
    for i in 0..5000 {
        texty.extend_from_slice(
            format!("chunk {} of {} -> mean_chunk\n", i % 97, i % 13).as_bytes(),
        );
    }
    cases.push(texty);
    let mut mixed = noise[..40_000].to_vec();
    mixed.extend_from_slice(&noise[..40_000]); // repeat at distance 40000 (> window)
    mixed.extend_from_slice(&noise[30_000..31_000]); // repeat inside the window
    cases.push(mixed);
    for c in &cases {
        let z = png::deflate_fixed(c);
        assert_eq!(&inflate(&z), c, "round trip of {} bytes", c.len());
    }
    assert!(png::deflate_fixed(&vec![0u8; 100_000]).len() < 1000);
}

#[test]
fn png_seed_graph_is_valid_and_draws_every_node() {
    let g = seed_graph();
    let bytes = render_builtin(&g, Format::Png).unwrap();
    let img = decode_png(&bytes);
    let (lay, s, ts) = raster::png_layout(&g);
    assert_eq!(s, 1.0);
    assert_eq!(ts, 2);
    assert_eq!(img.width, lay.width.ceil() as usize);
    assert_eq!(img.height, lay.height.ceil() as usize);
    assert!(
        img.width > 100 && img.height > 200,
        "{}x{}",
        img.width,
        img.height
    );
    let non_white = |p: [u8; 3]| p != [255, 255, 255];
    let black = |p: [u8; 3]| p[0] < 60 && p[1] < 60 && p[2] < 60;
    for (nd, v) in g.nodes.iter().zip(&lay.nodes) {
        let (x0, y0, x1, y1) = (
            v.cx - v.w / 2.0,
            v.cy - v.h / 2.0,
            v.cx + v.w / 2.0,
            v.cy + v.h / 2.0,
        );
        assert!(
            img.count(x0, y0, x1, y1, non_white) > 0,
            "node {} not drawn",
            nd.id
        );
        // The interior (away from the outline) holds the label, or nothing.
        let (ix0, iy0, ix1, iy1) = (v.cx - v.w * 0.3, v.cy - 10.0, v.cx + v.w * 0.3, v.cy + 10.0);
        let text_px = img.count(ix0, iy0, ix1, iy1, black);
        if nd.label.is_empty() {
            assert_eq!(text_px, 0, "empty box {} has ink inside", nd.id);
        } else {
            // 2x-scaled 5x7 glyphs: several 2x2 blocks per character.
            assert!(
                text_px > 16 * nd.label.len(),
                "label of {} missing ({text_px} px)",
                nd.id
            );
        }
    }
    // Every edge is visible halfway along.
    for e in &lay.edges {
        let (a, b) = (e.points[0], *e.points.last().unwrap());
        let (mx, my) = ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
        assert!(img.count(mx - 2.0, my - 2.0, mx + 2.0, my + 2.0, |p| p[0] < 160) > 0);
    }
    // The picture has sources at the bottom: `normal` below `mean_agg`.
    assert!(lay.nodes[0].cy > lay.nodes[16].cy);
}

#[test]
fn png_fill_colors_and_dark_text() {
    let mut g = seed_graph();
    let n = g.nodes.len();
    for (i, nd) in g.nodes.iter_mut().enumerate() {
        nd.fill = Some(order_color(i, n));
    }
    let img = decode_png(&render_builtin(&g, Format::Png).unwrap());
    let (lay, _, _) = raster::png_layout(&g);
    // The first node is dark blue with white text; check both colours appear.
    let v = &lay.nodes[0];
    let fill = parse_color(&order_color(0, n)).unwrap();
    let near = |p: [u8; 3], q: [u8; 3]| (0..3).all(|k| (p[k] as i16 - q[k] as i16).abs() < 3);
    assert!(
        img.count(
            v.cx - v.w / 3.0,
            v.cy - v.h / 3.0,
            v.cx + v.w / 3.0,
            v.cy + v.h / 3.0,
            |p| near(p, fill)
        ) > 100
    );
    assert!(
        img.count(
            v.cx - v.w / 3.0,
            v.cy - 8.0,
            v.cx + v.w / 3.0,
            v.cy + 8.0,
            |p| p == [255, 255, 255]
        ) > 20
    );
}

#[test]
fn svg_is_well_formed_with_one_shape_per_node() {
    let mut g = random_dag(60, 30, 7);
    g.title = Some("random <dag> & more".into());
    g.nodes[1].tooltip = Some("key ('x', 1) & \"q\"".into());
    let svg = String::from_utf8(render_builtin(&g, Format::Svg).unwrap()).unwrap();
    check_xml(&svg);
    let count = |s: Shape| g.nodes.iter().filter(|n| n.shape == s).count();
    assert_eq!(svg.matches("<circle").count(), count(Shape::Circle));
    assert_eq!(svg.matches("<rect").count(), count(Shape::Box));
    assert_eq!(svg.matches("<ellipse").count(), count(Shape::Ellipse));
    assert_eq!(svg.matches("class=\"node\"").count(), g.nodes.len());
    assert_eq!(svg.matches("class=\"edge\"").count(), g.edges.len());
    assert!(svg.contains("<title>key (&#39;x&#39;, 1) &amp; &quot;q&quot;</title>"));
    assert!(svg.contains("font-family=\"sans-serif\""));

    let seed = seed_graph();
    let svg = String::from_utf8(render_builtin(&seed, Format::Svg).unwrap()).unwrap();
    check_xml(&svg);
    assert_eq!(svg.matches("<circle").count(), 9);
    assert_eq!(svg.matches("<rect").count(), 9);
    assert_eq!(svg.matches(">mean_chunk</text>").count(), 4);
}

#[test]
fn pdf_structure() {
    let mut g = seed_graph();
    g.title = Some("mean (of normal)".into());
    let pdf = render_builtin(&g, Format::Pdf).unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4\n"));
    let text = String::from_utf8_lossy(&pdf).to_string();
    assert!(text.ends_with("%%EOF\n"));
    assert!(text.contains("/BaseFont /Helvetica"));
    assert!(text.contains("(mean_chunk) Tj"));
    assert!(text.contains("(mean \\(of normal\\)) Tj"));
    let sx = text.rfind("startxref\n").unwrap();
    let off: usize = text[sx + 10..]
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(&pdf[off..off + 4], b"xref");
    let xref = std::str::from_utf8(&pdf[off..]).unwrap();
    let mut lines = xref.lines().skip(1);
    let count: usize = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(count, 7);
    lines.next(); // free entry
    for k in 1..count {
        let line = lines.next().unwrap();
        let o: usize = line[..10].parse().unwrap();
        assert!(
            pdf[o..].starts_with(format!("{k} 0 obj").as_bytes()),
            "object {k} at {o}"
        );
    }
    // Stream length matches.
    let s = text.find("/Length ").unwrap();
    let len: usize = text[s + 8..].split(' ').next().unwrap().parse().unwrap();
    let start = text.find("stream\n").unwrap() + 7;
    assert_eq!(&text[start + len..start + len + 9], "endstream");
}

#[test]
fn layout_no_overlap_and_edges_follow_rankdir() {
    for rd in [RankDir::BT, RankDir::TB, RankDir::LR, RankDir::RL] {
        for g0 in [
            seed_graph(),
            random_dag(120, 80, 3),
            random_dag(300, 10, 11),
        ] {
            let g = Graph {
                rankdir: Some(rd),
                ..g0
            };
            let lay = layout::layout(&g, Metrics::new(1.0));
            assert_layout_sane(&g, &lay);
            let lay = layout::layout(&g, Metrics::new(0.5));
            assert_layout_sane(&g, &lay);
        }
    }
}

#[test]
fn seed_layout_looks_like_dask() {
    let g = seed_graph();
    let lay = layout::layout(&g, Metrics::new(1.0));
    let ranks: Vec<usize> = lay.nodes.iter().map(|v| v.rank).collect();
    assert_eq!(&ranks[..4], &[0, 1, 2, 3]);
    assert_eq!(&ranks[16..], &[4, 5]);
    // Four columns: each chain is vertical, and mean_agg is centred above them.
    for i in 0..4 {
        let col: Vec<f64> = (0..4).map(|k| lay.nodes[4 * i + k].cx).collect();
        assert!(
            col.iter().all(|&x| (x - col[0]).abs() < 1.0),
            "column {i}: {col:?}"
        );
    }
    let xs: Vec<f64> = (0..4).map(|i| lay.nodes[4 * i].cx).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]));
    let mid = (xs[0] + xs[3]) / 2.0;
    assert!((lay.nodes[16].cx - mid).abs() < 1.0 && (lay.nodes[17].cx - mid).abs() < 1.0);
    // No crossings: all edges are straight up or fan in.
    for e in &lay.edges {
        assert_eq!(e.points.len(), 2);
        assert!(e.points[1].1 < e.points[0].1, "edges point up");
    }
}

#[test]
fn long_edges_are_routed_around_nodes() {
    // a -> b -> c -> d and a -> d: the long edge gets two bends.
    let g = Graph {
        nodes: ["a", "b", "c", "d"]
            .iter()
            .map(|s| node(s, s, Shape::Circle))
            .collect(),
        edges: vec![(0, 1), (1, 2), (2, 3), (0, 3)],
        ..Default::default()
    };
    let lay = layout::layout(&g, Metrics::new(1.0));
    assert_layout_sane(&g, &lay);
    let long = &lay.edges[3];
    // It bends out of the way of b and c and comes back.
    assert!(long.points.len() >= 4, "{:?}", long.points);
    // The long edge stays clear of b and c: sample along every segment.
    for seg in long.points.windows(2) {
        for k in 0..=20 {
            let t = k as f64 / 20.0;
            let (x, y) = (
                seg[0].0 + t * (seg[1].0 - seg[0].0),
                seg[0].1 + t * (seg[1].1 - seg[0].1),
            );
            for v in &lay.nodes[1..3] {
                assert!(
                    ((x - v.cx).powi(2) + (y - v.cy).powi(2)).sqrt() > v.w / 2.0,
                    "long edge hits a node"
                );
            }
        }
    }
}

#[test]
fn edges_never_pass_through_other_nodes() {
    for rd in [RankDir::BT, RankDir::LR] {
        for (n, extra, seed) in [(30, 15, 99), (80, 60, 1), (200, 150, 8)] {
            let g = Graph {
                rankdir: Some(rd),
                ..random_dag(n, extra, seed)
            };
            let lay = layout::layout(&g, Metrics::new(1.0));
            let sdfs: Vec<_> = lay
                .nodes
                .iter()
                .map(|v| raster::shape_sdf(v.shape, v.cx, v.cy, v.w, v.h))
                .collect();
            for e in &lay.edges {
                for seg in e.points.windows(2) {
                    let len =
                        ((seg[1].0 - seg[0].0).powi(2) + (seg[1].1 - seg[0].1).powi(2)).sqrt();
                    let steps = (len / 2.0).ceil() as usize + 1;
                    for k in 0..=steps {
                        let t = k as f64 / steps as f64;
                        let (x, y) = (
                            seg[0].0 + t * (seg[1].0 - seg[0].0),
                            seg[0].1 + t * (seg[1].1 - seg[0].1),
                        );
                        for (i, sdf) in sdfs.iter().enumerate() {
                            if i != e.from && i != e.to {
                                assert!(sdf(x, y) > -1.0, "{rd:?} n={n}: edge {}->{} crosses node {i} at ({x},{y}): {:?} {:?} from {:?} to {:?}", e.from, e.to, e.points, lay.nodes[i], lay.nodes[e.from], lay.nodes[e.to]);
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn crossing_reduction_untangles_a_bipartite_graph() {
    // Sources in one order, consumers listed so that DFS order would cross.
    let n = 6;
    let mut g = Graph::default();
    for i in 0..n {
        g.nodes.push(node(&format!("s{i}"), "s", Shape::Box));
    }
    for i in 0..n {
        g.nodes.push(node(&format!("t{i}"), "t", Shape::Box));
    }
    for i in 0..n {
        g.edges.push((i, n + (n - 1 - i)));
        g.edges.push((i, n + (2 * n - 1 - i) % n));
    }
    let lay = layout::layout(&g, Metrics::new(1.0));
    // Count geometric crossings between straight edges.
    let segs: Vec<((f64, f64), (f64, f64))> = lay
        .edges
        .iter()
        .map(|e| (e.points[0], e.points[1]))
        .collect();
    let mut crossings = 0;
    for i in 0..segs.len() {
        for j in i + 1..segs.len() {
            let ((a, b), (c, d)) = (segs[i], segs[j]);
            let o = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
                (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
            };
            if o(a, b, c) * o(a, b, d) < 0.0 && o(c, d, a) * o(c, d, b) < 0.0 {
                crossings += 1;
            }
        }
    }
    assert!(crossings <= 1, "{crossings} crossings");
}

#[test]
fn deterministic_output() {
    for g in [seed_graph(), random_dag(200, 100, 5)] {
        for f in [Format::Png, Format::Svg, Format::Pdf, Format::Dot] {
            assert_eq!(
                render_builtin(&g, f).unwrap(),
                render_builtin(&g, f).unwrap(),
                "{f:?}"
            );
        }
    }
}

#[test]
fn empty_cyclic_and_invalid_graphs() {
    let empty = Graph::default();
    let img = decode_png(&render_builtin(&empty, Format::Png).unwrap());
    assert!(img.width >= 1);
    check_xml(&String::from_utf8(render_builtin(&empty, Format::Svg).unwrap()).unwrap());
    assert!(render_builtin(&empty, Format::Pdf)
        .unwrap()
        .starts_with(b"%PDF-"));
    assert_eq!(to_dot(&empty), "digraph {\n\tgraph [rankdir=BT]\n}\n");

    // Cycles and self loops must not hang or panic.
    let cyc = Graph {
        nodes: (0..4)
            .map(|i| node(&format!("c{i}"), "op", Shape::Circle))
            .collect(),
        edges: vec![(0, 1), (1, 2), (2, 0), (2, 3), (3, 3)],
        ..Default::default()
    };
    for f in [Format::Png, Format::Svg, Format::Pdf] {
        assert!(!render_builtin(&cyc, f).unwrap().is_empty());
    }

    let bad = Graph {
        nodes: vec![node("a", "a", Shape::Box)],
        edges: vec![(0, 1)],
        ..Default::default()
    };
    assert!(render_builtin(&bad, Format::Png).is_err());
    assert!(render(&bad, Format::Svg).is_err());
}

#[test]
fn big_graph_png_is_capped_and_fast_enough() {
    let g = random_dag(1000, 500, 42);
    let t = std::time::Instant::now();
    let bytes = render_builtin(&g, Format::Png).unwrap();
    let elapsed = t.elapsed();
    let img = decode_png(&bytes);
    assert!(img.width <= 4000 && img.height <= 4000);
    let lay = layout::layout(&g, Metrics::new(1.0));
    assert_layout_sane(&g, &lay);
    eprintln!(
        "1000-node PNG: {}x{} {} bytes in {elapsed:?}",
        img.width,
        img.height,
        bytes.len()
    );

    // A wide graph that cannot keep labels at 4000 px.
    let mut wide = Graph::default();
    for i in 0..3000 {
        wide.nodes
            .push(node(&format!("w{i}"), "getitem", Shape::Circle));
    }
    wide.nodes.push(node("sink", "concatenate", Shape::Circle));
    for i in 0..3000 {
        wide.edges.push((i, 3000));
    }
    let t = std::time::Instant::now();
    let img = decode_png(&render_builtin(&wide, Format::Png).unwrap());
    eprintln!(
        "3001-node fan-in PNG: {}x{} in {:?}",
        img.width,
        img.height,
        t.elapsed()
    );
    assert!(img.width == 4000 && img.height >= 1);
}

#[test]
fn real_graphviz_when_available() {
    // Runs only where `dot` is installed (and not switched off).
    if !graphviz_available() {
        return;
    }
    let g = seed_graph();
    let svg = String::from_utf8(render(&g, Format::Svg).unwrap()).unwrap();
    assert!(svg.contains("<svg") && svg.contains("mean_chunk"));
    assert!(render(&g, Format::Png).unwrap().starts_with(b"\x89PNG"));
    assert!(render(&g, Format::Pdf).unwrap().starts_with(b"%PDF-"));
}

#[test]
fn formats_palette_and_order_colors() {
    assert_eq!(format_from_name("png"), Some(Format::Png));
    assert_eq!(format_from_name("SVG"), Some(Format::Svg));
    assert_eq!(format_from_name(".pdf"), Some(Format::Pdf));
    assert_eq!(format_from_name("dot"), Some(Format::Dot));
    assert_eq!(format_from_name("jpeg"), None);
    let mut seen = std::collections::HashSet::new();
    for i in 0..40 {
        let c = palette(i);
        assert_eq!(c.len(), 7);
        let rgb = parse_color(&c).unwrap();
        assert!(!is_dark(rgb), "palette({i}) = {c} too dark for black text");
        assert!(seen.insert(c), "palette repeats at {i}");
    }
    assert_eq!(order_color(0, 10), "#0d0887");
    assert_eq!(order_color(9, 10), "#f0f921");
    assert_eq!(order_color(0, 1), "#0d0887");
    assert_eq!(order_color(50, 10), "#f0f921");
    assert_eq!(order_color(5, 11), "#cc4778");
}

#[test]
fn render_dot_format_and_env_switch() {
    let g = seed_graph();
    assert_eq!(render(&g, Format::Dot).unwrap(), to_dot(&g).into_bytes());
    assert_eq!(
        render_builtin(&g, Format::Dot).unwrap(),
        to_dot(&g).into_bytes()
    );
    // Whatever the environment, render succeeds.
    assert!(render(&g, Format::Svg).unwrap().len() > 100);
}

#[cfg(unix)]
#[test]
fn graphviz_subprocess_round_trip() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("tessera-viz-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A stand-in for `dot`: echoes its format argument and its input.
    let ok = dir.join("dot");
    std::fs::write(&ok, "#!/bin/sh\necho \"format $1\"\ncat\n").unwrap();
    std::fs::set_permissions(&ok, std::fs::Permissions::from_mode(0o755)).unwrap();
    let fail = dir.join("dot-fail");
    std::fs::write(&fail, "#!/bin/sh\ncat >/dev/null\necho boom >&2\nexit 3\n").unwrap();
    std::fs::set_permissions(&fail, std::fs::Permissions::from_mode(0o755)).unwrap();

    // A large input must not deadlock the pipes.
    let g = random_dag(3000, 0, 1);
    let text = to_dot(&g);
    let out = run_dot(&ok, &text, "svg").unwrap();
    assert_eq!(out, format!("format -Tsvg\n{text}").into_bytes());
    let err = run_dot(&fail, &text, "png").unwrap_err();
    assert!(err.contains("boom"), "{err}");
    assert!(run_dot(&dir.join("missing"), &text, "png").is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

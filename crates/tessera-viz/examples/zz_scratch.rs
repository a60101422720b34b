use tessera_viz::*;
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let extra: usize = std::env::args().nth(2).unwrap().parse().unwrap();
    let rd = match std::env::args().nth(3).as_deref() { Some("LR") => RankDir::LR, Some("TB") => RankDir::TB, _ => RankDir::BT };
    let mut s = 99u64;
    let mut next = move || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (s >> 33) as usize };
    let names = ["add", "mul", "sum", "transpose", "x", "getitem", "rechunk-merge"];
    let shapes = [Shape::Circle, Shape::Box, Shape::Ellipse];
    let mut g = Graph { rankdir: Some(rd), title: Some(format!("random DAG, {n} nodes")), ..Default::default() };
    for i in 0..n {
        let k = next() % names.len();
        g.nodes.push(Node { id: format!("n{i}"), label: names[k].into(), shape: shapes[next() % 3], fill: Some(palette(k)), tooltip: None });
    }
    for i in 1..n { let j = next() % i; g.edges.push((j, i)); }
    for _ in 0..extra { let a = next() % n; let b = next() % n; if a < b { g.edges.push((a, b)); } }
    let t = std::time::Instant::now();
    let png = render_builtin(&g, Format::Png).unwrap();
    eprintln!("png {} bytes in {:?}", png.len(), t.elapsed());
    std::fs::write("/tmp/vizcheck/rand.png", png).unwrap();
    std::fs::write("/tmp/vizcheck/rand.svg", render_builtin(&g, Format::Svg).unwrap()).unwrap();
    std::fs::write("/tmp/vizcheck/rand.pdf", render_builtin(&g, Format::Pdf).unwrap()).unwrap();
}

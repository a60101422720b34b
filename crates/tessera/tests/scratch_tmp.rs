use tessera::*;
fn run(cx: Vec<usize>, cy: usize, t: usize) {
    let n: usize = cx.iter().sum();
    let d: Vec<f64> = (0..n).map(|i| i as f64 + 1.0).collect();
    let x = from_vec(&[n], d.clone(), vec![cx.clone()]).unwrap().neg().unwrap();
    let y = from_vec(&[n], d.clone(), cy).unwrap();
    let z = x.mul(&y).unwrap();
    let r = z.compute_with(&ComputeOptions::default().threads(t));
    let want: Vec<f64> = d.iter().map(|v| -v * v).collect();
    match r {
        Ok(b) if b.to_vec::<f64>() == want => {}
        other => println!("cx={cx:?} cy={cy} t={t}: {:?}", other.map(|b| b.to_vec::<f64>())),
    }
}
#[test]
fn t1() {
    for cx in [vec![3usize, 0, 1], vec![0, 4], vec![4, 0], vec![1, 0, 0, 3], vec![2, 0, 2]] {
        for cy in 1..5 {
            for t in [1, 2] { run(cx.clone(), cy, t); }
        }
    }
}

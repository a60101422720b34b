//! 1-d transforms along any axis of any chunking against a plain O(n^2) DFT in f64.

use proptest::prelude::*;
use tessera::{AxisSpec, ChunkSpec};
use tessera_core::numtypes::c128;
use tessera_fft::{fft_axis, Kind, Norm};

/// The reference: line `x` (complex) transformed at length `n` (cut or zero-padded).
fn dft(x: &[c128], n: usize, inverse: bool) -> Vec<c128> {
    let sign = if inverse { 1.0 } else { -1.0 };
    (0..n)
        .map(|k| {
            let mut acc = c128::new(0.0, 0.0);
            for (j, v) in x.iter().take(n).enumerate() {
                let t = sign * 2.0 * std::f64::consts::PI * ((j * k) % n) as f64 / n as f64;
                acc = acc + *v * c128::new(t.cos(), t.sin());
            }
            acc
        })
        .collect()
}

/// All lines of a C-order array of `shape` along `axis`, with a function of each.
fn lines(shape: &[usize], axis: usize, mut f: impl FnMut(Vec<usize>)) {
    let outer: usize = shape[..axis].iter().product();
    let inner: usize = shape[axis + 1..].iter().product();
    for o in 0..outer {
        for i in 0..inner {
            f((0..shape[axis]).map(|k| (o * shape[axis] + k) * inner + i).collect());
        }
    }
}

fn case() -> impl Strategy<Value = (Vec<usize>, Vec<usize>, usize, usize, u8, u64)> {
    prop::collection::vec(1usize..7, 1..4).prop_flat_map(|shape| {
        let nd = shape.len();
        let chunks = shape.iter().map(|&d| 1..=d).collect::<Vec<_>>();
        (Just(shape), chunks, 0..nd, 1usize..10, 0u8..4, any::<u64>())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn transforms_match_a_plain_dft((shape, chunks, axis, n, kind, seed) in case()) {
        let len: usize = shape.iter().product();
        let mut s = seed;
        let mut next = || { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5 };
        let spec = ChunkSpec::PerAxis(chunks.iter().map(|&c| AxisSpec::Size(c as i64)).collect());
        let (kind, real_in) = match kind {
            0 => (Kind::C2C { inverse: false }, false),
            1 => (Kind::C2C { inverse: true }, false),
            2 => (Kind::R2C, true),
            _ => (Kind::C2R, false),
        };
        let vals: Vec<c128> = (0..len).map(|_| c128::new(next(), if real_in { 0.0 } else { next() })).collect();
        let x = if real_in {
            tessera::from_vec(&shape, vals.iter().map(|v| v.re).collect::<Vec<f64>>(), spec).unwrap()
        } else {
            tessera::from_vec(&shape, vals.clone(), spec).unwrap()
        };
        let got = fft_axis("fft", &x, kind, n, axis, Norm::Backward).unwrap().compute().unwrap();
        let out_len = if kind == Kind::R2C { n / 2 + 1 } else { n };
        let mut out_shape = shape.clone();
        out_shape[axis] = out_len;
        prop_assert_eq!(got.shape(), &out_shape[..]);
        let got_c: Vec<c128> = if kind == Kind::C2R {
            got.to_vec::<f64>().into_iter().map(|v| c128::new(v, 0.0)).collect()
        } else {
            got.to_vec::<c128>()
        };
        let mut out_lines = vec![];
        lines(&out_shape, axis, |ix| out_lines.push(ix));
        let mut k = 0;
        lines(&shape, axis, |ix| {
            let line: Vec<c128> = ix.iter().map(|&i| vals[i]).collect();
            let want: Vec<c128> = match kind {
                Kind::C2C { inverse } => {
                    let mut w = dft(&line, n, inverse);
                    if inverse { w.iter_mut().for_each(|v| *v = c128::new(v.re / n as f64, v.im / n as f64)); }
                    w
                }
                Kind::R2C => dft(&line, n, false)[..n / 2 + 1].to_vec(),
                Kind::C2R => {
                    // The Hermitian extension of the first n/2+1 values (ends' imaginary parts dropped).
                    let m = n / 2 + 1;
                    let mut h: Vec<c128> = (0..m).map(|j| if j < line.len() { line[j] } else { c128::new(0.0, 0.0) }).collect();
                    h[0].im = 0.0;
                    if n % 2 == 0 { h[m - 1].im = 0.0; }
                    let full: Vec<c128> = (0..n).map(|j| if j < m { h[j] } else { h[n - j].conj() }).collect();
                    dft(&full, n, true).into_iter().map(|v| c128::new(v.re / n as f64, 0.0)).collect()
                }
            };
            for (j, &o) in out_lines[k].iter().enumerate() {
                let (g, w) = (got_c[o], want[j]);
                assert!((g - w).abs() <= 1e-9 * (1.0 + w.abs()), "{kind:?} n={n} axis={axis} line {k} elem {j}: {g:?} vs {w:?}");
            }
            k += 1;
        });
    }
}

#[test]
fn bad_lengths_and_axes_are_errors_when_built() {
    let x = tessera::from_vec(&[4], vec![1.0f64; 4], ChunkSpec::Uniform(2)).unwrap();
    let e = fft_axis("fft", &x, Kind::C2C { inverse: false }, 0, 0, Norm::Backward).unwrap_err();
    assert!(e.to_string().contains("Invalid number of FFT data points (0)"), "{e}");
    let e = fft_axis("fft", &x, Kind::C2C { inverse: false }, 4, 1, Norm::Backward).unwrap_err();
    assert!(e.to_string().contains("axis 1"), "{e}");
    let z = x.astype(tessera::DType::C128);
    assert!(fft_axis("rfft", &z, Kind::R2C, 4, 0, Norm::Backward).is_err());
    assert!(Norm::from_name("fft", Some("bad")).is_err());
}

#[test]
fn rechunk_is_memory_bounded() {
    let x = tessera::zeros(&[64, 64], tessera::DType::C128, ChunkSpec::Uniform(16)).unwrap();
    let w = tessera_fft::whole_along(&x, 0).unwrap();
    assert_eq!(w.chunks()[0].nblocks(), 1);
    let elems: usize = w.chunks().iter().map(|c| c.max_size()).product();
    assert!(elems <= 16 * 16 * 4, "{elems}");
    assert_eq!(elems, 64 * 4);
}

//! The vector kernels against libm, on random and edge inputs.
//!
//! float32 results are compared with glibc's float64 function rounded to float32 (within
//! 2^-60 or so of the exact value, so a correctly rounded reference except in rare double
//! rounding cases) and must be within the stated float32 bound; float64 results with glibc's float64 function
//! (itself within 1 ulp, nearly always correctly rounded) and must be within the stated
//! bound + 1. Special values (NaN, ±inf, ±0, subnormals, the overflow edges) must give
//! exactly libm's bits. The mpmath comparison (`tests/python/test_simd_accuracy.py`) gives
//! the figures against a high-precision reference.
//!
//! `SIMD_CASES=20000000 cargo test --release -p tessera-kernels simd::tests` runs more inputs
//! (`make test-accuracy`).

use super::*;
use crate::reference::{ulp_key32 as key32, ulp_key64 as key64};
use crate::simd::libm;

/// Splitmix64: reproducible inputs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// |x| log-uniform over [2^lo, 2^hi], random sign.
    fn logu(&mut self, lo: f64, hi: f64) -> f64 {
        let m = (self.uniform(lo, hi)).exp2();
        if self.next() & 1 == 1 {
            -m
        } else {
            m
        }
    }
}

fn cases() -> usize {
    std::env::var("SIMD_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(100_000)
}

fn edges64() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::from_bits(1),
        -f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::EPSILON,
        1e-300,
        1e300,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::FRAC_PI_4,
        std::f64::consts::LN_2,
    ];
    // Around the boundaries the kernels switch at.
    for b in [
        0.5, 0.66, 0.975, 1.0, 2.0, 2.414, 22.0, 700.0, 708.0, 708.4, 709.78, 710.0, 1020.0, 1022.0, 1024.0, 1075.0,
        1e6, 1048576.0, 88.72, 89.0, 103.0, 104.0, 149.0, 150.0, 126.0, 128.0, 268435456.0, 1e300,
    ] {
        let mut y: f64 = b;
        for _ in 0..4 {
            y = f64::from_bits(y.to_bits() - 1);
        }
        for _ in 0..9 {
            v.push(y);
            v.push(-y);
            v.push(1.0 / y);
            v.push(-1.0 / y);
            y = f64::from_bits(y.to_bits() + 1);
        }
    }
    for e in -1075..1025 {
        v.push((e as f64).exp2());
        v.push(-(e as f64).exp2());
        v.push((e as f64).exp2() * 1.5);
    }
    for k in -40..40 {
        v.push(k as f64 * std::f64::consts::FRAC_PI_2);
        v.push(k as f64 * std::f64::consts::FRAC_PI_4);
        v.push(k as f64 * std::f64::consts::LN_2);
        v.push(10f64.powi(k));
    }
    v
}

/// Inputs: edge values, then a mix of uniform values over `dom`, log-uniform magnitudes
/// and raw bit patterns.
fn inputs(dom: (f64, f64), n: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng(seed);
    let mut v = edges64();
    for i in 0..n {
        v.push(match i % 4 {
            0 | 1 => r.uniform(dom.0, dom.1),
            2 => r.logu(-1074.0, 1024.0),
            _ => f64::from_bits(r.next()),
        });
    }
    v
}

fn check_unary(name: &str, kernel: fn(&[f64], &mut [f64]), kernel32: fn(&[f32], &mut [f32]), libm: fn(f64) -> f64, ulps: u32, ulps32: i64, dom: (f64, f64)) {
    let xs = inputs(dom, cases(), name.len() as u64 * 7919);
    let mut out = vec![0.0; xs.len()];
    kernel(&xs, &mut out);
    let mut worst = (0i128, 0.0);
    for (&x, &y) in xs.iter().zip(&out) {
        let want = libm(x);
        if want.is_nan() || y.is_nan() {
            assert!(want.is_nan() && y.is_nan(), "{name}({x:e}) = {y:e}, libm {want:e}");
            continue;
        }
        let d = (key64(y) - key64(want)).abs();
        let special = !x.is_finite() || x == 0.0 || !want.is_finite() || want == 0.0 || want.abs() < f64::MIN_POSITIVE;
        if special {
            assert!(y.to_bits() == want.to_bits(), "{name}({x:e}) = {y:e}, libm {want:e} (special value)");
        }
        if d > worst.0 {
            worst = (d, x);
        }
    }
    assert!(worst.0 <= ulps as i128 + 1, "{name} float64: {} ulps from libm at {:e}", worst.0, worst.1);
    let xs32: Vec<f32> = xs.iter().map(|&x| x as f32).collect();
    let mut out32 = vec![0f32; xs32.len()];
    kernel32(&xs32, &mut out32);
    let mut worst = (0i64, 0f32);
    for (&x, &y) in xs32.iter().zip(&out32) {
        let want = libm(x as f64) as f32;
        if want.is_nan() || y.is_nan() {
            assert!(want.is_nan() && y.is_nan(), "{name}({x:e}f32) = {y:e}, libm {want:e}");
            continue;
        }
        if !x.is_finite() || x == 0.0 || !want.is_finite() {
            assert!(y.to_bits() == want.to_bits(), "{name}({x:e}f32) = {y:e}, libm {want:e} (special value)");
        }
        let d = (key32(y) - key32(want)).abs();
        if d > worst.0 {
            worst = (d, x);
        }
    }
    assert!(worst.0 <= ulps32, "{name} float32: {} ulps from libm at {:e}", worst.0, worst.1);
    eprintln!("{name}: ok (float32 at most {} ulp from libm)", worst.0);
}

#[test]
fn exp_family() {
    check_unary("exp", exp_f64, exp_f32, f64::exp, 1, 1, (-750.0, 750.0));
    check_unary("exp2", exp2_f64, exp2_f32, f64::exp2, 1, 1, (-1100.0, 1100.0));
    check_unary("expm1", expm1_f64, expm1_f32, f64::exp_m1, 2, 1, (-40.0, 710.0));
}

#[test]
fn log_family() {
    check_unary("log", log_f64, log_f32, f64::ln, 1, 1, (0.0, 10.0));
    check_unary("log2", log2_f64, log2_f32, f64::log2, 1, 1, (0.0, 10.0));
    check_unary("log10", log10_f64, log10_f32, f64::log10, 1, 1, (0.0, 10.0));
    check_unary("log1p", log1p_f64, log1p_f32, f64::ln_1p, 2, 1, (-1.0, 10.0));
}

#[test]
fn trig_family() {
    check_unary("sin", sin_f64, sin_f32, f64::sin, 1, 1, (-10.0, 10.0));
    check_unary("cos", cos_f64, cos_f32, f64::cos, 1, 1, (-10.0, 10.0));
    check_unary("tan", tan_f64, tan_f32, f64::tan, 2, 1, (-10.0, 10.0));
    check_unary("arcsin", asin_f64, asin_f32, f64::asin, 1, 1, (-1.0, 1.0));
    check_unary("arccos", acos_f64, acos_f32, f64::acos, 1, 1, (-1.0, 1.0));
    check_unary("arctan", atan_f64, atan_f32, f64::atan, 2, 2, (-10.0, 10.0));
}

#[test]
fn hyperbolic_family() {
    check_unary("sinh", sinh_f64, sinh_f32, f64::sinh, 2, 2, (-30.0, 30.0));
    check_unary("cosh", cosh_f64, cosh_f32, f64::cosh, 2, 2, (-30.0, 30.0));
    check_unary("tanh", tanh_f64, tanh_f32, f64::tanh, 2, 2, (-5.0, 5.0));
    check_unary("arcsinh", asinh_f64, asinh_f32, libm::asinh, 2, 2, (-10.0, 10.0));
    check_unary("arccosh", acosh_f64, acosh_f32, libm::acosh, 2, 2, (0.5, 10.0));
    check_unary("arctanh", atanh_f64, atanh_f32, libm::atanh, 2, 2, (-1.0, 1.0));
    check_unary("cbrt", cbrt_f64, cbrt_f32, f64::cbrt, 1, 1, (-10.0, 10.0));
}

fn check_binary(name: &str, kernel: fn(Src<f64>, Src<f64>, &mut [f64]), kernel32: fn(Src<f32>, Src<f32>, &mut [f32]), libm: fn(f64, f64) -> f64, ulps: u32, ulps32: i64, da: (f64, f64), db: (f64, f64)) {
    let (mut xs, mut ys) = (inputs(da, cases(), 1), inputs(db, cases(), 2));
    // Every pair of edge values too.
    let e = edges64();
    let e: Vec<f64> = e.iter().copied().step_by(7).chain(e.iter().take(30).copied()).collect();
    for &a in &e {
        for &b in &e {
            xs.push(a);
            ys.push(b);
        }
    }
    let mut out = vec![0.0; xs.len()];
    kernel(Src::Tile(&xs), Src::Tile(&ys), &mut out);
    let mut worst = (0i128, 0.0, 0.0);
    for ((&x, &y), &r) in xs.iter().zip(&ys).zip(&out) {
        let want = libm(x, y);
        if want.is_nan() || r.is_nan() {
            assert!(want.is_nan() && r.is_nan(), "{name}({x:e}, {y:e}) = {r:e}, libm {want:e}");
            continue;
        }
        let special = !x.is_finite() || !y.is_finite() || x == 0.0 || y == 0.0 || !want.is_finite() || want.abs() < f64::MIN_POSITIVE;
        if special {
            assert!(r.to_bits() == want.to_bits(), "{name}({x:e}, {y:e}) = {r:e}, libm {want:e} (special value)");
        }
        let d = (key64(r) - key64(want)).abs();
        if d > worst.0 {
            worst = (d, x, y);
        }
    }
    assert!(worst.0 <= ulps as i128 + 1, "{name} float64: {} ulps from libm at ({:e}, {:e})", worst.0, worst.1, worst.2);
    // The scalar forms give the tile form's bits.
    for &s in &[2.0, 0.5, -1.5, 3.0] {
        let (mut a, mut b) = (vec![0.0; xs.len()], vec![0.0; xs.len()]);
        kernel(Src::Tile(&xs), Src::One(s), &mut a);
        let tile = vec![s; xs.len()];
        kernel(Src::Tile(&xs), Src::Tile(&tile), &mut b);
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan())));
    }
    let (xs32, ys32): (Vec<f32>, Vec<f32>) = (xs.iter().map(|&v| v as f32).collect(), ys.iter().map(|&v| v as f32).collect());
    let mut out32 = vec![0f32; xs32.len()];
    kernel32(Src::Tile(&xs32), Src::Tile(&ys32), &mut out32);
    let mut worst = 0;
    for ((&x, &y), &r) in xs32.iter().zip(&ys32).zip(&out32) {
        let want = libm(x as f64, y as f64) as f32;
        if want.is_nan() || r.is_nan() {
            assert!(want.is_nan() && r.is_nan(), "{name}({x:e}, {y:e}) = {r:e}, libm {want:e}");
            continue;
        }
        let d = (key32(r) - key32(want)).abs();
        assert!(d <= ulps32, "{name}({x:e}f32, {y:e}f32) = {r:e}, libm {want:e}: {d} ulps");
        worst = worst.max(d);
    }
    eprintln!("{name}: ok (float32 at most {worst} ulp from libm)");
}

#[test]
fn binary_functions() {
    check_binary("power", pow_f64, pow_f32, f64::powf, 1, 1, (0.0, 10.0), (-30.0, 30.0));
    check_binary("power_neg", pow_f64, pow_f32, f64::powf, 1, 1, (-10.0, 0.0), (-30.0, 30.0));
    check_binary("arctan2", atan2_f64, atan2_f32, f64::atan2, 2, 3, (-10.0, 10.0), (-10.0, 10.0));
    check_binary("hypot", hypot_f64, hypot_f32, f64::hypot, 1, 1, (-10.0, 10.0), (-10.0, 10.0));
}


/// Kernel throughput on 4096-element tiles (in cache):
/// `cargo test --release -p tessera-kernels simd::tests::throughput -- --ignored --nocapture`
#[test]
#[ignore]
fn throughput() {
    let n = 4096;
    let reps = 2000;
    let mut r = Rng(5);
    let time = |name: &str, f: &mut dyn FnMut()| {
        f();
        let t = std::time::Instant::now();
        for _ in 0..reps {
            f();
        }
        let ns = t.elapsed().as_nanos() as f64 / (reps * n) as f64;
        eprintln!("{name:>12}: {ns:.3} ns/element");
    };
    let x: Vec<f64> = (0..n).map(|_| r.uniform(0.1, 10.0)).collect();
    let y: Vec<f64> = (0..n).map(|_| r.uniform(-10.0, 10.0)).collect();
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
    let mut o = vec![0.0; n];
    let mut o32 = vec![0f32; n];
    eprintln!("path: {}", crate::simd_path());
    let unary: [(&str, fn(&[f64], &mut [f64]), fn(&[f32], &mut [f32])); 10] = [
        ("exp", exp_f64, exp_f32),
        ("log", log_f64, log_f32),
        ("sin", sin_f64, sin_f32),
        ("cos", cos_f64, cos_f32),
        ("tan", tan_f64, tan_f32),
        ("tanh", tanh_f64, tanh_f32),
        ("arcsin", asin_f64, asin_f32),
        ("arctan", atan_f64, atan_f32),
        ("expm1", expm1_f64, expm1_f32),
        ("cbrt", cbrt_f64, cbrt_f32),
    ];
    for (name, f, f32k) in unary {
        time(&format!("{name} f64"), &mut || f(&y, &mut o));
        time(&format!("{name} f32"), &mut || f32k(&y32, &mut o32));
    }
    time("power f64", &mut || pow_f64(Src::Tile(&x), Src::Tile(&y), &mut o));
    time("power f32", &mut || pow_f32(Src::Tile(&x32), Src::Tile(&y32), &mut o32));
    time("arctan2 f64", &mut || atan2_f64(Src::Tile(&x), Src::Tile(&y), &mut o));
    time("hypot f64", &mut || hypot_f64(Src::Tile(&x), Src::Tile(&y), &mut o));
}

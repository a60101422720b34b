//! Counter-based random numbers (Philox4x32-10).
//!
//! Every value is a pure function of `(seed, stream, i)` where `i` is the
//! global flat (u64) index of the element, so any chunk of an array can be
//! generated independently, in any order, on any thread, with any SIMD
//! width, and always gives the same bits.  The exact definition of the
//! stream (which is a stability promise) is in `docs/random-stream.md`.
//!
//! Layout: Philox4x32-10 with key = `[seed as u32, (seed >> 32) as u32]`
//! and counter = `[b as u32, (b >> 32) as u32, stream as u32,
//! (stream >> 32) as u32]` for block number `b`.  Every block of four
//! 32-bit words yields two values, so element `i` comes from block `i / 2`,
//! half `i % 2`.
//!
//! * [`fill_random`]: half `h` takes the 64-bit word
//!   `x = w[2h] | w[2h+1] << 32` and returns `(x >> 11) * 2^-53`.
//! * [`fill_uniform`]: `fma(high - low, u, low)` with `u` as above.
//! * [`fill_integers`]: `low + ((x * (high - low)) >> 64)` (128-bit
//!   product, "multiply-high" mapping, no rejection; see the function).
//! * [`fill_normal`]: Box–Muller on the whole block: words 0,1 give the
//!   radius, words 2,3 the angle; half 0 is `r cos θ`, half 1 `r sin θ`.
//!   `ln`, `sin`, `cos` are our own branch-free polynomials evaluated with
//!   explicit `mul_add`, so the result does not depend on libm or on which
//!   SIMD path ran.
//!
//! Speed: the bodies are `#[inline(always)]` generic code over fixed-size
//! lane arrays (struct-of-arrays, several Philox blocks at a time) that LLVM
//! auto-vectorises; they are instantiated in an AVX-512, an AVX2+FMA and a
//! plain wrapper, picked once at run time.  Every operation is either an
//! exact integer operation, a correctly rounded IEEE operation (`+ - * /
//! sqrt`) or an explicit fused `mul_add`, and Rust never contracts `a*b+c`
//! on its own, so all paths are bit-for-bit identical.

use std::sync::atomic::{AtomicU8, Ordering};

/// Identifies one random stream: the value at global index `i` depends only
/// on `(seed, stream, i)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stream {
    pub seed: u64,
    pub stream: u64,
}

// ---------------------------------------------------------------------------
// Philox4x32-10
// ---------------------------------------------------------------------------

const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;
const ROUNDS: usize = 10;
const LO32: u64 = 0xFFFF_FFFF;

/// The Philox4x32 bijection with 10 rounds (Salmon et al., SC'11), exactly
/// as `philox4x32_10` in Random123: round keys `key + r * (W0, W1)`.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for r in 0..ROUNDS {
        if r > 0 {
            k[0] = k[0].wrapping_add(PHILOX_W0);
            k[1] = k[1].wrapping_add(PHILOX_W1);
        }
        let p0 = u64::from(PHILOX_M0) * u64::from(c[0]);
        let p1 = u64::from(PHILOX_M1) * u64::from(c[2]);
        c = [
            ((p1 >> 32) as u32) ^ c[1] ^ k[0],
            p1 as u32,
            ((p0 >> 32) as u32) ^ c[3] ^ k[1],
            p0 as u32,
        ];
    }
    c
}

/// Round keys and the stream half of the counter, each 32-bit value held in
/// a u64 so that the lane code works on 64-bit lanes (`vpmuludq`).
#[derive(Clone, Copy)]
struct Keys {
    k0: [u64; ROUNDS],
    k1: [u64; ROUNDS],
    c2: u64,
    c3: u64,
}

impl Keys {
    fn new(s: Stream) -> Keys {
        let mut k0 = [0u64; ROUNDS];
        let mut k1 = [0u64; ROUNDS];
        let mut a = s.seed as u32;
        let mut b = (s.seed >> 32) as u32;
        for r in 0..ROUNDS {
            k0[r] = u64::from(a);
            k1[r] = u64::from(b);
            a = a.wrapping_add(PHILOX_W0);
            b = b.wrapping_add(PHILOX_W1);
        }
        Keys { k0, k1, c2: s.stream & LO32, c3: s.stream >> 32 }
    }
}

/// Philox4x32-10 of block `b` of the stream, one lane of the vectorised
/// loops.  Each output word is a 32-bit value zero-extended into a u64.
///
/// The products `(x & LO32) * M` become `vpmuludq` (which ignores the upper
/// halves of its inputs, so the masks are free).  Words 1 and 3 are carried
/// as the full 64-bit product: their upper halves only ever reach the upper
/// halves of words 0 and 2, which the next multiplication masks off, so the
/// only masking needed is at the end.
#[inline(always)]
fn philox_block(ks: &Keys, b: u64) -> [u64; 4] {
    let mut c0 = b & LO32;
    let mut c1 = b >> 32;
    let mut c2 = ks.c2;
    let mut c3 = ks.c3;
    for r in 0..ROUNDS {
        let p0 = (c0 & LO32) * u64::from(PHILOX_M0);
        let p1 = (c2 & LO32) * u64::from(PHILOX_M1);
        c0 = (p1 >> 32) ^ c1 ^ ks.k0[r];
        c2 = (p0 >> 32) ^ c3 ^ ks.k1[r];
        c1 = p1;
        c3 = p0;
    }
    [c0 & LO32, c1 & LO32, c2 & LO32, c3 & LO32]
}

/// Two independent blocks, interleaved statement by statement so that the
/// vectorised loop has two dependency chains in flight.
#[inline(always)]
fn philox_block2(ks: &Keys, a: u64, b: u64) -> ([u64; 4], [u64; 4]) {
    let (mut a0, mut a1, mut a2, mut a3) = (a & LO32, a >> 32, ks.c2, ks.c3);
    let (mut b0, mut b1, mut b2, mut b3) = (b & LO32, b >> 32, ks.c2, ks.c3);
    for r in 0..ROUNDS {
        let pa0 = (a0 & LO32) * u64::from(PHILOX_M0);
        let pb0 = (b0 & LO32) * u64::from(PHILOX_M0);
        let pa1 = (a2 & LO32) * u64::from(PHILOX_M1);
        let pb1 = (b2 & LO32) * u64::from(PHILOX_M1);
        a0 = (pa1 >> 32) ^ a1 ^ ks.k0[r];
        b0 = (pb1 >> 32) ^ b1 ^ ks.k0[r];
        a2 = (pa0 >> 32) ^ a3 ^ ks.k1[r];
        b2 = (pb0 >> 32) ^ b3 ^ ks.k1[r];
        a1 = pa1;
        b1 = pb1;
        a3 = pa0;
        b3 = pb0;
    }
    (
        [a0 & LO32, a1 & LO32, a2 & LO32, a3 & LO32],
        [b0 & LO32, b1 & LO32, b2 & LO32, b3 & LO32],
    )
}

// ---------------------------------------------------------------------------
// Conversions and polynomial kernels (per lane; all exact or IEEE/fma)
// ---------------------------------------------------------------------------

/// 2^52 as f64 bits: `from_bits(TWO52_BITS | v) - 2^52 == v` for `v < 2^52`.
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;
const TWO32: f64 = 4_294_967_296.0;
const TWO21: f64 = 2_097_152.0;
const TWO_M53: f64 = 1.0 / 9_007_199_254_740_992.0;
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;
const MANT_MASK: u64 = 0x000F_FFFF_FFFF_FFFF;

/// Exact u32 (held in a u64) to f64, plus `bias` folded into the magic
/// subtraction: returns `v + bias` exactly when that is representable.
#[inline(always)]
fn small_to_f64(v: u64, bias: f64) -> f64 {
    f64::from_bits(TWO52_BITS | v) - (TWO52 - bias)
}

/// 53-bit uniform in [0, 1) from the 64-bit word `hi:lo`, i.e.
/// `((hi << 32 | lo) >> 11) * 2^-53`, computed exactly.
#[inline(always)]
fn unit53(lo: u64, hi: u64) -> f64 {
    // hi * 2^21 + (lo >> 11) < 2^53: the fma is exact.
    let f = f64::mul_add(small_to_f64(hi, 0.0), TWO21, small_to_f64(lo >> 11, 0.0));
    f * TWO_M53
}

const LN2: f64 = core::f64::consts::LN_2;
/// `sqrt(2)/2` as f64 bits; the log reduction puts the mantissa in
/// `[sqrt(2)/2, sqrt(2))`.
const SQRT_HALF_BITS: u64 = 0x3FE6_A09E_667F_3BCD;
const SIGN: u64 = 0x8000_0000_0000_0000;

/// `-2 ln m = s Q(s^2)` with `s = (m-1)/(m+1)`, `Q(z) = -4 + z Q1(z)`, for
/// `m` in `[sqrt(2)/2, sqrt(2))` (`z <= 0.0295`).  Minimax (Remez) fit of
/// `Q1`, max relative error of `s Q` before rounding 1.3e-18.
const LOG_Q1: [f64; 7] = [
    -1.3333333333333468,
    -0.7999999999883275,
    -0.5714285748402996,
    -0.4444439722168599,
    -0.3636712480375698,
    -0.30628197842958377,
    -0.29590948564637015,
];

/// `sin(pi/2 r) = r S(r^2)` on `|r| <= 1/2` (minimax, relative 3.4e-18).
const SIN_P: [f64; 7] = [
    1.5707963267948966,
    -0.6459640975062443,
    0.07969262624603957,
    -0.004681754132282418,
    0.00016044115029165178,
    -3.5986417544520816e-06,
    5.6337210129122454e-08,
];

/// `cos(pi/2 r) = 1 + r^2 C(r^2)` on `|r| <= 1/2` (minimax, relative 6.1e-17).
const COS_P: [f64; 6] = [
    -1.2337005501361553,
    0.25366950789995935,
    -0.02086348073586744,
    0.0009192599541478852,
    -2.5200143059589476e-05,
    4.65533725775682e-07,
];

#[inline(always)]
fn horner<const K: usize>(x: f64, c: &[f64; K]) -> f64 {
    let mut acc = c[K - 1];
    let mut i = K - 1;
    while i > 0 {
        i -= 1;
        acc = f64::mul_add(acc, x, c[i]);
    }
    acc
}

/// `-2 ln(x 2^-e)` for a positive normal `x`; `bias = 1023 + e`.
/// Branch-free; relative error a few ulp.
#[inline(always)]
fn neg2_ln(x: f64, bias: f64) -> f64 {
    // x = 2^k m with m in [sqrt(2)/2, sqrt(2)) (the fdlibm/musl reduction).
    let ix = x.to_bits().wrapping_add(ONE_BITS - SQRT_HALF_BITS);
    let kf = small_to_f64(ix >> 52, -bias); // k - e, exactly
    let m = f64::from_bits((ix & MANT_MASK) + SQRT_HALF_BITS);
    let f = m - 1.0; // exact (Sterbenz)
    let s = f / (f + 2.0);
    let z = s * s;
    let q = f64::mul_add(z, horner(z, &LOG_Q1), -4.0);
    f64::mul_add(kf, -2.0 * LN2, s * q)
}

/// `(cos(pi/2 r), sin(pi/2 r))` for `|r| <= 1/2`.
#[inline(always)]
fn cos_sin_quarter(r: f64) -> (f64, f64) {
    let x = r * r;
    let s = r * horner(x, &SIN_P);
    let c = f64::mul_add(x, horner(x, &COS_P), 1.0);
    (c, s)
}

/// Rotate `(c, s)` by `q` quarter turns, `q = qw & 3`:
/// q=0 (c, s), q=1 (-s, c), q=2 (-c, -s), q=3 (s, -c).
#[inline(always)]
fn rotate_quarters(qw: u64, c: f64, s: f64) -> (f64, f64) {
    let (a, b) = if qw & 1 != 0 { (s, c) } else { (c, s) };
    let cflip = (qw.wrapping_add(1) << 62) & SIGN; // q in {1, 2}
    let sflip = (qw << 62) & SIGN; // q in {2, 3}
    (f64::from_bits(a.to_bits() ^ cflip), f64::from_bits(b.to_bits() ^ sflip))
}

/// Box–Muller for one block (two normals): radius from words 0,1, angle
/// from words 2,3.
#[inline(always)]
fn box_muller(w0: u64, w1: u64, w2: u64, w3: u64) -> (f64, f64) {
    // x = w1 2^32 + w0 + 1/2 (one rounding); u = x 2^-64 in (0, 1].
    let x = f64::mul_add(small_to_f64(w1, 0.0), TWO32, small_to_f64(w0, 0.5));
    let rad = neg2_ln(x, 1023.0 + 64.0).sqrt();
    // θ = (pi/2) (q + r): q = w2 & 3, r = 52 bits (w3, top 20 of w2) - 1/2.
    let r = f64::from_bits(ONE_BITS | (w3 << 20) | (w2 >> 12)) - 1.5;
    let (c, s) = cos_sin_quarter(r);
    let (c, s) = rotate_quarters(w2, c, s);
    (rad * c, rad * s)
}

/// Box–Muller on 32-bit uniforms (one pair from two words): EXPERIMENTAL.
#[inline(always)]
fn box_muller32(wr: u64, wa: u64) -> (f64, f64) {
    let x = small_to_f64(wr, 0.5);
    let rad = neg2_ln(x, 1023.0 + 32.0).sqrt();
    let r = f64::from_bits(ONE_BITS | ((wa >> 2) << 22)) - 1.5;
    let (c, s) = cos_sin_quarter(r);
    let (c, s) = rotate_quarters(wa, c, s);
    (rad * c, rad * s)
}

/// High 64 bits of the 128-bit product `(hi:lo) * r`, with 32-bit pieces
/// (so that it vectorises with `vpmuludq`); exact.
#[inline(always)]
fn mulhi64(lo: u64, hi: u64, r: u64) -> u64 {
    let rl = r & LO32;
    let rh = r >> 32;
    let ll = lo * rl;
    let lh = lo * rh;
    let hl = hi * rl;
    let hh = hi * rh;
    let t = (ll >> 32) + (lh & LO32) + (hl & LO32);
    hh + (lh >> 32) + (hl >> 32) + (t >> 32)
}

// ---------------------------------------------------------------------------
// Generators.  A Philox block (4 words) is split into `4 / W` units of `W`
// consecutive words; each unit gives `P` consecutive values.
// ---------------------------------------------------------------------------

trait Gen<const W: usize, const P: usize>: Copy {
    type T: Copy + Default;
    /// The `P` values of one unit from its `W` words.
    fn gen(&self, w: [u64; W]) -> [Self::T; P];
}

#[derive(Clone, Copy)]
struct Unit;

impl Gen<2, 1> for Unit {
    type T = f64;
    #[inline(always)]
    fn gen(&self, w: [u64; 2]) -> [f64; 1] {
        [unit53(w[0], w[1])]
    }
}

#[derive(Clone, Copy)]
struct Uniform {
    low: f64,
    span: f64,
}

impl Gen<2, 1> for Uniform {
    type T = f64;
    #[inline(always)]
    fn gen(&self, w: [u64; 2]) -> [f64; 1] {
        [f64::mul_add(self.span, unit53(w[0], w[1]), self.low)]
    }
}

#[derive(Clone, Copy)]
struct Normal {
    loc: f64,
    scale: f64,
}

impl Gen<4, 2> for Normal {
    type T = f64;
    #[inline(always)]
    fn gen(&self, w: [u64; 4]) -> [f64; 2] {
        let (z0, z1) = box_muller(w[0], w[1], w[2], w[3]);
        [f64::mul_add(self.scale, z0, self.loc), f64::mul_add(self.scale, z1, self.loc)]
    }
}

#[derive(Clone, Copy)]
struct Normal4 {
    loc: f64,
    scale: f64,
}

impl Gen<2, 2> for Normal4 {
    type T = f64;
    #[inline(always)]
    fn gen(&self, w: [u64; 2]) -> [f64; 2] {
        let (z0, z1) = box_muller32(w[0], w[1]);
        [f64::mul_add(self.scale, z0, self.loc), f64::mul_add(self.scale, z1, self.loc)]
    }
}

/// EXPERIMENTAL: four normals per block from 32-bit uniforms.
#[doc(hidden)]
pub fn fill_normal4(s: Stream, start: u64, step: i64, loc: f64, scale: f64, out: &mut [f64]) {
    fill(&Normal4 { loc, scale }, s, start, step, out)
}

#[derive(Clone, Copy)]
struct Integers {
    low: i64,
    range: u64,
}

impl Gen<2, 1> for Integers {
    type T = i64;
    #[inline(always)]
    fn gen(&self, w: [u64; 2]) -> [i64; 1] {
        [self.low.wrapping_add(mulhi64(w[0], w[1], self.range) as i64)]
    }
}

// ---------------------------------------------------------------------------
// Fill engine: plain loops, one unit (or element) per iteration, that LLVM's
// loop vectoriser turns into struct-of-arrays SIMD code.
// ---------------------------------------------------------------------------

/// The words of unit `u` of a block.
#[inline(always)]
fn unit_words<const W: usize>(x: &[u64; 4], u: usize) -> [u64; W] {
    let mut w = [0u64; W];
    for (k, wk) in w.iter_mut().enumerate() {
        *wk = x[u * W + k];
    }
    w
}

/// The value at global index `i`, computed on its own.
#[inline(always)]
fn value_at<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, ks: &Keys, i: u64) -> G::T {
    let per_block = (4 / W * P) as u64;
    let x = philox_block(ks, i / per_block);
    let r = (i % per_block) as usize;
    g.gen(unit_words::<W>(&x, r / P))[r % P]
}

/// Units per pass of the contiguous fill (a multiple of 2).
const SCRATCH: usize = 128;

/// `out[k]` = value at index `start + k` (step 1).
#[inline(always)]
fn fill_contig<G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    start: u64,
    out: &mut [G::T],
) {
    let units = 4 / W; // units per block
    let per_block = units * P;
    // Head: up to the first block boundary.
    let head = ((per_block - (start % per_block as u64) as usize) % per_block).min(out.len());
    for (k, o) in out[..head].iter_mut().enumerate() {
        *o = value_at::<G, W, P>(g, ks, start.wrapping_add(k as u64));
    }
    let mut b = start.wrapping_add(head as u64) / per_block as u64;
    let blocks_per_pass = SCRATCH / units;
    let mut body = out[head..].chunks_exact_mut(P * SCRATCH);
    let mut ws = [[0u64; SCRATCH]; W];
    for ch in &mut body {
        // Two passes over a small scratch buffer: Philox for a batch of
        // blocks, then the transform.  Each loop alone has plenty of
        // independent work per iteration for the out-of-order core.
        let half = blocks_per_pass / 2;
        for j in 0..half {
            let (x, y) =
                philox_block2(ks, b.wrapping_add(j as u64), b.wrapping_add((j + half) as u64));
            for u in 0..units {
                for k in 0..W {
                    ws[k][j * units + u] = x[u * W + k];
                    ws[k][(j + half) * units + u] = y[u * W + k];
                }
            }
        }
        for (t, o) in ch.chunks_exact_mut(P).enumerate() {
            let mut w = [0u64; W];
            for k in 0..W {
                w[k] = ws[k][t];
            }
            o.copy_from_slice(&g.gen(w));
        }
        b = b.wrapping_add(blocks_per_pass as u64);
    }
    // Remaining whole blocks, then a partial one.
    let mut body = body.into_remainder().chunks_exact_mut(per_block);
    for ch in &mut body {
        let x = philox_block(ks, b);
        for (u, o) in ch.chunks_exact_mut(P).enumerate() {
            o.copy_from_slice(&g.gen(unit_words::<W>(&x, u)));
        }
        b = b.wrapping_add(1);
    }
    let tail = body.into_remainder();
    if !tail.is_empty() {
        let x = philox_block(ks, b);
        for (t, o) in tail.iter_mut().enumerate() {
            *o = g.gen(unit_words::<W>(&x, t / P))[t % P];
        }
    }
}

/// `out[k]` = value at index `start + k*step` (wrapping), element by element
/// (still vectorised: one element per lane).
#[inline(always)]
fn fill_strided<G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    start: u64,
    step: i64,
    out: &mut [G::T],
) {
    let stepu = step as u64;
    for (k, o) in out.iter_mut().enumerate() {
        *o = value_at::<G, W, P>(g, ks, start.wrapping_add(stepu.wrapping_mul(k as u64)));
    }
}

#[inline(always)]
fn fill_any<G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    start: u64,
    step: i64,
    out: &mut [G::T],
) {
    if out.is_empty() {
        return;
    }
    match step {
        1 => fill_contig::<G, W, P>(g, ks, start, out),
        -1 => {
            let first = start.wrapping_sub(out.len() as u64 - 1);
            fill_contig::<G, W, P>(g, ks, first, out);
            out.reverse();
        }
        _ => fill_strided::<G, W, P>(g, ks, start, step, out),
    }
}

// ---------------------------------------------------------------------------
// Back ends and run-time dispatch
// ---------------------------------------------------------------------------

fn fill_plain<G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    start: u64,
    step: i64,
    out: &mut [G::T],
) {
    fill_any::<G, W, P>(g, ks, start, step, out)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{fill_any, Gen, Keys};

    #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
    pub(super) fn fill_avx512<G: Gen<W, P>, const W: usize, const P: usize>(
        g: &G,
        ks: &Keys,
        start: u64,
        step: i64,
        out: &mut [G::T],
    ) {
        fill_any::<G, W, P>(g, ks, start, step, out)
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) fn fill_avx2<G: Gen<W, P>, const W: usize, const P: usize>(
        g: &G,
        ks: &Keys,
        start: u64,
        step: i64,
        out: &mut [G::T],
    ) {
        fill_any::<G, W, P>(g, ks, start, step, out)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Path {
    Plain = 1,
    Avx2 = 2,
    Avx512 = 3,
}

static PATH: AtomicU8 = AtomicU8::new(0);

fn detect() -> Path {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            return Path::Avx512;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return Path::Avx2;
        }
    }
    Path::Plain
}

fn path() -> Path {
    match PATH.load(Ordering::Relaxed) {
        1 => Path::Plain,
        2 => Path::Avx2,
        3 => Path::Avx512,
        _ => {
            let p = detect();
            PATH.store(p as u8, Ordering::Relaxed);
            p
        }
    }
}

/// Which code path the fills use on this machine: `"avx512"`, `"avx2+fma"`
/// or `"plain"` (diagnostics only; all paths give identical values).
pub fn simd_path() -> &'static str {
    match path() {
        Path::Avx512 => "avx512",
        Path::Avx2 => "avx2+fma",
        Path::Plain => "plain",
    }
}

fn fill_on<G: Gen<W, P>, const W: usize, const P: usize>(p: Path, g: &G, s: Stream, start: u64, step: i64, out: &mut [G::T]) {
    let ks = Keys::new(s);
    match p {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Path::Avx512` is only used when the CPU has these features
        // (checked by `detect`, or by the caller in tests).
        Path::Avx512 => unsafe { x86::fill_avx512(g, &ks, start, step, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above, AVX2 and FMA were detected.
        Path::Avx2 => unsafe { x86::fill_avx2(g, &ks, start, step, out) },
        _ => fill_plain(g, &ks, start, step, out),
    }
}

#[inline]
fn fill<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, s: Stream, start: u64, step: i64, out: &mut [G::T]) {
    fill_on(path(), g, s, start, step, out)
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Uniform doubles in `[0, 1)` with 53-bit resolution: `out[k]` is the value
/// at global index `start + k*step` of stream `s`.
pub fn fill_random(s: Stream, start: u64, step: i64, out: &mut [f64]) {
    fill(&Unit, s, start, step, out)
}

/// Uniform doubles `low + (high - low) * u` (computed as one fused
/// multiply-add) with `u` the value [`fill_random`] gives at the same index.
/// As with NumPy, rounding can make a value equal to `high` when the
/// interval is wide relative to its endpoints.
pub fn fill_uniform(s: Stream, start: u64, step: i64, low: f64, high: f64, out: &mut [f64]) {
    fill(&Uniform { low, span: high - low }, s, start, step, out)
}

/// Normal deviates `loc + scale * z` (one fused multiply-add) with `z`
/// standard normal from Box–Muller (see the module docs and
/// `docs/random-stream.md`).  The radius uses a 64-bit uniform, so `|z|`
/// reaches 9.4 (the tail is exact up to that point).
pub fn fill_normal(s: Stream, start: u64, step: i64, loc: f64, scale: f64, out: &mut [f64]) {
    fill(&Normal { loc, scale }, s, start, step, out)
}

/// Integers in `[low, high)` (panics unless `high > low`).
///
/// Mapping: with `x` the 64-bit word of the element and `n = high - low`
/// (as u64), the value is `low + floor(x * n / 2^64)`.  There is no
/// rejection step, so some values are drawn `floor(2^64/n)` times out of
/// 2^64 and others once more: the relative bias of any value is below
/// `n / 2^64` (e.g. < 5.5e-13 for `n = 10^7`), far below what any
/// sample that can be generated could detect, and exactly zero when `n` is
/// a power of two.
pub fn fill_integers(s: Stream, start: u64, step: i64, low: i64, high: i64, out: &mut [i64]) {
    assert!(high > low, "fill_integers: need high > low (got low={low}, high={high})");
    let range = high.wrapping_sub(low) as u64;
    fill(&Integers { low, range }, s, start, step, out)
}

//! Counter-based random numbers (Philox4x32-10).
//!
//! Every value is a pure function of `(seed, stream, i)` where `i` is the
//! global flat (u64) index of the element, so any piece of an array can be
//! generated independently, in any order, on any thread, with any SIMD
//! width, and always gives the same bits.  The exact definition of the
//! stream, which is a stability promise, is in `docs/random-stream.md`;
//! in short:
//!
//! * Block `b` of stream `s` is `philox4x32_10(counter, key)` with
//!   `key = [seed as u32, (seed >> 32) as u32]` and
//!   `counter = [b as u32, (b >> 32) as u32, stream as u32, (stream >> 32) as u32]`:
//!   four 32-bit words `w[0..4]`.
//! * [`fill_random`], [`fill_uniform`], [`fill_integers`]: two values per
//!   block; element `i` uses the 64-bit word `w[2h] | w[2h+1] << 32` of
//!   block `i / 2`, `h = i % 2`.  Uniforms are `(x >> 11) * 2^-53`,
//!   integers `low + ((x * (high - low)) >> 64)`.
//! * [`fill_normal`]: four values per block, two Box–Muller pairs; pair
//!   `p` takes its radius from `w[2p]` and its angle from `w[2p+1]`.  A
//!   radius word below 2^21 (probability 2^-11) is extended by 32 more
//!   bits taken from block `b + 2^63` (a counter no fill ever uses
//!   otherwise), so the tail is exact out to 9.4 sigma instead of being
//!   cut at 6.8.  `ln`, `sin`, `cos` are our own branch-free polynomials
//!   evaluated with explicit `mul_add`.
//!
//! Speed: the bodies are `#[inline(always)]` generic code, plain loops that
//! handle one Philox block (or one value) per iteration over small
//! struct-of-arrays scratch buffers, which LLVM's loop vectoriser turns into
//! SIMD code with one block per lane (`(a & 0xffff_ffff) * M` becomes
//! `vpmuludq`).  They are instantiated in an AVX-512, an AVX2+FMA and a
//! plain wrapper, picked once at run time.  Every floating-point operation
//! is either exact, a correctly rounded IEEE operation (`+ - * / sqrt`) or
//! an explicit fused `mul_add`, and Rust never contracts `a*b+c` on its own,
//! so every path gives the same bits.  (The AVX-512 and AVX2 back ends write
//! one piece with intrinsics: Philox for normal passes, whose units they keep
//! in an internal order that saves shuffles; see [`Isa`] and `random/x86.rs`.)

use crate::dispatch::{path, Path};

mod add_rows;
pub use add_rows::add_normal_rows;

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

/// The Philox4x32 bijection with 10 rounds (Salmon, Moraes, Dror, Shaw,
/// SC'11), exactly as `philox4x32_10` in Random123: round `r` uses the key
/// `key + r * (W0, W1)`.
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
/// loops.  Word `k` is the low 32 bits of `out[k]`; the upper halves hold
/// garbage that every consumer masks off (for free: the masks fold into
/// `vpternlogq`, `vpmuludq` or shifts).
///
/// The products `(x & LO32) * M` become `vpmuludq` (which ignores the upper
/// halves of its inputs, so the masks are free).  Words 1 and 3 are carried
/// as the full 64-bit product: their upper halves only ever reach the upper
/// halves of words 0 and 2, which the next multiplication masks off.
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
    [c0, c1, c2, c3]
}

/// Two blocks at once, interleaved statement by statement, so that each
/// iteration of the vectorised loop carries two independent dependency
/// chains (the ten rounds are one long chain of multiply, shift, xor).
/// Same words as two calls of [`philox_block`].
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
    ([a0, a1, a2, a3], [b0, b1, b2, b3])
}

// ---------------------------------------------------------------------------
// Conversions and polynomial kernels (per lane; all exact or IEEE/fma)
// ---------------------------------------------------------------------------

/// `from_bits(TWO52_BITS | v) == 2^52 + v` for `v < 2^52`.
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;
const TWO32: f64 = 4_294_967_296.0;
const TWO21: f64 = 2_097_152.0;
const TWO_M53: f64 = 1.0 / 9_007_199_254_740_992.0;
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;
const MANT_MASK: u64 = 0x000F_FFFF_FFFF_FFFF;
const SIGN: u64 = 0x8000_0000_0000_0000;

/// Exact conversion of a 32-bit value (held in a u64) to f64, plus `bias`
/// folded into the magic-number subtraction: returns `v + bias` exactly
/// whenever that is representable (it is for every use here).
#[inline(always)]
fn small_to_f64(v: u64, bias: f64) -> f64 {
    f64::from_bits(TWO52_BITS | (v & LO32)) - (TWO52 - bias)
}

/// 53-bit uniform in [0, 1) from the 64-bit word `hi:lo`:
/// `((hi << 32 | lo) >> 11) * 2^-53`, computed exactly.
#[inline(always)]
fn unit53(lo: u64, hi: u64) -> f64 {
    // hi * 2^21 + (lo >> 11) < 2^53: the fma is exact.
    let f = f64::mul_add(small_to_f64(hi, 0.0), TWO21, small_to_f64((lo & LO32) >> 11, 0.0));
    f * TWO_M53
}

const LN2: f64 = core::f64::consts::LN_2;
/// `sqrt(2)/2` as f64 bits; the log reduction puts the mantissa in
/// `[sqrt(2)/2, sqrt(2))`.
const SQRT_HALF_BITS: u64 = 0x3FE6_A09E_667F_3BCD;

/// `-2 ln m = s Q(s^2)` with `s = (m-1)/(m+1)`, `Q(z) = -4 + z Q1(z)`, for
/// `m` in `[sqrt(2)/2, sqrt(2))` (`z <= 0.0295`).  Minimax (Remez) fit of
/// `Q1`; max relative error of `s Q` before rounding 1.3e-18.
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
    core::f64::consts::FRAC_PI_2, // the fit rounds to exactly pi/2
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

/// `-2 ln(x 2^-e)` for a positive normal `x`, given `bias = 1023 + e`.
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

/// Rotate `(c, s)` by `q` quarter turns (`q` in 0..4):
/// q=0 (c, s), q=1 (-s, c), q=2 (-c, -s), q=3 (s, -c).
#[inline(always)]
fn rotate_quarters(q: u64, c: f64, s: f64) -> (f64, f64) {
    let (a, b) = if q & 1 != 0 { (s, c) } else { (c, s) };
    let cflip = ((q + 1) << 62) & SIGN; // q in {1, 2}
    let sflip = (q << 62) & SIGN; // q in {2, 3}
    (f64::from_bits(a.to_bits() ^ cflip), f64::from_bits(b.to_bits() ^ sflip))
}

/// Box–Muller's second half: `(rad cos θ, rad sin θ)` for the angle word `wa`,
/// `θ = (pi/2)(q + t)` with `q = wa >> 30` and `t = (wa mod 2^30) 2^-30 - 1/2`; the radius
/// is `rad = sqrt(-2 ln u)` (see [`neg2_ln`]).
#[inline(always)]
fn polar(rad: f64, wa: u64) -> (f64, f64) {
    let t = f64::from_bits(ONE_BITS | ((wa << 22) & MANT_MASK)) - 1.5; // exact
    let (c, s) = cos_sin_quarter(t);
    let (c, s) = rotate_quarters((wa & LO32) >> 30, c, s);
    (rad * c, rad * s)
}

/// High 64 bits of the 128-bit product `(hi:lo) * r`, with 32-bit pieces
/// (so that it vectorises with `vpmuludq`); exact.
#[inline(always)]
fn mulhi64(lo: u64, hi: u64, r: u64) -> u64 {
    let (lo, hi) = (lo & LO32, hi & LO32);
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

/// Counter bit that marks extension blocks: regular fills use blocks
/// `b = i / 2` or `i / 4 < 2^63`, so blocks with this bit set are unused.
const EXT_BIT: u64 = 1 << 63;

trait Gen<const W: usize, const P: usize>: Copy {
    type T: Copy + Default;
    /// Whether some units take an extension word (see [`Gen::gen_ext`]).
    const EXTENDS: bool = false;
    /// The `P` values of one unit from its `W` words.
    fn gen(&self, w: [u64; W]) -> [Self::T; P];
    /// Whether the unit whose first word is `w0` needs its extension word.
    #[inline(always)]
    fn needs_ext(w0: u64) -> bool {
        let _ = w0;
        false
    }
    /// Whether [`Gen::gen_pass`] takes its units in [`Isa::UNPACK`] order where the back
    /// end has one.
    const UNPACKS: bool = false;
    /// The values of a pass's units from their words (`ws[k][t]` is word `k` of unit `t`);
    /// returns whether some unit needs its extension word.
    #[inline(always)]
    fn gen_pass<I: Isa, const S: usize>(&self, ws: &[[u64; S]; W], out: &mut [[Self::T; P]; S]) -> bool {
        for (t, o) in out.iter_mut().enumerate() {
            let mut w = [0u64; W];
            for k in 0..W {
                w[k] = ws[k][t];
            }
            *o = self.gen(w);
        }
        let mut any = false;
        for &w0 in ws[0].iter() {
            any |= Self::needs_ext(w0);
        }
        any
    }
    /// The unit's values when it needs its extension word `ext` (word `u` of
    /// block `b | EXT_BIT` for unit `u` of block `b`).
    #[inline(always)]
    fn gen_ext(&self, w: [u64; W], ext: u64) -> [Self::T; P] {
        let _ = ext;
        self.gen(w)
    }
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

/// Radius words below this take an extension word.
const EXT_LIMIT: u64 = 1 << 21;

/// Normals: one Box–Muller pair per unit of two words (radius, angle).
#[derive(Clone, Copy)]
struct Normal {
    loc: f64,
    scale: f64,
}

impl Normal {
    /// `-2 ln u` for the radius word alone: `u = (w0 + 1/2) 2^-32`.
    #[inline(always)]
    fn neg2_ln_word(w0: u64) -> f64 {
        neg2_ln(small_to_f64(w0, 0.5), 1023.0 + 32.0)
    }

    /// `-2 ln u` for the radius word `w0` with its extension word `ext`:
    /// `u = (w0 2^32 + ext + 1/2) 2^-64`, rounded once.
    #[inline(always)]
    fn neg2_ln_ext(w0: u64, ext: u64) -> f64 {
        let x = f64::mul_add(small_to_f64(w0, 0.0), TWO32, small_to_f64(ext, 0.5));
        neg2_ln(x, 1023.0 + 64.0)
    }

    /// Replaces the logarithms of a pass's units that need their extension word (only
    /// their logarithm differs; ~6 % of passes have such a unit). The slots come from
    /// vector compares into a bit mask; each unit's logarithm is computed out of line
    /// ([`Isa::ext_log`]).
    ///
    /// # Safety
    /// The CPU must support `I`.
    #[inline(always)]
    unsafe fn extend_logs<I: Isa, const S: usize>(ks: &Keys, ctr: &[u64; S], ws0: &[u64; S], lg: &mut [f64; S]) {
        const { assert!(S.is_multiple_of(64), "passes of whole 64-slot masks") };
        for (k, words) in ws0.chunks_exact(64).enumerate() {
            let mut bits = 0u64;
            for (j, &w) in words.iter().enumerate() {
                bits |= u64::from(Self::needs_ext(w)) << j;
            }
            while bits != 0 {
                let t = 64 * k + bits.trailing_zeros() as usize;
                // SAFETY: the caller's guarantee.
                lg[t] = unsafe { I::ext_log(ks, ctr, ws0[t], t) };
                bits &= bits - 1;
            }
        }
    }

    /// `-2 ln u` of the unit in scratch slot `t`, whose radius word `w0` needs its
    /// extension word.
    #[inline(always)]
    fn ext_log<I: Isa, const S: usize>(ks: &Keys, ctr: &[u64; S], w0: u64, t: usize) -> f64 {
        Self::neg2_ln_ext(w0, ext_word::<I, Self, 2, 2, S>(ks, ctr, t).1)
    }

    /// The pair for radius `rad` and angle word `wa`, scaled and shifted.
    #[inline(always)]
    fn finish(&self, rad: f64, wa: u64) -> [f64; 2] {
        let (z0, z1) = polar(rad, wa);
        [f64::mul_add(self.scale, z0, self.loc), f64::mul_add(self.scale, z1, self.loc)]
    }

    /// `lg` = `-2 ln u` of a pass's radius words; returns whether some unit needs its
    /// extension word (the check rides along in the same loop).
    #[inline(always)]
    fn logs<const S: usize>(ws0: &[u64; S], lg: &mut [f64; S]) -> bool {
        // The check is a running minimum of the bits of `X = w0 + 1/2` (positive doubles
        // order like their bits; a unit needs its extension word iff `X < 2^21`): one
        // integer op, where a compare into a mask register would take a multiply pipe.
        let mut least = u64::MAX;
        for (l, &w0) in lg.iter_mut().zip(ws0) {
            let x = small_to_f64(w0, 0.5);
            least = least.min(x.to_bits());
            *l = neg2_ln(x, 1023.0 + 32.0);
        }
        least < TWO21.to_bits()
    }

    /// The cosine and sine outputs of 8 lanes, from their logarithms and angle words.
    #[inline(always)]
    fn finish8(&self, lg: &[f64], wa: &[u64]) -> ([f64; 8], [f64; 8]) {
        let (mut cos, mut sin) = ([0.0f64; 8], [0.0f64; 8]);
        for k in 0..8 {
            [cos[k], sin[k]] = self.finish(lg[k].sqrt(), wa[k]);
        }
        (cos, sin)
    }
}

impl Gen<2, 2> for Normal {
    type T = f64;
    const EXTENDS: bool = true;
    #[inline(always)]
    fn gen(&self, w: [u64; 2]) -> [f64; 2] {
        self.finish(Self::neg2_ln_word(w[0]).sqrt(), w[1])
    }
    /// Two loops, the logarithms (with their divisions) first, then the square roots and
    /// angles: the divider is busy for ~25 cycles per 8 pairs on Zen 4, and split loops
    /// overlap it with the multiply-adds better (about 3 % faster here; same bits).
    ///
    /// With [`Isa::UNPACK`], the units come in unpack order, and each 8 lanes' cosines and
    /// sines interleave into 8 consecutive pairs with in-lane unpacks: the cross-lane
    /// shuffles that natural order needs cost ~5 % here.
    const UNPACKS: bool = true;
    #[inline(always)]
    fn gen_pass<I: Isa, const S: usize>(&self, ws: &[[u64; S]; 2], out: &mut [[f64; 2]; S]) -> bool {
        let mut lg = Aligned([0.0f64; S]);
        let lg = &mut lg.0;
        let any = Self::logs(&ws[0], lg);
        if I::UNPACK {
            for ((o, l), wa) in out.chunks_exact_mut(8).zip(lg.chunks_exact(8)).zip(ws[1].chunks_exact(8)) {
                let (cos, sin) = self.finish8(l, wa);
                // SAFETY: `I` is the instruction set this fill was dispatched for.
                unsafe { I::store_unpacked(&cos, &sin, o.try_into().expect("8 pairs")) };
            }
        } else {
            for ((o, &l), &wa) in out.iter_mut().zip(lg.iter()).zip(&ws[1]) {
                *o = self.finish(l.sqrt(), wa);
            }
        }
        any
    }
    #[inline(always)]
    fn needs_ext(w0: u64) -> bool {
        (w0 & LO32) < EXT_LIMIT
    }
    #[inline(always)]
    fn gen_ext(&self, w: [u64; 2], ext: u64) -> [f64; 2] {
        self.finish(Self::neg2_ln_ext(w[0], ext).sqrt(), w[1])
    }
}

// ---------------------------------------------------------------------------
// Instruction sets
// ---------------------------------------------------------------------------

/// Unpack order: lane `t` of each 8 holds unit `UNPACK_UNIT[t]` of those 8 (units
/// `2j + p`: pair `p` of the group's block `j`). Then unpacking the lanes' cosines and
/// sines (lanes 0, 2, 4, 6 and then 1, 3, 5, 7) gives the units' pairs in order.
const UNPACK_UNIT: [usize; 8] = [0, 4, 1, 5, 2, 6, 3, 7];

/// The instruction set a fill is compiled for. Each back end is its own monomorphisation,
/// so the AVX-512 and AVX2 ones (`random/x86.rs`) can use intrinsics where the loop
/// vectoriser cannot express a layout. Every back end gives the same bits.
trait Isa {
    /// Whether normal passes keep their units in unpack order ([`UNPACK_UNIT`]).
    const UNPACK: bool = false;

    /// Philox of the blocks `ctr[..S / 2]` into `ws` (two units of two words per block),
    /// units in unpack order.
    ///
    /// # Safety
    /// The CPU must support this instruction set.
    #[inline(always)]
    unsafe fn philox_unpacked<const S: usize>(ks: &Keys, ctr: &[u64; S], ws: &mut [[u64; S]; 2]) {
        let _ = (ks, ctr, ws);
        unreachable!("no unpack order on this instruction set")
    }

    /// `out` = 8 pairs from lanes in unpack order: `(cos[t], sin[t])` is the pair of unit
    /// `UNPACK_UNIT[t]`.
    ///
    /// # Safety
    /// The CPU must support this instruction set.
    #[inline(always)]
    unsafe fn store_unpacked(cos: &[f64; 8], sin: &[f64; 8], out: &mut [[f64; 2]; 8]) {
        let _ = (cos, sin, out);
        unreachable!("no unpack order on this instruction set")
    }

    /// Like [`Isa::store_unpacked`], but adds the pairs into `cells`: `cells[u] += pair`.
    ///
    /// # Safety
    /// The CPU must support this instruction set.
    #[inline(always)]
    unsafe fn add_unpacked(cos: &[f64; 8], sin: &[f64; 8], cells: &mut [[f64; 2]; 8]) {
        let _ = (cos, sin, cells);
        unreachable!("no unpack order on this instruction set")
    }

    /// [`Normal::ext_log`]: rare, so the x86 back ends keep it out of line.
    ///
    /// # Safety
    /// The CPU must support this instruction set.
    #[inline(always)]
    unsafe fn ext_log<const S: usize>(ks: &Keys, ctr: &[u64; S], w0: u64, t: usize) -> f64
    where
        Self: Sized,
    {
        Normal::ext_log::<Self, S>(ks, ctr, w0, t)
    }
}

/// The plain back end: whatever the loop vectoriser makes of the generic code.
struct Portable;

impl Isa for Portable {}

// ---------------------------------------------------------------------------
// Fill engine: plain loops, one block (or one element) per iteration, that
// LLVM's loop vectoriser turns into struct-of-arrays SIMD code.
// ---------------------------------------------------------------------------

/// Units per pass over the scratch buffers (a multiple of 2).
const SCRATCH: usize = 128;

/// Units per pass for the ends of fills, so that they waste little work.
const TAIL: usize = 32;

/// A scratch buffer on a 64-byte boundary, so that its vector loads and stores never
/// straddle cache lines (unaligned, where the stack frame happens to put it, a fill ran
/// up to ~5 % slower in some processes).
#[repr(align(64))]
struct Aligned<T>(T);

/// Words of unit `u` (`u < 4 / W`) of a block.
#[inline(always)]
fn unit_words<const W: usize>(x: &[u64; 4], u: usize) -> [u64; W] {
    let mut w = [0u64; W];
    for (k, wk) in w.iter_mut().enumerate() {
        // Written as a select so that it vectorises with a variable `u`.
        *wk = if W == 2 && u == 1 { x[(2 + k) % 4] } else { x[k] };
    }
    w
}

/// The values of unit `u` of block `b`, whose words are `w`.
#[inline(always)]
fn unit_values<G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    b: u64,
    u: usize,
    w: [u64; W],
) -> [G::T; P] {
    if G::EXTENDS && G::needs_ext(w[0]) {
        g.gen_ext(w, philox_block(ks, b | EXT_BIT)[u])
    } else {
        g.gen(w)
    }
}

/// The value at global index `i`, computed on its own.
#[inline(always)]
fn value_at<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, ks: &Keys, i: u64) -> G::T {
    let per_block = (4 / W * P) as u64;
    let b = i / per_block;
    let r = (i % per_block) as usize;
    let u = r / P;
    let x = philox_block(ks, b);
    unit_values::<G, W, P>(g, ks, b, u, unit_words::<W>(&x, u))[r % P]
}

/// One pass: the values of the `S` units of the blocks `ctr[..S / units]`.
/// Philox for the batch of blocks goes to the scratch buffer `ws`, then the
/// transform runs over it: each loop alone vectorises well and keeps enough
/// independent work in flight.
#[inline(always)]
fn pass<I: Isa, G: Gen<W, P>, const W: usize, const P: usize, const S: usize>(
    g: &G,
    ks: &Keys,
    ctr: &[u64; S],
    ws: &mut [[u64; S]; W],
    out: &mut [[G::T; P]; S],
) {
    philox_pass::<I, G, W, P, S>(ks, ctr, ws);
    finish_pass::<I, G, W, P, S>(g, ks, ctr, ws, out);
}

/// Whether a pass keeps its units in unpack order (see [`Isa::UNPACK`]).
#[inline(always)]
fn unpacks<I: Isa, G: Gen<W, P>, const W: usize, const P: usize>() -> bool {
    I::UNPACK && G::UNPACKS && W == 2
}

/// The first half of [`pass`]: the units' words into `ws`.
#[inline(always)]
fn philox_pass<I: Isa, G: Gen<W, P>, const W: usize, const P: usize, const S: usize>(
    ks: &Keys,
    ctr: &[u64; S],
    ws: &mut [[u64; S]; W],
) {
    let units = 4 / W;
    if unpacks::<I, G, W, P>() {
        let ws2: &mut [[u64; S]; 2] = (&mut ws[..]).try_into().expect("two words per unit");
        // SAFETY: `I` is the instruction set this fill was dispatched for.
        unsafe { I::philox_unpacked(ks, ctr, ws2) };
    } else {
        let half = S / units / 2;
        // Blocks j and j + half together (see `philox_block2`).
        for j in 0..half {
            let (x, y) = philox_block2(ks, ctr[j], ctr[j + half]);
            for u in 0..units {
                for k in 0..W {
                    ws[k][j * units + u] = x[u * W + k];
                    ws[k][(j + half) * units + u] = y[u * W + k];
                }
            }
        }
    }
}

/// The second half of [`pass`]: the values from the words in `ws`.
#[inline(always)]
fn finish_pass<I: Isa, G: Gen<W, P>, const W: usize, const P: usize, const S: usize>(
    g: &G,
    ks: &Keys,
    ctr: &[u64; S],
    ws: &[[u64; S]; W],
    out: &mut [[G::T; P]; S],
) {
    // Rare units that need an extension word: a vectorised check inside `gen_pass`, then a
    // scalar fix-up.
    if g.gen_pass::<I, S>(ws, out) && G::EXTENDS {
        for t in 0..S {
            if G::needs_ext(ws[0][t]) {
                let (n, ext) = ext_word::<I, G, W, P, S>(ks, ctr, t);
                let mut w = [0u64; W];
                for k in 0..W {
                    w[k] = ws[k][t];
                }
                out[n] = g.gen_ext(w, ext);
            }
        }
    }
}

/// The extension word of the pass's unit in scratch slot `t`, and that unit's place in
/// the pass (they differ in unpack order).
#[inline(always)]
fn ext_word<I: Isa, G: Gen<W, P>, const W: usize, const P: usize, const S: usize>(
    ks: &Keys,
    ctr: &[u64; S],
    t: usize,
) -> (usize, u64) {
    let units = 4 / W;
    let n = if unpacks::<I, G, W, P>() { t / 8 * 8 + UNPACK_UNIT[t % 8] } else { t };
    (n, philox_block(ks, ctr[n / units] | EXT_BIT)[n % units])
}

/// `out[k]` = value at index `start + k` (step 1).
#[inline(always)]
fn fill_contig<I: Isa, G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    start: u64,
    out: &mut [G::T],
) {
    let per_block = 4 / W * P;
    // Head: up to the first block boundary.
    let n = out.len();
    let head = ((per_block - (start % per_block as u64) as usize) % per_block).min(n);
    let (head_out, body) = out.split_at_mut(head);
    for (k, o) in head_out.iter_mut().enumerate() {
        *o = value_at::<G, W, P>(g, ks, start.wrapping_add(k as u64));
    }
    let b = start.wrapping_add(head as u64) / per_block as u64;
    let (body_units, part) = body.as_chunks_mut::<P>();
    fill_blocks::<I, G, W, P>(g, ks, BlockRows::new(b, u64::MAX, 0), body_units);
    // A partial unit at the end (only when P > 1).
    let first = start.wrapping_add((n - part.len()) as u64);
    for (k, o) in part.iter_mut().enumerate() {
        *o = value_at::<G, W, P>(g, ks, first.wrapping_add(k as u64));
    }
}

/// Block counters of rows of `row_blocks` consecutive blocks, each row starting `gap`
/// blocks (wrapping) after the end of the one before; endless.
struct BlockRows {
    next: u64,
    left: u64,
    row_blocks: u64,
    gap: u64,
}

impl BlockRows {
    /// The blocks of `rows` of whole blocks of `per_block` values (see [`Rows::whole_blocks`]).
    #[inline(always)]
    fn of_rows(rows: Rows, per_block: u64) -> BlockRows {
        let row_blocks = rows.len as u64 / per_block;
        let jump = (rows.stride / per_block as i64) as u64;
        BlockRows::new(rows.start / per_block, row_blocks, jump.wrapping_sub(row_blocks))
    }

    #[inline(always)]
    fn new(first: u64, row_blocks: u64, gap: u64) -> BlockRows {
        BlockRows { next: first, left: row_blocks, row_blocks, gap }
    }

    #[inline(always)]
    fn next(&mut self) -> u64 {
        let mut b = [0u64];
        self.take(&mut b);
        b[0]
    }

    /// The next `ctr.len()` counters, a row's worth at a time (each run vectorises).
    #[inline(always)]
    fn take(&mut self, ctr: &mut [u64]) {
        let mut i = 0;
        while i < ctr.len() {
            if self.left == 0 {
                self.next = self.next.wrapping_add(self.gap);
                self.left = self.row_blocks;
            }
            let m = self.left.min((ctr.len() - i) as u64) as usize;
            for (k, c) in ctr[i..i + m].iter_mut().enumerate() {
                *c = self.next.wrapping_add(k as u64);
            }
            self.next = self.next.wrapping_add(m as u64);
            self.left -= m as u64;
            i += m;
        }
    }
}

/// Whole passes of `S` units over `out`, from the blocks that `blocks` yields; returns the
/// rest of `out` (fewer than `S` units).
#[inline(always)]
fn passes<'a, I: Isa, G: Gen<W, P>, const W: usize, const P: usize, const S: usize>(
    g: &G,
    ks: &Keys,
    blocks: &mut BlockRows,
    out: &'a mut [[G::T; P]],
) -> &'a mut [[G::T; P]] {
    let units = 4 / W;
    let (mut ctr, mut ws) = (Aligned([0u64; S]), Aligned([[0u64; S]; W]));
    let mut chunks = out.chunks_exact_mut(S);
    for ch in &mut chunks {
        let ch: &mut [[G::T; P]; S] = ch.try_into().expect("chunk of S units");
        blocks.take(&mut ctr.0[..S / units]);
        pass::<I, G, W, P, S>(g, ks, &ctr.0, &mut ws.0, ch);
    }
    chunks.into_remainder()
}

/// The units of the blocks that `blocks` yields, in order, filling `out` (whose length
/// need not be a whole number of blocks: the last block's spare units are dropped).
#[inline(always)]
fn fill_blocks<I: Isa, G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    mut blocks: BlockRows,
    out: &mut [[G::T; P]],
) {
    let units = 4 / W; // units per block
    let rest = passes::<I, G, W, P, SCRATCH>(g, ks, &mut blocks, out);
    let rest = passes::<I, G, W, P, TAIL>(g, ks, &mut blocks, rest);
    if rest.len() >= TAIL / 8 {
        // One more short pass into a temporary (spare units are dropped).
        let mut tmp = [[G::T::default(); P]; TAIL];
        passes::<I, G, W, P, TAIL>(g, ks, &mut blocks, &mut tmp);
        rest.copy_from_slice(&tmp[..rest.len()]);
    } else {
        for ch in rest.chunks_mut(units) {
            let b = blocks.next();
            let x = philox_block(ks, b);
            for (u, o) in ch.iter_mut().enumerate() {
                *o = unit_values::<G, W, P>(g, ks, b, u, unit_words::<W>(&x, u));
            }
        }
    }
}

/// Rows of whole blocks: `out` holds rows of `len` values, row `r` starting at index
/// `start + r * stride`, where `start`, `len` and `stride` are multiples of the values per
/// block. The rows go through the passes as one stream, so short rows cost no more than
/// one long one.
#[inline(always)]
fn fill_block_rows<I: Isa, G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    rows: Rows,
    out: &mut [G::T],
) {
    let blocks = BlockRows::of_rows(rows, (4 / W * P) as u64);
    let (units, part) = out.as_chunks_mut::<P>();
    debug_assert!(part.is_empty());
    fill_blocks::<I, G, W, P>(g, ks, blocks, units);
}

/// `out[k]` = value at index `start + k*step` (wrapping), element by element
/// (still vectorised: one element per lane, in passes over scratch buffers).
#[inline(always)]
fn fill_strided<G: Gen<W, P>, const W: usize, const P: usize>(
    g: &G,
    ks: &Keys,
    start: u64,
    step: i64,
    out: &mut [G::T],
) {
    let per_block = (4 / W * P) as u64;
    let stepu = step as u64;
    let mut ws = [[0u64; SCRATCH]; W];
    let mut rs = [0usize; SCRATCH];
    for (c, ch) in out.chunks_mut(SCRATCH).enumerate() {
        let first = start.wrapping_add(stepu.wrapping_mul((c * SCRATCH) as u64));
        let n = ch.len();
        for t in 0..n {
            let i = first.wrapping_add(stepu.wrapping_mul(t as u64));
            let r = (i % per_block) as usize;
            let x = philox_block(ks, i / per_block);
            let w = unit_words::<W>(&x, r / P);
            for k in 0..W {
                ws[k][t] = w[k];
            }
            rs[t] = r;
        }
        for (t, o) in ch.iter_mut().enumerate() {
            let mut w = [0u64; W];
            for k in 0..W {
                w[k] = ws[k][t];
            }
            let v = g.gen(w);
            *o = if P == 2 && rs[t] % P == 1 { v[P - 1] } else { v[0] };
        }
        if G::EXTENDS {
            for (t, o) in ch.iter_mut().enumerate() {
                if G::needs_ext(ws[0][t]) {
                    let i = first.wrapping_add(stepu.wrapping_mul(t as u64));
                    *o = value_at::<G, W, P>(g, ks, i);
                }
            }
        }
    }
}

/// One run: `out[k]` = value at index `start + k*step`.
#[inline(always)]
fn fill_line<I: Isa, G: Gen<W, P>, const W: usize, const P: usize>(
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
        1 => fill_contig::<I, G, W, P>(g, ks, start, out),
        -1 => {
            let first = start.wrapping_sub(out.len() as u64 - 1);
            fill_contig::<I, G, W, P>(g, ks, first, out);
            out.reverse();
        }
        _ => fill_strided::<G, W, P>(g, ks, start, step, out),
    }
}

#[inline(always)]
fn fill_any<I: Isa, G: Gen<W, P>, const W: usize, const P: usize>(g: &G, ks: &Keys, rows: Rows, out: &mut [G::T]) {
    if out.is_empty() {
        return;
    }
    if out.len() > rows.len && rows.whole_blocks((4 / W * P) as u64) {
        fill_block_rows::<I, G, W, P>(g, ks, rows, out);
    } else {
        for (r, row) in out.chunks_mut(rows.len).enumerate() {
            fill_line::<I, G, W, P>(g, ks, rows.start.wrapping_add((r as i64).wrapping_mul(rows.stride) as u64), rows.step, row);
        }
    }
}

// ---------------------------------------------------------------------------
// Back ends and run-time dispatch
// ---------------------------------------------------------------------------

fn fill_plain<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, ks: &Keys, rows: Rows, out: &mut [G::T]) {
    fill_any::<Portable, G, W, P>(g, ks, rows, out)
}

#[cfg(target_arch = "x86_64")]
mod x86;

/// Fill with an explicit path; `p` must not exceed what `detect` reports.
fn fill_on<G: Gen<W, P>, const W: usize, const P: usize>(p: Path, g: &G, s: Stream, rows: Rows, out: &mut [G::T]) {
    assert!(rows.len > 0 || out.is_empty(), "random fill: rows of length 0");
    let ks = Keys::new(s);
    match p {
        // SAFETY: `Path::Avx512` is only passed when `detect` found AVX-512
        // F/DQ/VL/BW, AVX2 and FMA on this CPU.
        #[cfg(target_arch = "x86_64")]
        Path::Avx512 => unsafe { x86::fill_avx512(g, &ks, rows, out) },
        // SAFETY: `Path::Avx2` is only passed when AVX2 and FMA were detected.
        #[cfg(target_arch = "x86_64")]
        Path::Avx2 => unsafe { x86::fill_avx2(g, &ks, rows, out) },
        _ => fill_plain(g, &ks, rows, out),
    }
}

#[inline]
fn fill<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, s: Stream, rows: Rows, out: &mut [G::T]) {
    fill_on(path(), g, s, rows, out)
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/// Which global indices a fill takes: `out` is rows of `len` values, and
/// `out[r * len + k]` is the value at index `start + r * stride + k * step`
/// (wrapping u64 arithmetic; the caller keeps the indices in range).  One
/// call for many short rows is faster than a call per row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rows {
    pub start: u64,
    pub step: i64,
    pub len: usize,
    pub stride: i64,
}

impl Rows {
    /// One row, as long as `out`: index `start + k * step` for `out[k]`.
    pub fn line(start: u64, step: i64) -> Rows {
        Rows { start, step, len: usize::MAX, stride: 0 }
    }

    /// Whether the rows are runs of whole Philox blocks of `per_block` values: step 1, and
    /// start, length and stride multiples of `per_block`.
    fn whole_blocks(&self, per_block: u64) -> bool {
        let whole = |v: u64| v % per_block == 0;
        self.step == 1 && whole(self.start) && whole(self.len as u64) && whole(self.stride as u64)
    }
}

/// Uniform doubles in `[0, 1)` with 53-bit resolution, at the indices `rows`
/// gives, of stream `s`.
pub fn fill_random(s: Stream, rows: Rows, out: &mut [f64]) {
    fill(&Unit, s, rows, out)
}

/// Uniform doubles `low + (high - low) * u`, computed as one fused
/// multiply-add `fma(high - low, u, low)`, with `u` the value
/// [`fill_random`] gives at the same index.  As with NumPy, rounding can
/// make a value equal to `high` when `high - low` is large relative to the
/// spacing of doubles near `high`.
pub fn fill_uniform(s: Stream, rows: Rows, low: f64, high: f64, out: &mut [f64]) {
    fill(&Uniform { low, span: high - low }, s, rows, out)
}

/// Normal deviates `loc + scale * z`, computed as `fma(scale, z, loc)`,
/// with `z` standard normal from Box–Muller (four per Philox block; see the
/// module docs and `docs/random-stream.md`).  `|z|` reaches 9.4: the tail
/// is exact out to there.
pub fn fill_normal(s: Stream, rows: Rows, loc: f64, scale: f64, out: &mut [f64]) {
    fill(&Normal { loc, scale }, s, rows, out)
}

/// Integers in `[low, high)`; panics unless `high > low`.
///
/// Mapping: with `x` the element's 64-bit word and `n = high - low` (as a
/// u64), the value is `low + floor(x * n / 2^64)` (the "multiply-high"
/// mapping, no rejection).  Each value is then drawn either
/// `floor(2^64 / n)` or `ceil(2^64 / n)` times out of 2^64, so its
/// probability is off from `1/n` by a relative amount below `n / 2^64`
/// (below 5.5e-13 for `n = 10^7`, far beyond what any feasible sample can
/// detect); the mapping is exactly uniform when `n` is a power of two.
pub fn fill_integers(s: Stream, rows: Rows, low: i64, high: i64, out: &mut [i64]) {
    assert!(high > low, "fill_integers: need high > low (got low={low}, high={high})");
    let range = high.wrapping_sub(low) as u64;
    fill(&Integers { low, range }, s, rows, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Box–Muller: `r = sqrt(-2 ln(x 2^-e))` (`bias = 1023 + e`) with [`polar`]'s angle.
    fn box_muller(x: f64, bias: f64, wa: u64) -> (f64, f64) {
        polar(neg2_ln(x, bias).sqrt(), wa)
    }

    fn st(seed: u64, stream: u64) -> Stream {
        Stream { seed, stream }
    }

    // -- Reference implementation, straight from the definition in
    // docs/random-stream.md: scalar Philox, one element at a time.

    fn block_ref(s: Stream, b: u64) -> [u64; 4] {
        let key = [s.seed as u32, (s.seed >> 32) as u32];
        let ctr = [b as u32, (b >> 32) as u32, s.stream as u32, (s.stream >> 32) as u32];
        philox4x32_10(ctr, key).map(u64::from)
    }

    fn word64_ref(s: Stream, i: u64) -> u64 {
        let w = block_ref(s, i / 2);
        let h = (i % 2) as usize * 2;
        w[h] | (w[h + 1] << 32)
    }

    fn random_ref(s: Stream, i: u64) -> f64 {
        (word64_ref(s, i) >> 11) as f64 * (-53f64).exp2()
    }

    fn integer_ref(s: Stream, i: u64, low: i64, high: i64) -> i64 {
        let n = high.wrapping_sub(low) as u64;
        let hi = ((u128::from(word64_ref(s, i)) * u128::from(n)) >> 64) as u64;
        low.wrapping_add(hi as i64)
    }

    fn normal_ref(s: Stream, i: u64, loc: f64, scale: f64) -> f64 {
        let b = i / 4;
        let p = ((i / 2) % 2) as usize;
        let w = block_ref(s, b);
        let (wr, wa) = (w[2 * p], w[2 * p + 1]);
        let (x, bias) = if wr < (1 << 21) {
            let e = block_ref(s, b | (1 << 63))[p];
            // (wr 2^32 + e) < 2^53 converts exactly; adding 1/2 rounds once.
            (((wr << 32) | e) as f64 + 0.5, 1023.0 + 64.0)
        } else {
            (wr as f64 + 0.5, 1023.0 + 32.0)
        };
        let (c, sn) = box_muller(x, bias, wa);
        let z = if i & 1 == 0 { c } else { sn };
        f64::mul_add(scale, z, loc)
    }

    // -- Helpers: every kind as bit patterns, on an explicit path.

    #[derive(Clone, Copy, Debug)]
    enum Kind {
        Random,
        Uniform(f64, f64),
        Normal(f64, f64),
        Integers(i64, i64),
    }

    const KINDS: [Kind; 5] = [
        Kind::Random,
        Kind::Uniform(-3.0, 5.5),
        Kind::Normal(0.0, 1.0),
        Kind::Normal(10.0, 0.25),
        Kind::Integers(-7, 1000),
    ];

    fn bits_on(p: Path, k: Kind, s: Stream, start: u64, step: i64, n: usize) -> Vec<u64> {
        bits_rows_on(p, k, s, Rows::line(start, step), n)
    }

    fn bits_rows_on(p: Path, k: Kind, s: Stream, rows: Rows, n: usize) -> Vec<u64> {
        match k {
            Kind::Integers(low, high) => {
                let mut v = vec![0i64; n];
                let range = high.wrapping_sub(low) as u64;
                fill_on(p, &Integers { low, range }, s, rows, &mut v);
                v.into_iter().map(|x| x as u64).collect()
            }
            _ => {
                let mut v = vec![0f64; n];
                match k {
                    Kind::Random => fill_on(p, &Unit, s, rows, &mut v),
                    Kind::Uniform(low, high) => {
                        fill_on(p, &Uniform { low, span: high - low }, s, rows, &mut v)
                    }
                    Kind::Normal(loc, scale) => {
                        fill_on(p, &Normal { loc, scale }, s, rows, &mut v)
                    }
                    Kind::Integers(..) => unreachable!(),
                }
                v.into_iter().map(f64::to_bits).collect()
            }
        }
    }

    fn bits(k: Kind, s: Stream, start: u64, step: i64, n: usize) -> Vec<u64> {
        bits_on(path(), k, s, start, step, n)
    }

    fn bits_ref(k: Kind, s: Stream, i: u64) -> u64 {
        match k {
            Kind::Random => random_ref(s, i).to_bits(),
            Kind::Uniform(low, high) => f64::mul_add(high - low, random_ref(s, i), low).to_bits(),
            Kind::Normal(loc, scale) => normal_ref(s, i, loc, scale).to_bits(),
            Kind::Integers(low, high) => integer_ref(s, i, low, high) as u64,
        }
    }

    /// Every path this CPU can run, the plain one first.
    pub(super) fn paths() -> Vec<Path> {
        let mut v = vec![Path::Plain];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                v.push(Path::Avx2);
            }
            if crate::dispatch::detect() == Path::Avx512 {
                v.push(Path::Avx512);
            }
        }
        v
    }

    // -- Philox

    #[test]
    fn philox_known_answers() {
        // Random123 kat_vectors, philox4x32_10.
        assert_eq!(philox4x32_10([0; 4], [0; 2]), [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
        assert_eq!(
            philox4x32_10([0xffffffff; 4], [0xffffffff; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0]
            ),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn lane_philox_matches_reference() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2000 {
            let s = st(next(), next());
            let b = next();
            assert_eq!(philox_block(&Keys::new(s), b).map(|x| x & LO32), block_ref(s, b));
        }
        let s = st(u64::MAX, u64::MAX);
        assert_eq!(philox_block(&Keys::new(s), u64::MAX).map(|x| x & LO32), block_ref(s, u64::MAX));
        let ks = Keys::new(st(3, 4));
        for b in [0u64, 1, 1 << 32, u64::MAX - 1] {
            let (x, y) = philox_block2(&ks, b, b ^ 0x5555);
            assert_eq!(x, philox_block(&ks, b));
            assert_eq!(y, philox_block(&ks, b ^ 0x5555));
        }
    }

    // -- The stream definition

    #[test]
    fn fills_match_reference_definition() {
        for s in [st(0, 0), st(42, 7), st(u64::MAX, 1 << 40), st(0x0123_4567_89AB_CDEF, u64::MAX)] {
            for k in KINDS {
                for start in [0u64, 1, 3, 1_000_001, u64::MAX - 5000] {
                    let n = 3001;
                    let got = bits(k, s, start, 1, n);
                    for (j, g) in got.iter().enumerate() {
                        let i = start + j as u64;
                        assert_eq!(*g, bits_ref(k, s, i), "{k:?} {s:?} index {i}");
                    }
                }
            }
        }
    }

    #[test]
    fn golden_values() {
        // Pinned outputs: if any of these changes, the stream has changed.
        let s = st(42, 0);
        let mut u = [0.0; 4];
        fill_random(s, Rows::line(0, 1), &mut u);
        let mut z = [0.0; 4];
        fill_normal(s, Rows::line(0, 1), 0.0, 1.0, &mut z);
        let mut n = [0i64; 4];
        fill_integers(s, Rows::line(0, 1), 0, 1000, &mut n);
        let far = st(0x0123_4567_89AB_CDEF, 99);
        let mut uf = [0.0; 2];
        fill_random(far, Rows::line(1 << 50, 1), &mut uf);
        let mut zf = [0.0; 2];
        fill_normal(far, Rows::line(1 << 50, 1), 0.0, 1.0, &mut zf);
        // The first pair of stream (7, 3) that takes the extension word.
        let e = extended_pairs(st(7, 3), 1)[0];
        let mut ze = [0.0; 2];
        fill_normal(st(7, 3), Rows::line(e, 1), 0.0, 1.0, &mut ze);
        println!("golden: {u:?}\n{z:?}\n{n:?}\n{uf:?}\n{zf:?}\n{e} {ze:?}");
        let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same(
            &u,
            &[0.4685865183391049, 0.34086154938517876, 0.32706338120338474, 0.4543156017348883]
        ));
        assert!(same(
            &z,
            &[-0.5488356599450556, 0.8232198989761061, 0.48670584631619657, 2.2341374574758825]
        ));
        assert_eq!(n, [468, 340, 327, 454]);
        assert!(same(&uf, &[0.4653271396934704, 0.08207323994845883]));
        assert!(same(&zf, &[-1.5631079618354082, -0.7803259189565783]));
        assert_eq!(e, 1474);
        assert!(same(&ze, &[4.220895812376985, 0.9624299502522727]));
    }

    #[test]
    fn coefficients_match_doc() {
        // The table in docs/random-stream.md.
        let bits = |c: &[f64]| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&LOG_Q1),
            [
                0xBFF5555555555592,
                0xBFE999999997FEE9,
                0xBFE24924941E0C16,
                0xBFDC71C52164D905,
                0xBFD74663C534478A,
                0xBFD39A1FBA2D642F,
                0xBFD2F02E56DB598F
            ]
        );
        assert_eq!(
            bits(&SIN_P),
            [
                0x3FF921FB54442D18,
                0xBFE4ABBCE625BE41,
                0x3FB466BC67758700,
                0xBF732D2CCE2D5361,
                0x3F250782FCA38C0E,
                0xBECE30063A031F57,
                0x3E6E3EED5D16D705
            ]
        );
        assert_eq!(
            bits(&COS_P),
            [
                0xBFF3BD3CC9BE459D,
                0x3FD03C1F081B0E28,
                0xBF955D3C7DC3DE08,
                0x3F4E1F4FB8446848,
                0xBEFA6C9CA50CD9B1,
                0x3E9F3DCEFA7BA1F5
            ]
        );
        assert_eq!((-2.0 * LN2).to_bits(), 0xBFF62E42FEFA39EF);
        assert_eq!(ONE_BITS - SQRT_HALF_BITS, 0x00095F619980C433);
    }

    /// Indices (pair starts) of the first `want` normals whose radius word
    /// takes the extension word.
    pub(super) fn extended_pairs(s: Stream, want: usize) -> Vec<u64> {
        let mut v = Vec::new();
        let mut b = 0u64;
        while v.len() < want {
            let w = block_ref(s, b);
            for p in 0..2 {
                if w[2 * p] < (1 << 21) {
                    v.push(4 * b + 2 * p as u64);
                }
            }
            b += 1;
        }
        v
    }

    #[test]
    fn extension_check_is_exact_at_its_limit() {
        // The pass-level check in `Normal::logs` against `needs_ext`, word by word, at and
        // around the limit, with junk in the high halves (as Philox leaves them).
        for w in [EXT_LIMIT - 2, EXT_LIMIT - 1, EXT_LIMIT, EXT_LIMIT + 1, 0, LO32] {
            for junk in [0u64, 0xDEAD_BEEF << 32, u64::MAX << 32] {
                let mut ws0 = [EXT_LIMIT | junk; 32];
                ws0[13] = w | junk;
                let mut lg = [0.0; 32];
                assert_eq!(Normal::logs(&ws0, &mut lg), Normal::needs_ext(w), "word {w:#x}");
                assert_eq!(lg[13].to_bits(), Normal::neg2_ln_word(w).to_bits());
            }
        }
    }

    #[test]
    fn tail_extension_is_used_and_consistent() {
        let s = st(7, 3);
        let pairs = extended_pairs(s, 40);
        let n = (pairs.last().unwrap() + 2) as usize;
        let all = bits(Kind::Normal(0.0, 1.0), s, 0, 1, n);
        for &i in &pairs {
            for j in [i, i + 1] {
                let r = normal_ref(s, j, 0.0, 1.0).to_bits();
                assert_eq!(all[j as usize], r, "contiguous, index {j}");
                assert_eq!(bits(Kind::Normal(0.0, 1.0), s, j, 1, 1)[0], r, "single, index {j}");
                assert_eq!(
                    bits(Kind::Normal(0.0, 1.0), s, j, 0, 3),
                    vec![r; 3],
                    "step 0, index {j}"
                );
            }
            // Strided fills through the extended pair, both directions, on
            // every path.
            for p in paths() {
                for (step, first) in [(3i64, i - 300), (-5, i + 1 + 500)] {
                    let got = bits_on(p, Kind::Normal(0.0, 1.0), s, first, step, 400);
                    for (k, g) in got.iter().enumerate() {
                        let j = (first as i64 + k as i64 * step) as u64;
                        assert_eq!(*g, normal_ref(s, j, 0.0, 1.0).to_bits(), "{p:?} step {step}");
                    }
                }
            }
        }
        // The extension gives the far tail: radius word 0 reaches 9.4 sigma.
        let (c, _) = box_muller(0.5, 1023.0 + 64.0, 1 << 29);
        assert!(c > 9.4 && c < 9.5, "{c}");
        let (c, _) = box_muller(0.5, 1023.0 + 32.0, 1 << 29);
        assert!(c > 6.7 && c < 6.8, "{c}");
    }

    // -- Range splitting and strides

    fn kind_strategy() -> impl Strategy<Value = Kind> {
        (0..KINDS.len()).prop_map(|i| KINDS[i])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn split_fills_concatenate(
            k in kind_strategy(),
            seed in any::<u64>(),
            stream in any::<u64>(),
            start in prop_oneof![0u64..10_000, any::<u64>().prop_map(|x| x >> 1)],
            n in 0usize..1500,
            cuts in proptest::collection::vec(0usize..1500, 0..6),
        ) {
            let s = st(seed, stream);
            let whole = bits(k, s, start, 1, n);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(n)).collect();
            cuts.push(0);
            cuts.push(n);
            cuts.sort_unstable();
            let mut joined = Vec::with_capacity(n);
            for w in cuts.windows(2) {
                joined.extend(bits(k, s, start + w[0] as u64, 1, w[1] - w[0]));
            }
            prop_assert_eq!(joined, whole);
        }

        #[test]
        fn row_fills_match_definition(
            k in kind_strategy(),
            seed in any::<u64>(),
            start in 0u64..1 << 40,
            aligned in any::<bool>(),
            step in prop_oneof![Just(1i64), Just(-1), Just(3)],
            len in 1usize..300,
            stride in -5000i64..5000,
            nrows in 0usize..7,
        ) {
            let s = st(seed, 9);
            // Aligned rows (start, len, stride multiples of 4) take the block-rows path.
            let (start, len, stride) = if aligned { (start / 4 * 4, len.div_ceil(4) * 4, stride / 4 * 4) } else { (start, len, stride) };
            let start = start + (1 << 20);
            let rows = Rows { start, step, len, stride };
            let want: Vec<u64> = (0..nrows * len)
                .map(|j| bits_ref(k, s, (start as i64 + (j / len) as i64 * stride + (j % len) as i64 * step) as u64))
                .collect();
            for p in paths() {
                prop_assert_eq!(&bits_rows_on(p, k, s, rows, nrows * len), &want, "path {:?}", p);
            }
        }

        #[test]
        fn strided_fills_gather_contiguous(
            k in kind_strategy(),
            seed in any::<u64>(),
            start in 0u64..5000,
            step in -9i64..10,
            n in 0usize..400,
        ) {
            let s = st(seed, 5);
            // Index range covered, kept non-negative.
            let lo_off = if step < 0 { (n as i64 - 1).max(0) * -step } else { 0 };
            let start = start + lo_off as u64;
            let span = (n as i64 - 1).max(0) * step.abs() + 1;
            let base = if step < 0 { start - lo_off as u64 } else { start };
            let contiguous = bits(k, s, base, 1, span as usize);
            let strided = bits(k, s, start, step, n);
            for (j, v) in strided.iter().enumerate() {
                let i = (start as i64 + j as i64 * step) as u64;
                prop_assert_eq!(*v, contiguous[(i - base) as usize]);
            }
        }
    }

    #[test]
    fn large_and_wrapping_steps() {
        let s = st(99, 1);
        for k in KINDS {
            for &(start, step) in &[
                (0u64, 1_000_003i64),
                (u64::MAX, -1),
                (u64::MAX, -7_777_777),
                (1 << 62, i64::MAX / 1000),
                (12345, 0),
            ] {
                let got = bits(k, s, start, step, 300);
                for (j, g) in got.iter().enumerate() {
                    let i = start.wrapping_add((step as u64).wrapping_mul(j as u64));
                    assert_eq!(*g, bits_ref(k, s, i), "{k:?} start {start} step {step} j {j}");
                }
            }
        }
    }

    // -- Every SIMD path equals the plain one bit for bit

    #[test]
    fn simd_paths_match_plain() {
        let ps = paths();
        println!("paths tested: {ps:?}");
        let s = st(0xDEAD_BEEF, 11);
        // Long enough for several full passes, extension words, a long and
        // a short remainder and partial blocks at both ends.
        let cases: &[(u64, i64, usize)] = &[
            (0, 1, 20_000),
            (3, 1, 9_999),
            (5, 1, 300),
            (1 << 40, 1, 777),
            (20_000, -1, 5_001),
            (17, 3, 2_000),
            (90_000, -5, 1_000),
            (42, 0, 50),
        ];
        for k in KINDS {
            for &(start, step, n) in cases {
                let want = bits_on(Path::Plain, k, s, start, step, n);
                for &p in &ps[1..] {
                    assert_eq!(
                        bits_on(p, k, s, start, step, n),
                        want,
                        "{p:?} {k:?} {start} {step} {n}"
                    );
                }
            }
        }
    }

    // -- Edge cases

    #[test]
    fn edge_cases() {
        let s = st(1, 2);
        fill_normal(s, Rows::line(5, 1), 0.0, 1.0, &mut []);
        let mut one = [0.0];
        fill_random(s, Rows::line(u64::MAX, 1), &mut one);
        assert_eq!(one[0], random_ref(s, u64::MAX));
        let mut v = [0i64; 100];
        fill_integers(s, Rows::line(0, 1), 5, 6, &mut v);
        assert!(v.iter().all(|&x| x == 5));
        fill_integers(s, Rows::line(0, 1), i64::MIN, i64::MAX, &mut v);
        assert!(v.iter().all(|&x| x < i64::MAX));
        let mut f = [0.0; 100];
        fill_uniform(s, Rows::line(0, 1), 2.0, 2.0, &mut f);
        assert!(f.iter().all(|&x| x == 2.0));
        fill_random(s, Rows::line(0, 1), &mut f);
        assert!(f.iter().all(|&x| (0.0..1.0).contains(&x)));
    }

    #[test]
    #[should_panic(expected = "high > low")]
    fn integers_reject_empty_range() {
        fill_integers(st(0, 0), Rows::line(0, 1), 3, 3, &mut [0; 4]);
    }

    // -- Statistics

    /// Standard normal CDF from an erf series with positive terms
    /// (absolute error ~1e-15, plenty for the tests).
    fn normal_cdf(z: f64) -> f64 {
        let x = z / std::f64::consts::SQRT_2;
        let erf = if x.abs() > 6.0 {
            x.signum()
        } else {
            // erf x = 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (2n+1)!!
            let mut term = x;
            let mut sum = x;
            let mut n = 0.0;
            while term.abs() > 1e-17 * sum.abs() {
                n += 1.0;
                term *= 2.0 * x * x / (2.0 * n + 1.0);
                sum += term;
            }
            2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp() * sum
        };
        0.5 * (1.0 + erf)
    }

    /// Kolmogorov–Smirnov p-value of the sample (sorted in place) against `cdf`.
    fn ks_pvalue(xs: &mut [f64], cdf: impl Fn(f64) -> f64) -> (f64, f64) {
        xs.sort_unstable_by(|a, b| a.partial_cmp(b).unwrap());
        let n = xs.len() as f64;
        let mut d: f64 = 0.0;
        for (i, &x) in xs.iter().enumerate() {
            let f = cdf(x);
            d = d.max(f - i as f64 / n).max((i + 1) as f64 / n - f);
        }
        let lam = (n.sqrt() + 0.12 + 0.11 / n.sqrt()) * d;
        let mut p = 0.0;
        for k in 1..=100 {
            let k = k as f64;
            p += 2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * lam * lam).exp();
        }
        (d, p.clamp(0.0, 1.0))
    }

    /// Upper-tail p-value of a chi-square statistic (Wilson–Hilferty).
    fn chi2_pvalue(x2: f64, df: f64) -> f64 {
        let z = ((x2 / df).cbrt() - (1.0 - 2.0 / (9.0 * df))) / (2.0 / (9.0 * df)).sqrt();
        1.0 - normal_cdf(z)
    }

    fn mean_var(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let m = xs.iter().sum::<f64>() / n;
        let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        (m, v)
    }

    fn corr(a: &[f64], b: &[f64]) -> f64 {
        let (ma, va) = mean_var(a);
        let (mb, vb) = mean_var(b);
        let c =
            a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / (a.len() as f64 - 1.0);
        c / (va * vb).sqrt()
    }

    fn normals(s: Stream, start: u64, n: usize) -> Vec<f64> {
        let mut v = vec![0.0; n];
        fill_normal(s, Rows::line(start, 1), 0.0, 1.0, &mut v);
        v
    }

    fn uniforms(s: Stream, start: u64, n: usize) -> Vec<f64> {
        let mut v = vec![0.0; n];
        fill_random(s, Rows::line(start, 1), &mut v);
        v
    }

    #[test]
    fn normal_moments_and_tails() {
        let n = 10_000_000;
        let z = normals(st(2024, 0), 0, n);
        let nf = n as f64;
        let (m, v) = mean_var(&z);
        assert!(m.abs() < 5.0 / nf.sqrt(), "mean {m}");
        assert!((v - 1.0).abs() < 5.0 * (2.0 / nf).sqrt(), "variance {v}");
        let m3 = z.iter().map(|x| x * x * x).sum::<f64>() / nf;
        let m4 = z.iter().map(|x| x * x * x * x).sum::<f64>() / nf;
        assert!(m3.abs() < 5.0 * (15.0 / nf).sqrt(), "third moment {m3}");
        assert!((m4 - 3.0).abs() < 5.0 * (96.0 / nf).sqrt(), "fourth moment {m4}");
        // Tail frequencies, including the region served by the extension
        // word (|z| > 3.9 needs a radius word below 2^21).
        for t in [1.0, 2.0, 3.0, 4.0, 4.5] {
            let p = 2.0 * normal_cdf(-t);
            let c = z.iter().filter(|x| x.abs() > t).count() as f64;
            let se = (nf * p * (1.0 - p)).sqrt();
            assert!((c - nf * p).abs() < 5.0 * se, "|z| > {t}: {c} vs {}", nf * p);
        }
        let max = z.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        assert!(max < 9.5 && max > 4.5, "max |z| {max}");
        // Same transform with loc/scale.
        let mut y = vec![0.0; 100_000];
        fill_normal(st(2024, 0), Rows::line(0, 1), 10.0, 0.5, &mut y);
        for (a, b) in y.iter().zip(&z) {
            assert_eq!(a.to_bits(), f64::mul_add(0.5, *b, 10.0).to_bits());
        }
    }

    #[test]
    fn normal_ks() {
        let mut z = normals(st(77, 1), 1 << 33, 1_000_000);
        let (d, p) = ks_pvalue(&mut z, normal_cdf);
        println!("normal KS: D = {d:.3e}, p = {p:.3}");
        assert!(p > 0.01, "KS D = {d}, p = {p}");
    }

    #[test]
    fn normal_tail_is_exponential() {
        // Pairs with R^2 > 22 ln 2 (u < 2^-11) come from the extension; their
        // R^2 - 22 ln 2 must be Exp(mean 2).
        let z = normals(st(31337, 0), 0, 20_000_000);
        let cut = 22.0 * std::f64::consts::LN_2;
        let mut excess: Vec<f64> = z
            .chunks_exact(2)
            .map(|p| p[0] * p[0] + p[1] * p[1])
            .filter(|&r2| r2 > cut + 1e-9)
            .map(|r2| r2 - cut)
            .collect();
        let expected = 1e7 / 2048.0;
        assert!((excess.len() as f64 - expected).abs() < 5.0 * expected.sqrt(), "{}", excess.len());
        let (d, p) = ks_pvalue(&mut excess, |x| 1.0 - (-x / 2.0).exp());
        println!("tail KS: n = {}, D = {d:.3e}, p = {p:.3}", excess.len());
        assert!(p > 0.01, "tail KS D = {d}, p = {p}");
    }

    #[test]
    fn uniform_ks_and_moments() {
        let mut u = uniforms(st(5, 5), 123, 1_000_000);
        let nf = u.len() as f64;
        let (m, v) = mean_var(&u);
        assert!((m - 0.5).abs() < 5.0 * (1.0 / 12.0 / nf).sqrt(), "mean {m}");
        assert!((v - 1.0 / 12.0).abs() < 5.0 * (1.0 / 180.0 / nf).sqrt(), "variance {v}");
        let (d, p) = ks_pvalue(&mut u, |x| x.clamp(0.0, 1.0));
        println!("uniform KS: D = {d:.3e}, p = {p:.3}");
        assert!(p > 0.01, "KS D = {d}, p = {p}");
        let mut w = vec![0.0; 200_000];
        fill_uniform(st(5, 5), Rows::line(123, 1), -2.0, 6.0, &mut w);
        assert!(w.iter().all(|x| (-2.0..6.0).contains(x)));
    }

    #[test]
    fn integers_in_range_and_uniform() {
        let s = st(8, 8);
        for &(low, high) in
            &[(0i64, 10i64), (-3, 4), (i64::MIN, i64::MAX), (-1, 0), (1 << 40, (1 << 40) + 3)]
        {
            let mut v = vec![0i64; 50_000];
            fill_integers(s, Rows::line(9, 1), low, high, &mut v);
            assert!(v.iter().all(|&x| low <= x && x < high), "[{low}, {high})");
        }
        for &(low, high) in &[(0i64, 10i64), (-3, 4), (100, 357)] {
            let k = (high - low) as usize;
            let mut v = vec![0i64; 1_000_000];
            fill_integers(s, Rows::line(1 << 20, 1), low, high, &mut v);
            let mut counts = vec![0f64; k];
            for x in &v {
                counts[(x - low) as usize] += 1.0;
            }
            let e = v.len() as f64 / k as f64;
            let x2: f64 = counts.iter().map(|c| (c - e) * (c - e) / e).sum();
            let p = chi2_pvalue(x2, (k - 1) as f64);
            println!("integers [{low}, {high}): chi2 = {x2:.1}, p = {p:.3}");
            assert!(p > 0.01, "[{low}, {high}): chi2 {x2}, p {p}");
        }
        // The full range uses all 64 bits: top and bottom bits are fair.
        let mut v = vec![0i64; 1_000_000];
        fill_integers(s, Rows::line(0, 1), i64::MIN, i64::MAX, &mut v);
        let nf = v.len() as f64;
        for bit in [0, 1, 31, 32, 62, 63] {
            let ones = v.iter().filter(|&&x| (x >> bit) & 1 == 1).count() as f64;
            assert!((ones - nf / 2.0).abs() < 5.0 * (nf / 4.0).sqrt(), "bit {bit}: {ones}");
        }
    }

    #[test]
    fn independence() {
        let n = 1_000_000;
        let lim = 5.0 / (n as f64).sqrt();
        // Seeds (adjacent ones), streams, lag 1, uniforms and normals.
        let pairs = [
            (uniforms(st(1, 0), 0, n), uniforms(st(2, 0), 0, n)),
            (uniforms(st(1, 0), 0, n), uniforms(st(1, 1), 0, n)),
            (uniforms(st(0, 0), 0, n), uniforms(st(1 << 32, 0), 0, n)),
            (uniforms(st(0, 0), 0, n), uniforms(st(0, 1 << 32), 0, n)),
            (uniforms(st(3, 0), 0, n), uniforms(st(3, 0), 1, n)),
            (normals(st(1, 0), 0, n), normals(st(2, 0), 0, n)),
            (normals(st(1, 0), 0, n), normals(st(1, 1), 0, n)),
            (normals(st(3, 0), 0, n), normals(st(3, 0), 1, n)),
        ];
        for (k, (a, b)) in pairs.iter().enumerate() {
            let r = corr(a, b);
            assert!(r.abs() < lim, "case {k}: r = {r}");
        }
        // Within a block: the two values of a pair, the two pairs of a block,
        // and the squares of a pair (Box–Muller's outputs are independent).
        let z = normals(st(4, 4), 0, 4 * n);
        let col = |j: usize| z.iter().skip(j).step_by(4).copied().collect::<Vec<_>>();
        let (c0, c1, c2) = (col(0), col(1), col(2));
        let sq = |v: &[f64]| v.iter().map(|x| x * x).collect::<Vec<_>>();
        for (name, r) in [
            ("cos/sin", corr(&c0, &c1)),
            ("pair 0/pair 1", corr(&c0, &c2)),
            ("squares", corr(&sq(&c0), &sq(&c1))),
        ] {
            assert!(r.abs() < lim, "{name}: r = {r}");
        }
    }

    // -- Accuracy of the polynomial kernels against libm

    #[test]
    fn kernel_accuracy() {
        let mut w = 0x1234_5678u64;
        let mut next = || {
            w ^= w << 13;
            w ^= w >> 7;
            w ^= w << 17;
            w
        };
        // -2 ln u for u = (w + 1/2) 2^-32 and (w 2^32 + e + 1/2) 2^-64.
        let mut worst_ln: f64 = 0.0;
        for k in 0..400_000u64 {
            let x = match k % 4 {
                0 => (next() & LO32) as f64 + 0.5,
                1 => (k / 4) as f64 + 0.5,
                2 => (LO32 - k / 4) as f64 + 0.5,
                _ => ((next() >> 11) as f64 + 0.5) * 2048.0,
            };
            let (ours, u) = if k % 4 == 3 {
                (neg2_ln(x, 1023.0 + 64.0), x * (-64f64).exp2())
            } else {
                (neg2_ln(x, 1023.0 + 32.0), x * (-32f64).exp2())
            };
            let want = -2.0 * u.ln();
            if want > 0.0 {
                worst_ln = worst_ln.max(((ours - want) / want).abs());
            } else {
                assert_eq!(ours, 0.0);
            }
        }
        // cos, sin of (pi/2) t on |t| <= 1/2.
        let (mut worst_c, mut worst_s): (f64, f64) = (0.0, 0.0);
        for k in 0..=400_000 {
            let t = k as f64 / 400_000.0 - 0.5;
            let (c, s) = cos_sin_quarter(t);
            let a = std::f64::consts::FRAC_PI_2 * t;
            worst_c = worst_c.max(((c - a.cos()) / a.cos()).abs());
            if t != 0.0 {
                worst_s = worst_s.max(((s - a.sin()) / a.sin()).abs());
            }
        }
        // End to end: Box–Muller against the same formula with libm.
        let mut worst_z: f64 = 0.0;
        for _ in 0..200_000 {
            let (wr, wa) = (next() & LO32, next() & LO32);
            let x = wr as f64 + 0.5;
            let (c, s) = box_muller(x, 1023.0 + 32.0, wa);
            let r = (-2.0 * (x * (-32f64).exp2()).ln()).sqrt();
            let t = (wa & ((1 << 30) - 1)) as f64 * (-30f64).exp2() - 0.5;
            let a = std::f64::consts::FRAC_PI_2 * t;
            let (c0, s0) = rotate_quarters(wa >> 30, a.cos(), a.sin());
            for (ours, want) in [(c, r * c0), (s, r * s0)] {
                if want != 0.0 {
                    worst_z = worst_z.max(((ours - want) / want).abs());
                }
            }
        }
        println!(
            "max relative error vs libm: -2ln {worst_ln:.2e}, cos {worst_c:.2e}, sin {worst_s:.2e}, z {worst_z:.2e}"
        );
        assert!(worst_ln < 1e-15, "{worst_ln}");
        assert!(worst_c < 1e-15 && worst_s < 1e-15, "{worst_c} {worst_s}");
        assert!(worst_z < 2e-15, "{worst_z}");
    }

    /// The two simpler designs the normal generator was measured against
    /// (docs/random-stream.md, "Design choice"); not part of the stream.
    /// Two normals per block from 64-bit radius and angle uniforms:
    #[derive(Clone, Copy)]
    struct Normal2x64;

    impl Gen<4, 2> for Normal2x64 {
        type T = f64;
        #[inline(always)]
        fn gen(&self, w: [u64; 4]) -> [f64; 2] {
            let x = f64::mul_add(small_to_f64(w[1], 0.0), TWO32, small_to_f64(w[0], 0.5));
            let rad = neg2_ln(x, 1023.0 + 64.0).sqrt();
            let mant = ((w[3] & LO32) << 20) | ((w[2] & LO32) >> 12);
            let t = f64::from_bits(ONE_BITS | mant) - 1.5;
            let (c, s) = cos_sin_quarter(t);
            let (c, s) = rotate_quarters(w[2] & 3, c, s);
            [rad * c, rad * s]
        }
    }

    /// Four normals per block from 32-bit uniforms, without the extension.
    #[derive(Clone, Copy)]
    struct Normal4x32;

    impl Gen<2, 2> for Normal4x32 {
        type T = f64;
        #[inline(always)]
        fn gen(&self, w: [u64; 2]) -> [f64; 2] {
            let (c, s) = box_muller(small_to_f64(w[0], 0.5), 1023.0 + 32.0, w[1]);
            [c, s]
        }
    }

    fn rate(mut f: impl FnMut(u64, &mut [f64])) -> f64 {
        let mut out = vec![0.0; 4096];
        let mut rates = Vec::new();
        for rep in 0..15u64 {
            let t = std::time::Instant::now();
            for j in 0..500u64 {
                f((rep * 500 + j) * 4096, &mut out);
                std::hint::black_box(&out);
            }
            rates.push(500.0 * 4096.0 / t.elapsed().as_secs_f64());
        }
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        rates[7] / 1e6
    }

    /// Throughput of every path and of the alternative normal designs (not
    /// a correctness test; median of 15 x 500 fills of 4096):
    /// `cargo test -p tessera-kernels --release random::tests::path_speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn path_speed() {
        let s = st(1, 2);
        for p in paths() {
            let n = rate(|i, o| fill_on(p, &Normal { loc: 0.0, scale: 1.0 }, s, Rows::line(i, 1), o));
            let u = rate(|i, o| fill_on(p, &Unit, s, Rows::line(i, 1), o));
            println!("{p:?}: normal {n:.0} M/s, random {u:.0} M/s");
        }
        let p = path();
        let a = rate(|i, o| fill_on(p, &Normal2x64, s, Rows::line(i, 1), o));
        let b = rate(|i, o| fill_on(p, &Normal4x32, s, Rows::line(i, 1), o));
        let c = rate(|i, o| fill_on(p, &Normal { loc: 0.0, scale: 1.0 }, s, Rows::line(i, 1), o));
        println!("{p:?} designs: 2/block 64-bit {a:.0} M/s, 4/block 32-bit {b:.0} M/s, chosen {c:.0} M/s");
    }
}

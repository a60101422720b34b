//! The x86-64 back ends: the engine compiled with AVX-512 or AVX2+FMA enabled, and the
//! pieces of the normal generator written with intrinsics (Philox in unpack order, and
//! the unpacks that turn its lanes into pairs in stream order).

use super::add_rows::add_block_rows;
use super::{fill_any, Gen, Isa, Keys, Normal, Rows, PHILOX_M0, PHILOX_M1, ROUNDS};
use std::arch::x86_64::*;

#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
pub(super) fn fill_avx512<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, ks: &Keys, rows: Rows, out: &mut [G::T]) {
    fill_any::<Avx512, G, W, P>(g, ks, rows, out)
}

#[target_feature(enable = "avx2,fma")]
pub(super) fn fill_avx2<G: Gen<W, P>, const W: usize, const P: usize>(g: &G, ks: &Keys, rows: Rows, out: &mut [G::T]) {
    fill_any::<Avx2, G, W, P>(g, ks, rows, out)
}

/// Only [`fill_avx512`] and [`add_block_rows_avx512`] use it, after dispatch found AVX-512 F/DQ/VL/BW.
struct Avx512;

impl Isa for Avx512 {
    const UNPACK: bool = true;

    #[inline(always)]
    unsafe fn philox_unpacked<const S: usize>(ks: &Keys, ctr: &[u64; S], ws: &mut [[u64; S]; 2]) {
        // SAFETY: the caller guarantees AVX-512.
        unsafe { philox_unpacked_avx512(ks, ctr, ws) }
    }

    #[inline(always)]
    unsafe fn store_unpacked(cos: &[f64; 8], sin: &[f64; 8], out: &mut [[f64; 2]; 8]) {
        // SAFETY: the caller guarantees AVX-512.
        unsafe { store_unpacked_avx512(cos, sin, out) }
    }

    #[inline(always)]
    unsafe fn add_unpacked(cos: &[f64; 8], sin: &[f64; 8], cells: &mut [[f64; 2]; 8]) {
        // SAFETY: the caller guarantees AVX-512.
        unsafe { add_unpacked_avx512(cos, sin, cells) }
    }

    #[inline(always)]
    unsafe fn ext_log<const S: usize>(ks: &Keys, ctr: &[u64; S], w0: u64, t: usize) -> f64 {
        // SAFETY: AVX-512 implies FMA (dispatch checks both).
        unsafe { ext_log_fma::<Self, S>(ks, ctr, w0, t) }
    }
}

/// Only [`fill_avx2`] and [`add_block_rows_avx2`] use it, after dispatch found AVX2 and FMA.
struct Avx2;

impl Isa for Avx2 {
    const UNPACK: bool = true;

    #[inline(always)]
    unsafe fn philox_unpacked<const S: usize>(ks: &Keys, ctr: &[u64; S], ws: &mut [[u64; S]; 2]) {
        // SAFETY: the caller guarantees AVX2.
        unsafe { philox_unpacked_avx2(ks, ctr, ws) }
    }

    #[inline(always)]
    unsafe fn store_unpacked(cos: &[f64; 8], sin: &[f64; 8], out: &mut [[f64; 2]; 8]) {
        // SAFETY: the caller guarantees AVX2.
        unsafe { store_unpacked_avx2(cos, sin, out) }
    }

    #[inline(always)]
    unsafe fn add_unpacked(cos: &[f64; 8], sin: &[f64; 8], cells: &mut [[f64; 2]; 8]) {
        // SAFETY: the caller guarantees AVX2.
        unsafe { add_unpacked_avx2(cos, sin, cells) }
    }

    #[inline(always)]
    unsafe fn ext_log<const S: usize>(ks: &Keys, ctr: &[u64; S], w0: u64, t: usize) -> f64 {
        // SAFETY: AVX2 implies FMA (dispatch checks both).
        unsafe { ext_log_fma::<Self, S>(ks, ctr, w0, t) }
    }
}

/// [`Normal::ext_log`] out of line (about one unit in 2000 needs it), with FMA so that
/// its `mul_add`s are instructions rather than calls.
#[target_feature(enable = "fma")]
#[cold]
#[inline(never)]
fn ext_log_fma<I: Isa, const S: usize>(ks: &Keys, ctr: &[u64; S], w0: u64, t: usize) -> f64 {
    Normal::ext_log::<I, S>(ks, ctr, w0, t)
}

#[target_feature(enable = "avx2,fma")]
pub(super) fn add_block_rows_avx2(g: &Normal, ks: &Keys, rows: Rows, nrows: usize, acc: &mut [f64]) {
    add_block_rows::<Avx2>(g, ks, rows, nrows, acc)
}

#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
pub(super) fn add_block_rows_avx512(g: &Normal, ks: &Keys, rows: Rows, nrows: usize, acc: &mut [f64]) {
    add_block_rows::<Avx512>(g, ks, rows, nrows, acc)
}

/// [`super::philox_block`] of a pass's blocks, 32 at a time (then 16 for a remainder), with
/// the units' words permuted into unpack order on the way out. (LLVM keeps this out of
/// line; forced inline into the streamed sums it measured ~2 % slower.)
#[target_feature(enable = "avx512f")]
#[inline]
fn philox_unpacked_avx512<const S: usize>(ks: &Keys, ctr: &[u64; S], ws: &mut [[u64; S]; 2]) {
    assert!(S % 32 == 0, "unpack-order passes take 16 blocks at a time");
    let mut i = 0;
    while i < S / 2 {
        if S / 2 - i >= 32 {
            philox_chains_avx512::<S, 4>(ks, ctr, ws, i);
            i += 32;
        } else {
            philox_chains_avx512::<S, 2>(ks, ctr, ws, i);
            i += 16;
        }
    }
}

/// The blocks `ctr[i..i + 8 C]` in `C` independent chains of 8 lanes (one block per lane):
/// four chains keep the multipliers busier than two (~3 % faster fills). Round 0 is
/// partly shared: word 2 starts as the stream's low word in every block, so its product
/// is one constant. The units' words leave in unpack order (`vpermt2q`, which natural
/// order needs as well).
#[target_feature(enable = "avx512f")]
#[inline]
fn philox_chains_avx512<const S: usize, const C: usize>(ks: &Keys, ctr: &[u64; S], ws: &mut [[u64; S]; 2], i: usize) {
    assert!(i + 8 * C <= S / 2);
    let m0 = _mm512_set1_epi64(i64::from(PHILOX_M0));
    let m1 = _mm512_set1_epi64(i64::from(PHILOX_M1));
    let (c2, c3) = (_mm512_set1_epi64(ks.c2 as i64), _mm512_set1_epi64(ks.c3 as i64));
    let p1 = _mm512_mul_epu32(c2, m1);
    let h1 = _mm512_xor_si512(_mm512_srli_epi64::<32>(p1), _mm512_set1_epi64(ks.k0[0] as i64));
    let c3k = _mm512_xor_si512(c3, _mm512_set1_epi64(ks.k1[0] as i64));
    let mut st = [[_mm512_setzero_si512(); 4]; C];
    for (c, x) in st.iter_mut().enumerate() {
        // SAFETY: i + 8 c + 8 <= S / 2 <= S.
        let b = unsafe { _mm512_loadu_epi64(ctr.as_ptr().add(i + 8 * c).cast()) };
        // Word 0 is the low half of the counter (the multiplication ignores the high half),
        // word 1 its high half.
        let p0 = _mm512_mul_epu32(b, m0);
        *x = [_mm512_xor_si512(h1, _mm512_srli_epi64::<32>(b)), p1, _mm512_xor_si512(_mm512_srli_epi64::<32>(p0), c3k), p0];
    }
    for r in 1..ROUNDS {
        let (k0, k1) = (_mm512_set1_epi64(ks.k0[r] as i64), _mm512_set1_epi64(ks.k1[r] as i64));
        for x in st.iter_mut() {
            let (p0, p1) = (_mm512_mul_epu32(x[0], m0), _mm512_mul_epu32(x[2], m1));
            x[0] = _mm512_ternarylogic_epi64::<0x96>(_mm512_srli_epi64::<32>(p1), x[1], k0);
            x[2] = _mm512_ternarylogic_epi64::<0x96>(_mm512_srli_epi64::<32>(p0), x[3], k1);
            (x[1], x[3]) = (p1, p0);
        }
    }
    // Lanes of (pair 0 of 8 blocks, pair 1 of 8 blocks) -> two groups of 8 units; pair 0 is
    // (w0 radius, w1 angle), pair 1 is (w2, w3).
    let first = _mm512_setr_epi64(0, 2, 8, 10, 1, 3, 9, 11);
    let second = _mm512_setr_epi64(4, 6, 12, 14, 5, 7, 13, 15);
    for (c, [w0, w1, w2, w3]) in st.into_iter().enumerate() {
        let d = 2 * (i + 8 * c);
        // SAFETY: d + 16 <= S.
        unsafe {
            _mm512_storeu_epi64(ws[0].as_mut_ptr().add(d).cast(), _mm512_permutex2var_epi64(w0, first, w2));
            _mm512_storeu_epi64(ws[0].as_mut_ptr().add(d + 8).cast(), _mm512_permutex2var_epi64(w0, second, w2));
            _mm512_storeu_epi64(ws[1].as_mut_ptr().add(d).cast(), _mm512_permutex2var_epi64(w1, first, w3));
            _mm512_storeu_epi64(ws[1].as_mut_ptr().add(d + 8).cast(), _mm512_permutex2var_epi64(w1, second, w3));
        }
    }
}

/// The pairs of 8 lanes in unpack order, as units `0..4` and `4..8`.
#[target_feature(enable = "avx512f")]
#[inline]
fn unpack(cos: &[f64; 8], sin: &[f64; 8]) -> (__m512d, __m512d) {
    // SAFETY: 8 doubles each.
    let (c, s) = unsafe { (_mm512_loadu_pd(cos.as_ptr()), _mm512_loadu_pd(sin.as_ptr())) };
    (_mm512_unpacklo_pd(c, s), _mm512_unpackhi_pd(c, s))
}

#[target_feature(enable = "avx512f")]
#[inline]
fn store_unpacked_avx512(cos: &[f64; 8], sin: &[f64; 8], out: &mut [[f64; 2]; 8]) {
    let (lo, hi) = unpack(cos, sin);
    let p = out.as_mut_ptr().cast::<f64>();
    // SAFETY: 16 doubles.
    unsafe {
        _mm512_storeu_pd(p, lo);
        _mm512_storeu_pd(p.add(8), hi);
    }
}

#[target_feature(enable = "avx512f")]
#[inline]
fn add_unpacked_avx512(cos: &[f64; 8], sin: &[f64; 8], cells: &mut [[f64; 2]; 8]) {
    let (lo, hi) = unpack(cos, sin);
    let p = cells.as_mut_ptr().cast::<f64>();
    // SAFETY: 16 doubles.
    unsafe {
        _mm512_storeu_pd(p, _mm512_add_pd(_mm512_loadu_pd(p), lo));
        _mm512_storeu_pd(p.add(8), _mm512_add_pd(_mm512_loadu_pd(p.add(8)), hi));
    }
}

/// [`super::philox_block`] of 8 blocks per iteration, in two chains of 4 lanes, with the
/// units' words permuted into unpack order on the way out (as many shuffles as natural
/// order needs).
#[target_feature(enable = "avx2")]
#[inline]
fn philox_unpacked_avx2<const S: usize>(ks: &Keys, ctr: &[u64; S], ws: &mut [[u64; S]; 2]) {
    assert!(S % 16 == 0, "unpack-order passes take 8 blocks at a time");
    let m0 = _mm256_set1_epi64x(i64::from(PHILOX_M0));
    let m1 = _mm256_set1_epi64x(i64::from(PHILOX_M1));
    let (c2, c3) = (_mm256_set1_epi64x(ks.c2 as i64), _mm256_set1_epi64x(ks.c3 as i64));
    for i in (0..S / 2).step_by(8) {
        // SAFETY: i + 8 <= S / 2 <= S.
        let (ba, bb) = unsafe { (_mm256_loadu_si256(ctr.as_ptr().add(i).cast()), _mm256_loadu_si256(ctr.as_ptr().add(i + 4).cast())) };
        let (mut a0, mut a1, mut a2, mut a3) = (ba, _mm256_srli_epi64::<32>(ba), c2, c3);
        let (mut b0, mut b1, mut b2, mut b3) = (bb, _mm256_srli_epi64::<32>(bb), c2, c3);
        for r in 0..ROUNDS {
            let (k0, k1) = (_mm256_set1_epi64x(ks.k0[r] as i64), _mm256_set1_epi64x(ks.k1[r] as i64));
            let (pa0, pb0) = (_mm256_mul_epu32(a0, m0), _mm256_mul_epu32(b0, m0));
            let (pa1, pb1) = (_mm256_mul_epu32(a2, m1), _mm256_mul_epu32(b2, m1));
            a0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64::<32>(pa1), a1), k0);
            b0 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64::<32>(pb1), b1), k0);
            a2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64::<32>(pa0), a3), k1);
            b2 = _mm256_xor_si256(_mm256_xor_si256(_mm256_srli_epi64::<32>(pb0), b3), k1);
            (a1, b1, a3, b3) = (pa1, pb1, pa0, pb0);
        }
        // Per 4 blocks: blocks (0, 2, 1, 3) of pair 0 and of pair 1, then a 128-bit swap.
        for (d, (w0, w1, w2, w3)) in [(2 * i, (a0, a1, a2, a3)), (2 * i + 8, (b0, b1, b2, b3))] {
            for (k, (p0, p1)) in [(w0, w2), (w1, w3)].into_iter().enumerate() {
                let (t0, t1) = (_mm256_permute4x64_epi64::<0b11_01_10_00>(p0), _mm256_permute4x64_epi64::<0b11_01_10_00>(p1));
                // SAFETY: d + 8 <= S.
                unsafe {
                    _mm256_storeu_si256(ws[k].as_mut_ptr().add(d).cast(), _mm256_permute2x128_si256::<0x20>(t0, t1));
                    _mm256_storeu_si256(ws[k].as_mut_ptr().add(d + 4).cast(), _mm256_permute2x128_si256::<0x31>(t0, t1));
                }
            }
        }
    }
}

/// The pairs of 8 lanes in unpack order, as units `0..2`, `2..4`, `4..6` and `6..8`.
#[target_feature(enable = "avx2")]
#[inline]
fn unpack_avx2(cos: &[f64; 8], sin: &[f64; 8]) -> [__m256d; 4] {
    // SAFETY: 8 doubles each.
    let (c0, c1, s0, s1) = unsafe {
        (_mm256_loadu_pd(cos.as_ptr()), _mm256_loadu_pd(cos.as_ptr().add(4)), _mm256_loadu_pd(sin.as_ptr()), _mm256_loadu_pd(sin.as_ptr().add(4)))
    };
    [_mm256_unpacklo_pd(c0, s0), _mm256_unpacklo_pd(c1, s1), _mm256_unpackhi_pd(c0, s0), _mm256_unpackhi_pd(c1, s1)]
}

#[target_feature(enable = "avx2")]
#[inline]
fn store_unpacked_avx2(cos: &[f64; 8], sin: &[f64; 8], out: &mut [[f64; 2]; 8]) {
    let p = out.as_mut_ptr().cast::<f64>();
    for (k, v) in unpack_avx2(cos, sin).into_iter().enumerate() {
        // SAFETY: 16 doubles.
        unsafe { _mm256_storeu_pd(p.add(4 * k), v) };
    }
}

#[target_feature(enable = "avx2")]
#[inline]
fn add_unpacked_avx2(cos: &[f64; 8], sin: &[f64; 8], cells: &mut [[f64; 2]; 8]) {
    let p = cells.as_mut_ptr().cast::<f64>();
    for (k, v) in unpack_avx2(cos, sin).into_iter().enumerate() {
        // SAFETY: 16 doubles.
        unsafe { _mm256_storeu_pd(p.add(4 * k), _mm256_add_pd(_mm256_loadu_pd(p.add(4 * k)), v)) };
    }
}

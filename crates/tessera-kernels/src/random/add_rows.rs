//! Sums of rows of normal deviates, fused with the generator: `acc[k] += x[r][k]` for each
//! row `r` in order, without the rows ever being stored (a column sum of a random block
//! otherwise writes every value to memory and reads it back). The same bits as filling
//! the rows and adding them one at a time.

#[cfg(target_arch = "x86_64")]
use super::x86;
use super::{fill_blocks, fill_on, path, philox_pass, unpacks, Aligned, BlockRows, Isa, Keys, Normal, Path, Rows, Stream, SCRATCH};

/// Values per buffer where rows go through [`super::fill_normal`] and [`crate::reduce::add_rows_into`].
const BUFFER: usize = 32 * 1024;

/// Adds `nrows` rows of normal deviates `loc + scale * z` into `acc`: for each row `r` in
/// order, `acc[k] += value at rows.start + r * rows.stride + k * rows.step`. The result
/// has the same bits as [`super::fill_normal`] of the rows followed by one `+=` per row.
/// Panics unless `rows.len == acc.len()`.
pub fn add_normal_rows(s: Stream, rows: Rows, nrows: usize, loc: f64, scale: f64, acc: &mut [f64]) {
    add_normal_rows_on(path(), s, rows, nrows, loc, scale, acc)
}

/// [`add_normal_rows`] with an explicit path; `p` must not exceed what dispatch detects.
fn add_normal_rows_on(p: Path, s: Stream, rows: Rows, nrows: usize, loc: f64, scale: f64, acc: &mut [f64]) {
    assert_eq!(rows.len, acc.len(), "add_normal_rows: rows of {} values into {} cells", rows.len, acc.len());
    if nrows == 0 || acc.is_empty() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if rows.whole_blocks(4) {
        let (g, ks) = (Normal { loc, scale }, Keys::new(s));
        match p {
            // SAFETY: dispatch found AVX-512 F/DQ/VL/BW, AVX2 and FMA on this CPU.
            Path::Avx512 => return unsafe { x86::add_block_rows_avx512(&g, &ks, rows, nrows, acc) },
            // SAFETY: dispatch found AVX2 and FMA on this CPU.
            Path::Avx2 => return unsafe { x86::add_block_rows_avx2(&g, &ks, rows, nrows, acc) },
            Path::Plain => {}
        }
    }
    let per = (BUFFER / rows.len).clamp(1, nrows);
    let mut buf = vec![0.0; per * rows.len];
    let mut r = 0;
    while r < nrows {
        let k = per.min(nrows - r);
        let start = rows.start.wrapping_add((r as i64).wrapping_mul(rows.stride) as u64);
        let b = &mut buf[..k * rows.len];
        fill_on(p, &Normal { loc, scale }, s, Rows { start, ..rows }, b);
        crate::reduce::add_rows_into(acc, b);
        r += k;
    }
}

/// Pairs added into a row of cells in order, wrapping to the row's start after its end.
struct AddPairs<'a> {
    cells: &'a mut [[f64; 2]],
    next: usize,
}

impl AddPairs<'_> {
    /// The next `vals.len()` pairs, a row's stretch at a time (each stretch vectorises).
    #[inline(always)]
    fn add_all(&mut self, mut vals: &[[f64; 2]]) {
        while !vals.is_empty() {
            let k = vals.len().min(self.cells.len() - self.next);
            for (c, v) in self.cells[self.next..self.next + k].iter_mut().zip(&vals[..k]) {
                c[0] += v[0];
                c[1] += v[1];
            }
            vals = &vals[k..];
            self.next = (self.next + k) % self.cells.len();
        }
    }

    /// The next 8 pairs, from lanes in unpack order.
    ///
    /// # Safety
    /// `I` is the instruction set the caller was dispatched for.
    #[inline(always)]
    unsafe fn add8<I: Isa>(&mut self, cos: &[f64; 8], sin: &[f64; 8]) {
        let n = self.cells.len();
        if self.next + 8 <= n {
            let cells: &mut [[f64; 2]; 8] = (&mut self.cells[self.next..self.next + 8]).try_into().expect("8 cells");
            // SAFETY: the caller's guarantee.
            unsafe { I::add_unpacked(cos, sin, cells) };
            self.next += 8;
            if self.next == n {
                self.next = 0;
            }
        } else {
            let mut v = [[0.0f64; 2]; 8];
            // SAFETY: the caller's guarantee.
            unsafe { I::store_unpacked(cos, sin, &mut v) };
            self.add_all(&v);
        }
    }
}

/// [`add_normal_rows`] for rows of whole Philox blocks (`start`, `len` and `stride`
/// multiples of 4, step 1) on an instruction set with unpack order (AVX-512, AVX2): the
/// blocks of all rows stream through the passes, and each pass's pairs go straight into
/// `acc`.
#[inline(always)]
pub(super) fn add_block_rows<I: Isa>(g: &Normal, ks: &Keys, rows: Rows, nrows: usize, acc: &mut [f64]) {
    const S: usize = SCRATCH;
    assert!(unpacks::<I, Normal, 2, 2>(), "fused row sums need unpack order");
    let mut blocks = BlockRows::of_rows(rows, 4);
    let mut sink = AddPairs { cells: acc.as_chunks_mut::<2>().0, next: 0 };
    let mut left = nrows * (rows.len / 2);
    let (mut ctr, mut ws, mut lg) = (Aligned([0u64; S]), Aligned([[0u64; S]; 2]), Aligned([0.0f64; S]));
    let (ctr, ws, lg) = (&mut ctr.0, &mut ws.0, &mut lg.0);
    while left >= S {
        blocks.take(&mut ctr[..S / 2]);
        philox_pass::<I, Normal, 2, 2, S>(ks, ctr, ws);
        if Normal::logs(&ws[0], lg) {
            // SAFETY: `I` is the instruction set this fill was dispatched for.
            unsafe { Normal::extend_logs::<I, S>(ks, ctr, &ws[0], lg) };
        }
        for (l, wa) in lg.chunks_exact(8).zip(ws[1].chunks_exact(8)) {
            let (cos, sin) = g.finish8(l, wa);
            // SAFETY: `I` is the instruction set this fill was dispatched for.
            unsafe { sink.add8::<I>(&cos, &sin) };
        }
        left -= S;
    }
    if left > 0 {
        let mut rest = vec![[0.0f64; 2]; left];
        fill_blocks::<I, Normal, 2, 2>(g, ks, blocks, &mut rest);
        sink.add_all(&rest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::fill_normal;
    use proptest::prelude::*;

    /// The definition: fill each row, add it into the cells with one `+=` per value.
    fn reference(s: Stream, rows: Rows, nrows: usize, loc: f64, scale: f64, acc: &mut [f64]) {
        let mut row = vec![0.0; rows.len];
        for r in 0..nrows {
            let start = rows.start.wrapping_add((r as i64).wrapping_mul(rows.stride) as u64);
            fill_normal(s, Rows::line(start, rows.step), loc, scale, &mut row);
            for (a, v) in acc.iter_mut().zip(&row) {
                *a += v;
            }
        }
    }

    /// On every path this CPU has.
    fn check(s: Stream, rows: Rows, nrows: usize, acc0: &[f64]) {
        let mut want = acc0.to_vec();
        reference(s, rows, nrows, 10.0, 0.1, &mut want);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for p in super::super::tests::paths() {
            let mut got = acc0.to_vec();
            add_normal_rows_on(p, s, rows, nrows, 10.0, 0.1, &mut got);
            assert_eq!(bits(&got), bits(&want), "{p:?} {rows:?} x {nrows}");
        }
    }

    proptest! {
        #[test]
        fn matches_row_by_row_sums(
            seed in any::<u64>(),
            start in 0u64..1000,
            len in 1usize..70,
            step in prop_oneof![Just(1i64), Just(-1), Just(3)],
            gap in -3i64..200,
            nrows in 0usize..12,
            aligned in any::<bool>(),
        ) {
            // Half the cases on whole blocks (the fused path), half anywhere.
            let (start, len, gap) = if aligned { (start / 4 * 4, len.div_ceil(4) * 4, gap.max(0) / 4 * 4) } else { (start, len, gap) };
            let stride = len as i64 + gap;
            let acc0: Vec<f64> = (0..len).map(|k| k as f64 * 0.25 - 3.0).collect();
            check(Stream { seed, stream: 3 }, Rows { start: start + 10_000, step, len, stride }, nrows, &acc0);
        }
    }

    #[test]
    fn long_rows_with_extension_words_and_a_remainder() {
        // 1000-wide rows of a 20000-wide array: ~20 units take extension words, the rows
        // wrap inside passes, and 41 x 500 units leave a remainder after the last pass.
        for (stride, nrows) in [(20_000i64, 41usize), (-20_000, 7), (1000, 33)] {
            let start = if stride < 0 { 40 * 20_000 + 8 } else { 8 };
            check(Stream { seed: 5, stream: 0 }, Rows { start, step: 1, len: 1000, stride }, nrows, &vec![0.5; 1000]);
        }
    }

    #[test]
    fn extension_words_at_every_place_in_a_pass() {
        // A row that starts so that an extended unit sits at unit `m` of the first pass,
        // for places that land in the first and last lanes of groups and of the bit masks.
        let s = Stream { seed: 11, stream: 2 };
        for e in super::super::tests::extended_pairs(s, 12) {
            for m in [0u64, 1, 4, 60, 63, 64, 127] {
                let Some(first) = (e / 2).checked_sub(m).filter(|u| u % 2 == 0) else { continue };
                check(s, Rows { start: 2 * first, step: 1, len: 512, stride: 512 }, 1, &vec![0.5; 512]);
            }
        }
    }

    #[test]
    fn empty_and_mismatched() {
        let mut acc = vec![1.0; 4];
        add_normal_rows(Stream { seed: 1, stream: 0 }, Rows { start: 0, step: 1, len: 4, stride: 4 }, 0, 0.0, 1.0, &mut acc);
        assert_eq!(acc, vec![1.0; 4]);
        let r = std::panic::catch_unwind(move || {
            let mut acc = vec![0.0; 3];
            add_normal_rows(Stream { seed: 1, stream: 0 }, Rows { start: 0, step: 1, len: 4, stride: 4 }, 1, 0.0, 1.0, &mut acc)
        });
        assert!(r.is_err());
    }
}

//! Evaluation of a fused stage's task: the program runs tile by tile (a few thousand
//! elements) over the block, so intermediate results never exist as whole chunks. Leaves
//! fill a tile from an input block view, in-memory data or a generator; the head stores
//! the tile into the output block or reduces it into a partial result.

use crate::partial::{Num, Partial};
use crate::{Input, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use tessera_core::chunks::{self, Chunks};
use tessera_core::graph::{Generator, RandomDist};
use tessera_core::plan::{tile_len, Head, Instr, Leaf, Slots};
use tessera_core::view::{AffineMap, AxisMap};
use tessera_core::{err, Block, BufMut, BufRef, Buffer, DType, Element, Result};
use tessera_kernels::elementwise as ew;
use tessera_kernels::random::{self, Rows, Stream};

/// Rows shorter than this make reductions run along a longer reduced axis instead.
const SHORT_ROW: usize = 64;

/// A tile's runs with the iteration order they were cut in.
struct Runs<'a> {
    segs: &'a Segments,
    order: &'a [usize],
    run_axis: usize,
}

enum Source<'a> {
    /// A view with the block's shape.
    View(Block),
    Gen { gen: &'a Generator, map: &'a AffineMap, base_strides: Vec<isize> },
}

/// A run of elements along the block's last axis: `len` elements starting at global
/// coordinates `coords`, landing at tile offset `t`.
struct Segment {
    t: usize,
    len: usize,
}

/// A tile's runs with their start coordinates in one flat buffer (no allocation per run:
/// blocks with short rows have thousands of runs per tile).
struct Segments {
    runs: Vec<Segment>,
    coords: Vec<usize>,
    nd: usize,
}

impl Segments {
    fn iter(&self) -> impl Iterator<Item = (&Segment, &[usize])> {
        let nd = self.nd;
        self.runs.iter().enumerate().map(move |(i, r)| (r, &self.coords[i * nd..(i + 1) * nd]))
    }
    fn clear(&mut self) {
        self.runs.clear();
        self.coords.clear();
    }
}

pub struct FusedTask<'a> {
    pub leaves: &'a [Leaf],
    pub program: &'a [(Instr, DType)],
    pub slots: &'a Slots,
    pub head: &'a Head,
    pub domain: &'a Chunks,
    /// Input blocks per edge (one per view edge).
    pub inputs: &'a [Vec<Input>],
    pub cancel: &'a AtomicBool,
    /// The whole C-contiguous result this stage's blocks belong to (an output of several
    /// blocks): a storing task writes its runs straight into it and returns a view of its
    /// region, instead of a block that is copied there afterwards.
    pub dest: Option<&'a Block>,
}

impl FusedTask<'_> {
    pub fn run(&self, index: &[usize]) -> Result<Value> {
        let shape = chunks::block_shape(self.domain, index);
        let start = chunks::block_start(self.domain, index);
        let nd = shape.len();
        let n: usize = shape.iter().product();
        let sources = self.leaves.iter().map(|l| self.source(l, &shape, &start)).collect::<Result<Vec<_>>>()?;
        let out_dtype = self.program.last().expect("a fused program has an instruction").1;
        // A block of in-memory data, stored as it is: a view of the data, no copy (the data
        // lives as long as the graph anyway).
        if let ([(Instr::Leaf(0), _)], [Leaf::Data { .. }], [Source::View(v)], Head::Store) = (self.program, self.leaves, &sources[..], self.head) {
            return Ok(Value::Block(v.clone()));
        }
        let mut partial = match self.head {
            Head::Partial { op, axes } => {
                let kept: Vec<usize> = (0..nd).map(|a| if axes.contains(&a) { 1 } else { shape[a] }).collect();
                Some(Partial::new(*op, kept, out_dtype))
            }
            Head::Store => None,
        };
        let dest = match (self.head, self.dest) {
            (Head::Store, Some(d)) => Some(d),
            _ => None,
        };
        let dest_strides = dest.map(|d| d.strides().to_vec()).unwrap_or_default();
        let mut out = match (self.head, dest) {
            (Head::Store, None) => Some(Buffer::try_for_overwrite(out_dtype, n, "compute")?),
            _ => None,
        };
        let run_axis = self.run_axis(&shape);
        // Axes in iteration order: the others in C order, the run axis innermost.
        let order: Vec<usize> = (0..nd).filter(|&a| a != run_axis).chain((run_axis < nd).then_some(run_axis)).collect();
        let row_len = if nd == 0 { 1 } else { shape[run_axis] };
        // Tiles of whole rows where rows are short, so runs are not cut at tile edges.
        let max_tile = tile_len(self.program.len());
        let tile = if row_len > 0 && row_len < max_tile { max_tile / row_len * row_len } else { max_tile }.min(n.max(1));
        let streamed = self.streamed_normal(&sources, partial.as_mut(), run_axis, nd);
        let slots = self.slots;
        let mut regs: Vec<Buffer> = match streamed {
            Some(_) => Vec::new(),
            None => slots.dtypes.iter().map(|d| Buffer::zeros(*d, tile)).collect(),
        };
        let mut coords = vec![0usize; nd];
        let mut segs = Segments { runs: Vec::new(), coords: Vec::new(), nd };
        // Leaves read in place: a C-contiguous view read in C order has the tile's elements
        // `f..f + len` at those offsets of its memory (no copy into a register).
        let in_place: Vec<bool> =
            sources.iter().map(|src| matches!(src, Source::View(v) if v.is_c_contiguous() && (nd == 0 || run_axis == nd - 1))).collect();
        let mut alias: Vec<Option<BufRef>> = vec![None; slots.dtypes.len()];
        let last = self.program.len() - 1;
        let mut f = 0;
        while f < n {
            if self.cancel.load(Ordering::Relaxed) {
                return Err(err!(Cancelled, "compute", "the computation was cancelled"));
            }
            let len = tile.min(n - f);
            // Split the tile into runs along the run axis.
            segs.clear();
            let mut t = 0;
            while t < len {
                let flat = f + t;
                let (row, col) = (flat / row_len, flat % row_len);
                let mut rest = row;
                for &a in order.iter().rev().skip(1) {
                    coords[a] = start[a] + rest % shape[a];
                    rest /= shape[a];
                }
                if nd > 0 {
                    coords[run_axis] = start[run_axis] + col;
                }
                let seg_len = (row_len - col).min(len - t);
                segs.runs.push(Segment { t, len: seg_len });
                segs.coords.extend_from_slice(&coords);
                t += seg_len;
            }
            if let (Some(src), Some(p), Head::Partial { axes, .. }) = (&streamed, partial.as_mut(), self.head) {
                src.add_runs(&segs, run_axis, p, axes, &shape, &start);
                f += len;
                continue;
            }
            // The head's instruction writes straight into the output where the tile's place
            // there is one stretch (always for a single block's own buffer).
            let mut written = false;
            for (i, (instr, dtype)) in self.program.iter().enumerate() {
                let s = slots.slot[i];
                if let Instr::Leaf(l) = *instr {
                    if let (true, Source::View(v)) = (in_place[l], &sources[l]) {
                        alias[s] = Some(view_run(v, *dtype, f, len));
                        continue;
                    }
                }
                // The output slot is taken out while the instruction runs (it never reads it).
                let mut out_reg = std::mem::replace(&mut regs[s], Buffer::zeros(*dtype, 0));
                alias[s] = None;
                if let Instr::Leaf(l) = *instr {
                    match out.as_mut() {
                        // a program that is one leaf (a source stored whole) fills the output
                        // where the tile lies in it, with no register and no copy
                        Some(out) if i == last && *dtype == out_dtype => {
                            fill_leaf(&sources[l], &segs, &start, run_axis, *dtype, out, f);
                            written = true;
                        }
                        _ => fill_leaf(&sources[l], &segs, &start, run_axis, *dtype, &mut out_reg, 0),
                    }
                    regs[s] = out_reg;
                    continue;
                }
                let reg = |r: usize| alias[slots.slot[r]].unwrap_or_else(|| BufRef::from(&regs[slots.slot[r]]));
                let direct = match (i == last && !matches!(instr, Instr::Leaf(_)), out.as_mut(), dest) {
                    (false, _, _) => None,
                    (true, Some(out), _) => Some(tessera_core::with_dtype!(out_dtype, T => T::buf_mut(&mut T::slice_mut(out)[f..f + len]))),
                    (true, None, Some(d)) => dest_stretch(&segs, &dest_strides).map(|off| {
                        // SAFETY: as for the runs copied into `dest` below: this tile's own
                        // elements of the result, one stretch of `len` from `off`.
                        tessera_core::with_dtype!(out_dtype, T => T::buf_mut(unsafe { std::slice::from_raw_parts_mut((d.ptr::<T>() as *mut T).offset(off), len) }))
                    }),
                    (true, None, None) => None,
                };
                written = direct.is_some();
                let o = direct.unwrap_or_else(|| BufMut::from(&mut out_reg));
                match *instr {
                    Instr::Leaf(_) => unreachable!("leaves are filled above"),
                    Instr::Unary(op, x) => ew::unary(op, reg(x), o, len),
                    Instr::Binary(op, a, b) => ew::binary(op, reg(a), reg(b), o, len),
                    Instr::BinaryScalar { op, x, scalar, scalar_left } => {
                        if scalar_left {
                            ew::binary_scalar_lhs(op, scalar, reg(x), o, len)
                        } else {
                            ew::binary_scalar_rhs(op, reg(x), scalar, o, len)
                        }
                    }
                    Instr::Cast(x) => ew::cast(reg(x), o, len),
                    Instr::Where(c, a, b) => ew::select(reg(c), reg(a), reg(b), o, len),
                }
                regs[s] = out_reg;
            }
            let rs = *slots.slot.last().expect("program result");
            let result = alias[rs].unwrap_or_else(|| BufRef::from(&regs[rs]));
            if let (Some(out), false) = (out.as_mut(), written) {
                tessera_core::with_dtype!(out_dtype, T => T::slice_mut(out)[f..f + len].copy_from_slice(&T::slice_ref(result)[..len]));
            }
            if let (Some(d), false) = (dest, written) {
                tessera_core::with_dtype!(out_dtype, T => {
                    let (base, r) = (d.ptr::<T>() as *mut T, T::slice_ref(result));
                    for (seg, coords) in segs.iter() {
                        let off: isize = coords.iter().zip(&dest_strides).map(|(&c, &st)| c as isize * st).sum();
                        // SAFETY: the result holds the whole domain and each run of each block
                        // lands in its own place, written by this task only; nothing reads the
                        // result before every task has finished (see `Scheduler::dest`).
                        unsafe { std::ptr::copy_nonoverlapping(r[seg.t..seg.t + seg.len].as_ptr(), base.offset(off), seg.len) };
                    }
                });
            }
            if let (Some(p), Head::Partial { axes, .. }) = (partial.as_mut(), self.head) {
                let r = Runs { segs: &segs, order: &order, run_axis };
                tessera_core::with_dtype!(out_dtype, T => reduce_tile::<T>(p, T::slice_ref(result), &r, axes, &shape, &start, self.domain));
            }
            f += len;
        }
        if let Some(d) = dest {
            let off: isize = start.iter().zip(&dest_strides).map(|(&c, &st)| c as isize * st).sum();
            return Ok(Value::Block(d.restride(shape, dest_strides, off)));
        }
        Ok(match (out, partial) {
            (Some(out), _) => Value::Block(Block::from_buffer(shape, out)),
            (_, Some(mut p)) => {
                if let Head::Partial { axes, .. } = self.head {
                    p.finish_block(axes.iter().map(|&a| shape[a] as u64).product());
                }
                Value::Partial(p)
            }
            _ => unreachable!("a head stores or reduces"),
        })
    }

    /// Where the program is a random normal source alone and the head adds its runs into
    /// float64 sums or means (runs not along a reduced axis), the source's stream and map:
    /// its rows then go straight into the cells as they are generated, with no tile.
    fn streamed_normal<'s>(&self, sources: &'s [Source], partial: Option<&mut Partial>, run_axis: usize, nd: usize) -> Option<StreamedNormal<'s>> {
        let (Head::Partial { axes, .. }, Some(p)) = (self.head, partial) else { return None };
        let [(Instr::Leaf(l), DType::F64)] = self.program else { return None };
        let Source::Gen { gen: Generator::Random { dist: RandomDist::Normal { loc, scale }, seed, stream }, map, base_strides } = &sources[*l] else {
            return None;
        };
        let rows = nd > 0 && !axes.contains(&run_axis) && p.f64_cells(0, 0).is_some();
        rows.then_some(StreamedNormal { stream: Stream { seed: *seed, stream: *stream }, loc: *loc, scale: *scale, map, base_strides })
    }

    /// The axis runs go along: the last, except for reductions over blocks with short rows,
    /// which run along their longest reduced axis (fewer, longer runs). Argmin/argmax keep
    /// C order, where ties resolve to the first index.
    fn run_axis(&self, shape: &[usize]) -> usize {
        let nd = shape.len();
        let last = nd.saturating_sub(1);
        let Head::Partial { op, axes } = self.head else { return last };
        if nd < 2 || shape[last] >= SHORT_ROW || op.c_order() {
            return last;
        }
        match axes.iter().copied().max_by_key(|&a| (shape[a], a)) {
            Some(a) if shape[a] >= 4 * shape[last].max(1) => a,
            _ => last,
        }
    }

    fn source<'b>(&'b self, leaf: &'b Leaf, shape: &[usize], start: &[usize]) -> Result<Source<'b>> {
        Ok(match leaf {
            Leaf::Input { edge, map } => {
                let input = &self.inputs[*edge][0];
                let Value::Block(b) = &*input.value else {
                    return Err(err!(Internal, "compute", "a fused leaf received a partial result"));
                };
                Source::View(map.localize(start, &input.start, shape.to_vec()).apply(b))
            }
            Leaf::Data { block } => {
                let offset: isize = start.iter().zip(block.strides()).map(|(&s, &st)| s as isize * st).sum();
                let offset = if shape.contains(&0) { 0 } else { offset };
                Source::View(block.restride(shape.to_vec(), block.strides().to_vec(), offset))
            }
            Leaf::Generate { gen, base_shape, map } => Source::Gen { gen, map, base_strides: tessera_core::block::c_strides(base_shape) },
        })
    }
}

/// Fills `out[at + t..]` for each of the tile's runs (`t` its offset in the tile).
fn fill_leaf(src: &Source, segs: &Segments, block_start: &[usize], run_axis: usize, dtype: DType, out: &mut Buffer, at: usize) {
    match src {
        Source::View(view) => tessera_core::with_dtype!(dtype, T => {
            let o = T::slice_mut(out);
            let nd = view.ndim();
            let base = view.ptr::<T>();
            let strides = view.strides();
            for (seg, coords) in segs.iter() {
                let off: isize = (0..nd).map(|a| (coords[a] - block_start[a]) as isize * strides[a]).sum();
                let stride = if nd == 0 { 1 } else { strides[run_axis] };
                let dst = &mut o[at + seg.t..at + seg.t + seg.len];
                // SAFETY: the view addresses `shape` valid elements; coords lie inside the block.
                unsafe {
                    let p = base.offset(off);
                    if stride == 1 {
                        dst.copy_from_slice(std::slice::from_raw_parts(p, seg.len));
                    } else {
                        for (k, d) in dst.iter_mut().enumerate() {
                            *d = *p.offset(k as isize * stride);
                        }
                    }
                }
            }
        }),
        Source::Gen { gen, map, base_strides } => {
            // Runs whose base indices step evenly go to the generator together as rows.
            base_rows(segs, map, base_strides, run_axis, |_| (), |t0, rows, count, ()| generate(gen, rows, dtype, out, at + t0, rows.len * count));
        }
    }
}

/// Elements `f..f + len` of a C-contiguous view, in place.
fn view_run(v: &Block, dtype: DType, f: usize, len: usize) -> BufRef<'_> {
    tessera_core::with_dtype!(dtype, T => {
        // SAFETY: the view is C-contiguous with at least `f + len` elements (the tile lies
        // inside its block), alive while `v` is, and only read.
        T::buf_ref(unsafe { std::slice::from_raw_parts(v.ptr::<T>().add(f), len) })
    })
}

/// Where a tile's runs, placed in a C-contiguous result with `strides`, form one stretch
/// (as the tile does): its offset there; `None` if they do not.
fn dest_stretch(segs: &Segments, strides: &[isize]) -> Option<isize> {
    let place = |(seg, coords): (&Segment, &[usize])| coords.iter().zip(strides).map(|(&c, &st)| c as isize * st).sum::<isize>() - seg.t as isize;
    let mut runs = segs.iter();
    let first = place(runs.next()?);
    runs.all(|r| place(r) == first).then_some(first)
}

/// Groups consecutive runs whose base indices step evenly (one row each, rows `stride`
/// apart) and whose `key` agrees, and calls `f(first run's tile offset, rows, count, key)`
/// for each group.
fn base_rows<K: PartialEq + Copy>(
    segs: &Segments,
    map: &AffineMap,
    base_strides: &[isize],
    run_axis: usize,
    key: impl Fn(&[usize]) -> K,
    mut f: impl FnMut(usize, Rows, usize, K),
) {
    // (first run's t, rows so far, how many, key)
    let mut group: Option<(usize, Rows, usize, K)> = None;
    for (seg, coords) in segs.iter() {
        let (flat, step) = base_index(map, base_strides, coords, run_axis);
        let k = key(coords);
        if let Some((_, rows, count, gk)) = group.as_mut() {
            let stride = if *count == 1 { flat.wrapping_sub(rows.start) as i64 } else { rows.stride };
            let next = rows.start.wrapping_add((*count as i64).wrapping_mul(stride) as u64);
            // Runs are consecutive in the tile, so a group's values are contiguous there.
            if *gk == k && rows.step == step && rows.len == seg.len && next == flat {
                rows.stride = stride;
                *count += 1;
                continue;
            }
        }
        if let Some((t0, rows, count, gk)) = group {
            f(t0, rows, count, gk);
        }
        group = Some((seg.t, Rows { start: flat, step, len: seg.len, stride: 0 }, 1, k));
    }
    if let Some((t0, rows, count, gk)) = group {
        f(t0, rows, count, gk);
    }
}

/// The base array's flat index of a run's first element, and its step along the run.
fn base_index(map: &AffineMap, base_strides: &[isize], coords: &[usize], run_axis: usize) -> (u64, i64) {
    let nd = coords.len();
    let (mut flat, mut step) = (0isize, 0isize);
    for (a, m) in map.axes.iter().enumerate() {
        match *m {
            AxisMap::Fixed(c) => flat += c as isize * base_strides[a],
            AxisMap::Strided { out_axis, start, step: s } => {
                flat += (start as isize + s * coords[out_axis] as isize) * base_strides[a];
                if out_axis == run_axis && nd > 0 {
                    step += s * base_strides[a];
                }
            }
        }
    }
    (flat as u64, step as i64)
}

/// A random normal source whose rows go straight into float64 sums.
struct StreamedNormal<'s> {
    stream: Stream,
    loc: f64,
    scale: f64,
    map: &'s AffineMap,
    base_strides: &'s [isize],
}

impl StreamedNormal<'_> {
    /// Adds a tile's runs into the partial's cells: consecutive runs into the same cells
    /// whose base indices step evenly go to [`random::add_normal_rows`] together (the same
    /// bits as storing the runs and adding them).
    fn add_runs(&self, segs: &Segments, run_axis: usize, p: &mut Partial, axes: &[usize], shape: &[usize], start: &[usize]) {
        let key = |coords: &[usize]| cell_pos(coords, axes, shape, start);
        base_rows(segs, self.map, self.base_strides, run_axis, key, |_, rows, count, pos| {
            let cells = p.f64_cells(pos, rows.len).expect("float64 sums");
            random::add_normal_rows(self.stream, rows, count, self.loc, self.scale, cells);
        });
    }
}

/// The position of a run's first cell in a partial over the block's kept axes.
fn cell_pos(coords: &[usize], axes: &[usize], shape: &[usize], start: &[usize]) -> usize {
    (0..shape.len()).filter(|a| !axes.contains(a)).fold(0, |pos, a| pos * shape[a] + coords[a] - start[a])
}

/// Writes `len` generated values into `out[t..]`, at the base indices `rows` gives
/// (`out[t + r * rows.len + k]` is the value at `rows.start + r * rows.stride + k * rows.step`).
fn generate(gen: &Generator, rows: Rows, dtype: DType, out: &mut Buffer, t: usize, len: usize) {
    match gen {
        Generator::Fill(s) => tessera_core::with_dtype!(dtype, T => T::slice_mut(out)[t..t + len].fill(s.cast::<T>())),
        Generator::Range { start, step: d } => {
            if dtype.is_float() {
                with_f64(dtype, out, t, len, |o| each_index(o, rows, |v, i| *v = start + d * i as f64))
            } else {
                tessera_core::with_dtype!(dtype, T => {
                    let (s0, d0) = (*start as i64, *d as i64);
                    each_index(&mut T::slice_mut(out)[t..t + len], rows, |v, i| *v = T::from_i64(s0.wrapping_add(d0.wrapping_mul(i))));
                })
            }
        }
        Generator::Linspace { start, stop, num, endpoint } => {
            let div = if *endpoint { num.saturating_sub(1) } else { *num }.max(1) as f64;
            let d = (stop - start) / div;
            with_f64(dtype, out, t, len, |o| {
                each_index(o, rows, |v, i| {
                    let i = i as usize;
                    *v = if *endpoint && *num > 1 && i == num - 1 { *stop } else { start + i as f64 * d };
                })
            })
        }
        Generator::Random { dist, seed, stream } => {
            let s = Stream { seed: *seed, stream: *stream };
            match *dist {
                RandomDist::Integers { low, high } => {
                    if dtype == DType::I64 {
                        random::fill_integers(s, rows, low, high, &mut i64::slice_mut(out)[t..t + len]);
                    } else {
                        let mut tmp = vec![0i64; len];
                        random::fill_integers(s, rows, low, high, &mut tmp);
                        tessera_core::with_dtype!(dtype, T => {
                            for (o, v) in T::slice_mut(out)[t..t + len].iter_mut().zip(tmp) {
                                *o = T::from_i64(v);
                            }
                        })
                    }
                }
                RandomDist::Normal { loc, scale } => with_f64(dtype, out, t, len, |o| random::fill_normal(s, rows, loc, scale, o)),
                RandomDist::Uniform { low, high } => with_f64(dtype, out, t, len, |o| random::fill_uniform(s, rows, low, high, o)),
                RandomDist::Random => with_f64(dtype, out, t, len, |o| random::fill_random(s, rows, o)),
            }
        }
    }
}

/// Calls `f` with each element of `out` and its base index from `rows`.
fn each_index<T>(out: &mut [T], rows: Rows, mut f: impl FnMut(&mut T, i64)) {
    for (r, row) in out.chunks_mut(rows.len).enumerate() {
        let first = rows.start as i64 + r as i64 * rows.stride;
        for (k, v) in row.iter_mut().enumerate() {
            f(v, first + k as i64 * rows.step);
        }
    }
}

/// Runs `f` on an f64 slice for `out[t..t + len]`, casting when `out` is another dtype.
fn with_f64(dtype: DType, out: &mut Buffer, t: usize, len: usize, f: impl FnOnce(&mut [f64])) {
    if dtype == DType::F64 {
        f(&mut f64::slice_mut(out)[t..t + len]);
    } else {
        let mut tmp = vec![0f64; len];
        f(&mut tmp);
        tessera_core::with_dtype!(dtype, T => {
            for (o, v) in T::slice_mut(out)[t..t + len].iter_mut().zip(tmp) {
                *o = T::from_f64(v);
            }
        })
    }
}

fn reduce_tile<T: Num>(p: &mut Partial, vals: &[T], runs: &Runs, axes: &[usize], shape: &[usize], start: &[usize], domain: &Chunks) {
    let nd = shape.len();
    let into_one = nd == 0 || axes.contains(&runs.run_axis);
    let rows = !into_one && p.adds_rows();
    // Consecutive runs into the same cells go in together: (first run's t, pos, runs).
    let mut group: Option<(usize, usize, usize)> = None;
    let mut width = 0;
    for (seg, coords) in runs.segs.iter() {
        let pos = cell_pos(coords, axes, shape, start);
        if rows {
            match group.as_mut() {
                Some((t0, gpos, count)) if *gpos == pos && width == seg.len && *t0 + *count * width == seg.t => *count += 1,
                _ => {
                    if let Some((t0, gpos, count)) = group {
                        p.add_rows(&vals[t0..t0 + count * width], width, gpos);
                    }
                    group = Some((seg.t, pos, 1));
                    width = seg.len;
                }
            }
            continue;
        }
        // Values already in this cell: the position of the run among the reduced
        // coordinates, in iteration order; and its first element's index along them.
        let (mut rank, mut arg) = (0u64, 0i64);
        for a in (0..nd).filter(|a| axes.contains(a)) {
            arg = arg * domain[a].len() as i64 + coords[a] as i64;
        }
        for &a in runs.order {
            if axes.contains(&a) {
                rank = rank * shape[a] as u64 + (coords[a] - start[a]) as u64;
            }
        }
        p.add_run(&vals[seg.t..seg.t + seg.len], pos, into_one, rank, arg);
    }
    if let Some((t0, gpos, count)) = group {
        p.add_rows(&vals[t0..t0 + count * width], width, gpos);
    }
}

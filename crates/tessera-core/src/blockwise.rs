//! Building a block kernel's application with index notation (Dask's `blockwise`): each
//! argument's axes carry labels; an output axis with the label of argument axes reads the
//! matching blocks, a label missing from the output is contracted (its blocks are all read
//! by every task), and new output labels get the chunks they are given.

use crate::build::{check_size, common_axis_chunks, rechunk_to};
use crate::chunks::{AxisChunks, Chunks};
use crate::dtype::DType;
use crate::error::Result;
use crate::graph::{Expr, Meta, Node, Op};
use crate::kernel::BlockKernel;
use crate::bail;
use std::sync::Arc;

/// Index labels of the output and of each array argument.
#[derive(Clone, Debug, PartialEq)]
pub struct BlockwiseSpec {
    pub out: Vec<u32>,
    pub args: Vec<Vec<u32>>,
    /// Join the blocks along contracted axes into one before calling the kernel.
    pub concatenate: bool,
    /// Added to a task's block index before the kernel sees it (per output axis; empty for
    /// none): a kernel restricted to some of its blocks by the optimizer still sees the
    /// block ids of the array it was built for.
    pub block_offset: Vec<usize>,
    /// Arguments whose blocks several tasks read (missing an output label) get a stage of
    /// their own rather than being recomputed in each task (contractions: a block of `a`
    /// in `a @ b` feeds a whole row of tasks).
    pub stage_shared_args: bool,
    /// The kernel's outputs after the first (the node's own): one call per block makes a
    /// block of each (see `BlockKernel::call_many`), and `Op::Part(k)` nodes read them.
    /// Every output has the first's blocks, axes of one block aside.
    pub more: Vec<Meta>,
}

impl BlockwiseSpec {
    /// Whether an argument indexed `ind` can be computed inside the kernel's task: it has
    /// no contracted labels (so a task needs one block of it), and, with
    /// `stage_shared_args`, every output label (so no other task needs that block).
    pub fn fuses(&self, ind: &[u32]) -> bool {
        ind.iter().all(|l| self.out.contains(l)) && (!self.stage_shared_args || self.out.iter().all(|l| ind.contains(l)))
    }
}

/// What `blockwise` is asked to build.
pub struct Blockwise<'a> {
    /// The operation's name for messages, e.g. `map_blocks(smooth)`.
    pub op: &'a str,
    pub kernel: Arc<dyn BlockKernel>,
    pub out: &'a [u32],
    pub args: &'a [(Expr, Vec<u32>)],
    /// Chunk sizes of output labels that no argument has.
    pub new_axes: &'a [(u32, Vec<usize>)],
    /// Output chunk sizes that replace the ones inferred (same number of blocks).
    pub adjust_chunks: &'a [(u32, Vec<usize>)],
    pub dtype: DType,
    pub concatenate: bool,
    /// Rechunk arguments to common chunks per label (else differing chunks are an error).
    pub align: bool,
}

/// An argument axis that broadcasts: one block of size 1.
fn broadcasts(c: &AxisChunks) -> bool {
    c.nblocks() == 1 && c.len() == 1
}

fn labels_text(ind: &[u32]) -> String {
    format!("({})", ind.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", "))
}

fn sizes_text(c: &AxisChunks) -> String {
    format!("{:?}", c.sizes())
}

/// One more output of a kernel with several (see `blockwise_many`): its index labels, the
/// chunk sizes of its labels that no argument has, and its dtype.
pub struct Output {
    pub out: Vec<u32>,
    pub new_axes: Vec<(u32, Vec<usize>)>,
    pub dtype: DType,
}

pub fn blockwise(b: Blockwise) -> Result<Expr> {
    Ok(blockwise_many(b, &[])?.swap_remove(0))
}

/// `blockwise` of a kernel with several outputs, `b`'s and then `more`: one task per block
/// makes a block of each. Returns one array per output; they share their tasks.
pub fn blockwise_many(b: Blockwise, more: &[Output]) -> Result<Vec<Expr>> {
    let op = b.op;
    let distinct = |ind: &[u32]| ind.iter().enumerate().all(|(i, l)| !ind[..i].contains(l));
    if !distinct(b.out) {
        bail!(Value, op, "the output index {} repeats a label", labels_text(b.out));
    }
    for (k, (x, ind)) in b.args.iter().enumerate() {
        if ind.len() != x.meta.ndim() {
            bail!(Value, op, "argument {k} has {} dimensions but its index {} has {} labels", x.meta.ndim(), labels_text(ind), ind.len());
        }
        if !distinct(ind) {
            bail!(Value, op, "the index {} of argument {k} repeats a label", labels_text(ind));
        }
    }
    // Chunks per label, from the arguments that have it (broadcasting ones aside).
    let mut labels: Vec<u32> = b.args.iter().flat_map(|(_, ind)| ind.iter().copied()).collect();
    labels.sort_unstable();
    labels.dedup();
    let mut chunks_of: Vec<(u32, AxisChunks)> = Vec::with_capacity(labels.len());
    for &l in &labels {
        let axes: Vec<(usize, &AxisChunks)> = b
            .args
            .iter()
            .enumerate()
            .filter_map(|(k, (x, ind))| ind.iter().position(|&m| m == l).map(|a| (k, &x.meta.chunks[a])))
            .collect();
        let real: Vec<(usize, &AxisChunks)> = axes.iter().copied().filter(|(_, c)| !broadcasts(c)).collect();
        let chosen = if real.is_empty() {
            axes[0].1.clone()
        } else if b.align {
            if let Some((k, c)) = real.iter().find(|(_, c)| c.len() != real[0].1.len()) {
                bail!(Shape, op, "label {l} has length {} in argument {} but {} in argument {k}", real[0].1.len(), real[0].0, c.len());
            }
            common_axis_chunks(&real.iter().map(|(_, c)| *c).collect::<Vec<_>>())
        } else {
            // Without alignment, arguments with one block along a label broadcast it.
            let many: Vec<&(usize, &AxisChunks)> = real.iter().filter(|(_, c)| c.nblocks() != 1).collect();
            match many.first() {
                None => real[0].1.clone(),
                Some((k0, c0)) => {
                    if let Some((k, c)) = many.iter().find(|(_, c)| c != c0) {
                        bail!(
                            Chunks,
                            op,
                            "label {l} is chunked {} in argument {k0} but {} in argument {k}; rechunk them alike (or align the arrays)",
                            sizes_text(c0),
                            sizes_text(c)
                        );
                    }
                    (*c0).clone()
                }
            }
        };
        chunks_of.push((l, chosen));
    }
    let find = |l: u32| chunks_of.iter().find(|(m, _)| *m == l).map(|(_, c)| c);
    for (l, _) in b.new_axes {
        if find(*l).is_some() {
            bail!(Value, op, "new axis label {l} is already a label of an argument");
        }
        if !b.out.contains(l) {
            bail!(Value, op, "new axis label {l} is not in the output index {}", labels_text(b.out));
        }
    }
    let mut out_chunks: Chunks = Vec::with_capacity(b.out.len());
    for &l in b.out {
        let c = match (find(l), b.new_axes.iter().find(|(m, _)| *m == l)) {
            (Some(c), _) => c.clone(),
            (None, Some((_, sizes))) => AxisChunks::from_sizes(sizes),
            (None, None) => bail!(Value, op, "output label {l} is in no argument's index and not a new axis"),
        };
        out_chunks.push(c);
    }
    for (l, sizes) in b.adjust_chunks {
        let Some(a) = b.out.iter().position(|m| m == l) else {
            bail!(Value, op, "adjust_chunks names label {l}, which is not in the output index {}", labels_text(b.out));
        };
        if sizes.len() != out_chunks[a].nblocks() {
            bail!(
                Chunks,
                op,
                "adjust_chunks gives {} chunks for output axis {a}, which has {} blocks {}",
                sizes.len(),
                out_chunks[a].nblocks(),
                sizes_text(&out_chunks[a])
            );
        }
        out_chunks[a] = AxisChunks::from_sizes(sizes);
    }
    let shape: Vec<usize> = out_chunks.iter().map(|c| c.len()).collect();
    check_size(op, &shape)?;
    // Arguments rechunked to the chosen chunks (broadcasting axes and single-block axes
    // under no alignment keep theirs).
    let inputs: Vec<Expr> = b
        .args
        .iter()
        .map(|(x, ind)| {
            let own: Chunks = ind
                .iter()
                .zip(&x.meta.chunks)
                .map(|(&l, c)| {
                    let want = find(l).expect("every argument label has chunks");
                    if broadcasts(c) || (!b.align && c.nblocks() == 1) { c.clone() } else { want.clone() }
                })
                .collect();
            if own != x.meta.chunks { rechunk_to(x, own) } else { x.clone() }
        })
        .collect();
    let mut more_meta = Vec::with_capacity(more.len());
    for (k, o) in more.iter().enumerate() {
        let k = k + 1;
        if !distinct(&o.out) {
            bail!(Value, op, "the index {} of output {k} repeats a label", labels_text(&o.out));
        }
        let mut chunks: Chunks = Vec::with_capacity(o.out.len());
        for &l in &o.out {
            chunks.push(match (find(l), o.new_axes.iter().find(|(m, _)| *m == l)) {
                (Some(_), Some(_)) => bail!(Value, op, "new axis label {l} of output {k} is already a label of an argument"),
                // A label of the first output keeps its (adjusted) chunks.
                (Some(c), None) => b.out.iter().position(|&m| m == l).map_or_else(|| c.clone(), |a| out_chunks[a].clone()),
                (None, Some((_, sizes))) => AxisChunks::from_sizes(sizes),
                (None, None) => bail!(Value, op, "label {l} of output {k} is in no argument's index and not a new axis of it"),
            });
        }
        // Task `t` makes block `t` (in C order) of every output: their grids must agree
        // but for axes of one block.
        let grid_of = |c: &Chunks| c.iter().map(|c| c.nblocks()).filter(|&n| n != 1).collect::<Vec<_>>();
        if grid_of(&chunks) != grid_of(&out_chunks) {
            bail!(
                Chunks,
                op,
                "output {k} has blocks {:?} but output 0 has {:?}: every output of one task per block needs the same blocks (axes of one block aside)",
                chunks.iter().map(|c| c.nblocks()).collect::<Vec<_>>(),
                out_chunks.iter().map(|c| c.nblocks()).collect::<Vec<_>>()
            );
        }
        let shape: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        check_size(op, &shape)?;
        more_meta.push(Meta { shape, dtype: o.dtype, chunks });
    }
    let spec = BlockwiseSpec { out: b.out.to_vec(), args: b.args.iter().map(|(_, ind)| ind.clone()).collect(), concatenate: b.concatenate, block_offset: vec![], stage_shared_args: false, more: more_meta.clone() };
    let meta = Meta { shape, dtype: b.dtype, chunks: out_chunks };
    let first = Node::new(Op::Blockwise { kernel: b.kernel, spec: Arc::new(spec) }, inputs, meta);
    let mut outs = vec![first.clone()];
    outs.extend(more_meta.into_iter().enumerate().map(|(k, m)| Node::new(Op::Part(k + 1), vec![first.clone()], m)));
    Ok(outs)
}

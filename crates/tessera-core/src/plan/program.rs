//! Fused programs: the leaves a fused stage reads, its instructions, and the slots that
//! hold their values tile by tile.

use super::*;


#[derive(Clone, Debug)]
pub enum Leaf {
    /// Blocks of an input stage, seen through a map from this stage's coordinates.
    Input { edge: usize, map: AffineMap },
    /// In-memory data (the whole array), seen through a map.
    Data { block: Block },
    Generate { gen: Generator, base_shape: Vec<usize>, map: AffineMap },
}

#[derive(Clone, Debug)]
pub enum Instr {
    Leaf(usize),
    Unary(UnaryOp, Reg),
    Binary(BinaryOp, Reg, Reg),
    BinaryScalar { op: BinaryOp, x: Reg, scalar: Scalar, scalar_left: bool },
    Cast(Reg),
    Where(Reg, Reg, Reg),
}

impl Instr {
    /// The registers this instruction reads.
    pub fn reads(&self) -> Vec<Reg> {
        match *self {
            Instr::Leaf(_) => vec![],
            Instr::Unary(_, x) | Instr::BinaryScalar { x, .. } | Instr::Cast(x) => vec![x],
            Instr::Binary(_, a, b) => vec![a, b],
            Instr::Where(c, a, b) => vec![c, a, b],
        }
    }
}

/// Where a fused program keeps its values: `slot[i]` holds instruction `i`'s result, and a
/// slot is reused once every reader of its value has run, so a chain of any length needs a
/// few tiles rather than one per instruction. Each slot holds one dtype (`dtypes[slot]`);
/// an instruction never writes a slot it reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Slots {
    pub slot: Vec<usize>,
    pub dtypes: Vec<DType>,
}

impl Slots {
    pub fn of(program: &[(Instr, DType)]) -> Slots {
        let mut last_read = vec![0; program.len()];
        for (i, (instr, _)) in program.iter().enumerate() {
            for r in instr.reads() {
                last_read[r] = i;
            }
        }
        let mut slots = Slots { slot: Vec::with_capacity(program.len()), dtypes: vec![] };
        let mut free: Vec<usize> = vec![];
        for (i, (instr, dtype)) in program.iter().enumerate() {
            let s = match free.iter().rposition(|&s| slots.dtypes[s] == *dtype) {
                Some(k) => free.swap_remove(k),
                None => {
                    slots.dtypes.push(*dtype);
                    slots.dtypes.len() - 1
                }
            };
            slots.slot.push(s);
            let mut reads = instr.reads();
            reads.sort_unstable();
            reads.dedup();
            // The program's result (the last register) is read after the program.
            free.extend(reads.into_iter().filter(|&r| last_read[r] == i && r + 1 != program.len()).map(|r| slots.slot[r]));
        }
        slots
    }

    pub fn len(&self) -> usize {
        self.dtypes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dtypes.is_empty()
    }
}

/// Elements per tile of a fused program's registers: 32 KiB of float64, which stay in cache.
pub(super) const TILE: usize = 4096;

/// Elements per tile for a fused program with `registers` registers. A lone register (a
/// source streamed into a reduction or a store) is never read by a later instruction, so
/// it takes longer tiles, which cut the per-tile cost of its source (the partly used last
/// pass of a random fill, for one).
pub fn tile_len(registers: usize) -> usize {
    if registers <= 1 { 8 * TILE } else { TILE }
}

//! Encoding of task results for messages between processes: a block's dtype, shape and
//! C-order bytes, or a partial reduction's state.

use crate::partial::{Acc, Partial};
use crate::Value;
use tessera_core::{err, Block, Buffer, DType, Element, Result};

fn put(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_buffer(out: &mut Vec<u8>, b: &Buffer) {
    out.push(dtype_code(b.dtype()));
    put(out, b.len() as u64);
    tessera_core::with_dtype!(b.dtype(), T => {
        let s = T::slice(b);
        // SAFETY: plain-old-data elements viewed as bytes.
        out.extend_from_slice(unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) });
    });
}

fn dtype_code(d: DType) -> u8 {
    tessera_core::dtype::ALL_DTYPES.iter().position(|&x| x == d).expect("known dtype") as u8
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let s = self.data.get(self.at..self.at + n).ok_or_else(|| err!(Internal, "wire", "message truncated"))?;
        self.at += n;
        Ok(s)
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn buffer(&mut self) -> Result<Buffer> {
        let code = self.u8()? as usize;
        let dtype = *tessera_core::dtype::ALL_DTYPES.get(code).ok_or_else(|| err!(Internal, "wire", "bad dtype code {code}"))?;
        let n = self.u64()? as usize;
        let raw = self.take(n * dtype.size())?;
        Ok(tessera_core::with_dtype!(dtype, T => {
            let mut v: Vec<T> = vec![T::default(); n];
            // SAFETY: `raw` holds exactly n elements written by `put_buffer`.
            unsafe { std::ptr::copy_nonoverlapping(raw.as_ptr(), v.as_mut_ptr() as *mut u8, raw.len()) };
            T::into_buffer(v)
        }))
    }
    fn shape(&mut self) -> Result<Vec<usize>> {
        let nd = self.u64()? as usize;
        (0..nd).map(|_| self.u64().map(|d| d as usize)).collect()
    }
}

/// Encodes the result of task (`stage`, `block`).
pub fn encode(stage: usize, block: usize, v: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.nbytes() + 64);
    put(&mut out, stage as u64);
    put(&mut out, block as u64);
    let shape = |out: &mut Vec<u8>, s: &[usize]| {
        put(out, s.len() as u64);
        s.iter().for_each(|&d| put(out, d as u64));
    };
    match v {
        Value::Block(b) => {
            out.push(0);
            shape(&mut out, b.shape());
            put_buffer(&mut out, &b.to_buffer());
        }
        Value::Partial(p) => {
            out.push(1);
            shape(&mut out, &p.shape);
            put(&mut out, p.count);
            let f64s = |v: &Vec<f64>| Buffer::F64(v.clone());
            let bools = |v: &Vec<bool>| Buffer::Bool(v.clone());
            let (tag, bufs, flags): (u8, Vec<Buffer>, [bool; 2]) = match &p.acc {
                Acc::Sum(b) => (0, vec![b.clone()], [false; 2]),
                Acc::Prod(b) => (1, vec![b.clone()], [false; 2]),
                Acc::Min { v, seen } => (2, vec![v.clone()], [*seen, false]),
                Acc::Max { v, seen } => (3, vec![v.clone()], [*seen, false]),
                Acc::Mean { sum } => (4, vec![f64s(sum)], [false; 2]),
                Acc::Var { mean, m2 } => (5, vec![f64s(mean), f64s(m2)], [false; 2]),
                Acc::Any(v) => (6, vec![bools(v)], [false; 2]),
                Acc::All(v) => (7, vec![bools(v)], [false; 2]),
                Acc::Arg { v, index, max, seen } => (8, vec![v.clone(), Buffer::I64(index.clone())], [*max, *seen]),
            };
            out.extend_from_slice(&[tag, flags[0] as u8, flags[1] as u8, bufs.len() as u8]);
            bufs.iter().for_each(|b| put_buffer(&mut out, b));
        }
    }
    out
}

/// Decodes a message made by `encode`: (stage, block, value).
pub fn decode(data: &[u8]) -> Result<(usize, usize, Value)> {
    let mut r = Reader { data, at: 0 };
    let stage = r.u64()? as usize;
    let block = r.u64()? as usize;
    let kind = r.u8()?;
    let shape = r.shape()?;
    let value = if kind == 0 {
        Value::Block(Block::from_buffer(shape, r.buffer()?))
    } else {
        let count = r.u64()?;
        let (tag, f0, f1, n) = (r.u8()?, r.u8()? != 0, r.u8()? != 0, r.u8()?);
        let mut bufs: Vec<Buffer> = (0..n).map(|_| r.buffer()).collect::<Result<_>>()?;
        let mut next = || bufs.remove(0);
        let f64v = |b: Buffer| match b {
            Buffer::F64(v) => v,
            _ => vec![],
        };
        let boolv = |b: Buffer| match b {
            Buffer::Bool(v) => v,
            _ => vec![],
        };
        let acc = match tag {
            0 => Acc::Sum(next()),
            1 => Acc::Prod(next()),
            2 => Acc::Min { v: next(), seen: f0 },
            3 => Acc::Max { v: next(), seen: f0 },
            4 => Acc::Mean { sum: f64v(next()) },
            5 => {
                let mean = f64v(next());
                Acc::Var { mean, m2: f64v(next()) }
            }
            6 => Acc::Any(boolv(next())),
            7 => Acc::All(boolv(next())),
            8 => {
                let v = next();
                let index = match next() {
                    Buffer::I64(i) => i,
                    _ => return Err(err!(Internal, "wire", "bad arg index buffer")),
                };
                Acc::Arg { v, index, max: f0, seen: f1 }
            }
            t => return Err(err!(Internal, "wire", "bad partial tag {t}")),
        };
        Value::Partial(Partial { shape, count, acc })
    };
    Ok((stage, block, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_core::ops::ReduceOp;

    #[test]
    fn blocks_and_partials_round_trip() {
        let b = Block::from_vec(vec![2, 2], vec![1i32, -2, 3, 4]).restride(vec![2, 2], vec![1, 2], 0);
        let (s, k, v) = decode(&encode(3, 7, &Value::Block(b.clone()))).unwrap();
        assert_eq!((s, k), (3, 7));
        let Value::Block(got) = v else { panic!("a block") };
        assert_eq!(got.to_vec::<i32>(), b.to_vec::<i32>());
        let mut p = Partial::new(ReduceOp::Var { ddof: 1 }, vec![3], DType::F64);
        p.add_run(&[1.0f64, 2.0, 4.0], 0, false, 0, 0);
        p.finish_block(1);
        let (_, _, v) = decode(&encode(0, 0, &Value::Partial(p.clone()))).unwrap();
        let Value::Partial(q) = v else { panic!("a partial") };
        assert_eq!(format!("{:?}", q), format!("{:?}", p));
    }
}

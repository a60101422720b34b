//! Encoding of task results for messages between processes: a block's dtype, shape and
//! C-order bytes, or a partial reduction's state.

use crate::partial::{Acc, Partial};
use crate::Value;
use tessera_core::{err, Block, Buffer, DType, Element, Result};

/// A field of a reduction's state, as it goes into a message.
pub trait Field: Sized {
    fn put(&self, out: &mut Vec<u8>);
    fn take(r: &mut Reader) -> Result<Self>;
}

impl Field for Buffer {
    fn put(&self, out: &mut Vec<u8>) {
        put_buffer(out, self);
    }
    fn take(r: &mut Reader) -> Result<Self> {
        r.buffer()
    }
}

impl<T: Element> Field for Vec<T> {
    fn put(&self, out: &mut Vec<u8>) {
        put_slice(out, self);
    }
    fn take(r: &mut Reader) -> Result<Self> {
        let b = r.buffer()?;
        if b.dtype() != T::DTYPE {
            return Err(err!(Internal, "wire", "expected a {} buffer, got {}", T::DTYPE, b.dtype()));
        }
        let mut b = b;
        Ok(std::mem::take(T::vec_mut(&mut b)))
    }
}

fn put(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put_buffer(out: &mut Vec<u8>, b: &Buffer) {
    tessera_core::with_dtype!(b.dtype(), T => put_slice(out, T::slice(b)));
}

fn put_slice<T: Element>(out: &mut Vec<u8>, s: &[T]) {
    out.push(dtype_code(T::DTYPE));
    put(out, s.len() as u64);
    // SAFETY: plain-old-data elements viewed as bytes.
    out.extend_from_slice(unsafe { std::slice::from_raw_parts(s.as_ptr() as *const u8, std::mem::size_of_val(s)) });
}

fn dtype_code(d: DType) -> u8 {
    tessera_core::dtype::ALL_DTYPES.iter().position(|&x| x == d).expect("known dtype") as u8
}

pub struct Reader<'a> {
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
    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn buffer(&mut self) -> Result<Buffer> {
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
            p.acc.encode(&mut out);
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
        Value::Partial(Partial { shape, count, acc: Acc::decode(&mut r)? })
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

    #[test]
    fn every_reduction_state_round_trips() {
        for op in ReduceOp::ALL {
            for dt in [DType::F64, DType::F32, DType::I32, DType::U8] {
                let mut p = Partial::new(op, vec![2, 3], dt);
                tessera_core::with_dtype!(dt, T => {
                    let vals: Vec<T> = [3.0, -1.0, 7.0, 2.0, 0.0, 5.0].iter().map(|&v| T::from_f64(v)).collect();
                    p.add_run(&vals, 0, false, 0, 0);
                    p.add_run(&vals[..3], 4, true, 1, 1);
                });
                p.finish_block(2);
                let (_, _, v) = decode(&encode(1, 2, &Value::Partial(p.clone()))).unwrap();
                let Value::Partial(q) = v else { panic!("a partial") };
                assert_eq!(format!("{q:?}"), format!("{p:?}"), "{}", op.name());
            }
        }
        let mut bad = encode(0, 0, &Value::Partial(Partial::new(ReduceOp::Sum, vec![1], DType::F64)));
        let at = bad.len() - 1 - 8 - 1 - 8;
        bad[at] = 200;
        let Err(e) = decode(&bad) else { panic!("a bad tag decodes") };
        assert!(e.message.contains("bad partial tag 200"), "{e}");
    }
}

//! PNG encoding from scratch: CRC-32, Adler-32, a zlib stream made of one
//! fixed-Huffman DEFLATE block fed by a hash-chain LZ77 matcher, and per-row
//! adaptive filtering.

const fn make_crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
}

static CRC_TABLE: [u32; 256] = make_crc_table();

/// CRC-32 (ISO-HDLC, as used by PNG and zlib's crc32) continuing from `crc`
/// (pass 0 to start).
pub(crate) fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in data {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

pub(crate) fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Adler-32 checksum of `data`.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest block for which b cannot overflow u32.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// Writes bits least-significant first, as DEFLATE requires.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn new(capacity: usize) -> Self {
        BitWriter {
            out: Vec::with_capacity(capacity),
            acc: 0,
            n: 0,
        }
    }

    #[inline]
    fn put(&mut self, bits: u32, count: u32) {
        debug_assert!(count <= 32);
        self.acc |= (bits as u64) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn reverse_bits(code: u32, len: u32) -> u32 {
    let mut r = 0;
    for i in 0..len {
        if code & (1 << i) != 0 {
            r |= 1 << (len - 1 - i);
        }
    }
    r
}

/// Fixed Huffman literal/length codes (already bit-reversed) and lengths.
fn fixed_litlen_table() -> [(u32, u32); 288] {
    let mut t = [(0u32, 0u32); 288];
    for (sym, slot) in t.iter_mut().enumerate() {
        let s = sym as u32;
        let (code, len) = match s {
            0..=143 => (0x30 + s, 8),
            144..=255 => (0x190 + (s - 144), 9),
            256..=279 => (s - 256, 7),
            _ => (0xC0 + (s - 280), 8),
        };
        *slot = (reverse_bits(code, len), len);
    }
    t
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

const WINDOW: usize = 32768;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const HASH_BITS: u32 = 15;
const MAX_CHAIN: usize = 48;

#[inline]
fn hash3(d: &[u8], i: usize) -> usize {
    let v = (d[i] as u32) << 16 | (d[i + 1] as u32) << 8 | d[i + 2] as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

/// Raw DEFLATE (RFC 1951): one final block with the fixed Huffman codes.
pub(crate) fn deflate_fixed(data: &[u8]) -> Vec<u8> {
    let lit = fixed_litlen_table();
    // length -> (symbol index into LEN tables)
    let mut len_code = [0u8; MAX_MATCH + 1];
    for (l, code) in len_code.iter_mut().enumerate().skip(MIN_MATCH) {
        let mut c = 0;
        while c + 1 < 29 && LEN_BASE[c + 1] as usize <= l {
            c += 1;
        }
        *code = c as u8;
    }
    let mut w = BitWriter::new(data.len() / 4 + 64);
    w.put(1, 1); // BFINAL
    w.put(1, 2); // BTYPE = 01, fixed Huffman

    let n = data.len();
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut prev = vec![u32::MAX; WINDOW];
    let insert = |head: &mut Vec<u32>, prev: &mut Vec<u32>, i: usize| {
        if i + MIN_MATCH <= n {
            let h = hash3(data, i);
            prev[i & (WINDOW - 1)] = head[h];
            head[h] = i as u32;
        }
    };

    let mut i = 0;
    while i < n {
        let mut best_len = 0;
        let mut best_dist = 0;
        if i + MIN_MATCH <= n {
            let h = hash3(data, i);
            let mut cand = head[h];
            let mut chain = MAX_CHAIN;
            let max_len = (n - i).min(MAX_MATCH);
            while cand != u32::MAX && chain > 0 {
                let c = cand as usize;
                if c >= i || i - c > WINDOW {
                    break;
                }
                if data[c + best_len.min(max_len - 1)] == data[i + best_len.min(max_len - 1)] {
                    let mut l = 0;
                    while l < max_len && data[c + l] == data[i + l] {
                        l += 1;
                    }
                    if l > best_len {
                        best_len = l;
                        best_dist = i - c;
                        if l == max_len {
                            break;
                        }
                    }
                }
                let next = prev[c & (WINDOW - 1)];
                if next == u32::MAX || next as usize >= c {
                    break;
                }
                cand = next;
                chain -= 1;
            }
        }
        if best_len >= MIN_MATCH {
            let lc = len_code[best_len] as usize;
            let (code, clen) = lit[257 + lc];
            w.put(code, clen);
            if LEN_EXTRA[lc] > 0 {
                w.put(
                    (best_len - LEN_BASE[lc] as usize) as u32,
                    LEN_EXTRA[lc] as u32,
                );
            }
            let dc = match DIST_BASE.binary_search(&(best_dist as u16)) {
                Ok(k) => k,
                Err(k) => k - 1,
            };
            w.put(reverse_bits(dc as u32, 5), 5);
            if DIST_EXTRA[dc] > 0 {
                w.put(
                    (best_dist - DIST_BASE[dc] as usize) as u32,
                    DIST_EXTRA[dc] as u32,
                );
            }
            for j in i..i + best_len {
                insert(&mut head, &mut prev, j);
            }
            i += best_len;
        } else {
            let (code, clen) = lit[data[i] as usize];
            w.put(code, clen);
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    let (code, clen) = lit[256];
    w.put(code, clen);
    w.finish()
}

/// A zlib stream (RFC 1950) around [`deflate_fixed`].
pub(crate) fn zlib_compress(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x9C];
    out.extend_from_slice(&deflate_fixed(data));
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32_update(crc32(kind), data);
    out.extend_from_slice(&crc.to_be_bytes());
}

#[inline]
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = a as i16 + b as i16 - c as i16;
    let pa = (p - a as i16).abs();
    let pb = (p - b as i16).abs();
    let pc = (p - c as i16).abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Filters every row with the filter type (0..=4) whose output has the
/// smallest sum of absolute signed bytes, the usual libpng heuristic.
fn filter_rows(width: usize, height: usize, bpp: usize, pixels: &[u8]) -> Vec<u8> {
    let stride = width * bpp;
    let mut out = Vec::with_capacity(height * (stride + 1));
    let zero = vec![0u8; stride];
    let mut cand: [Vec<u8>; 5] = Default::default();
    for c in cand.iter_mut() {
        c.resize(stride, 0);
    }
    for y in 0..height {
        let row = &pixels[y * stride..(y + 1) * stride];
        let up = if y == 0 {
            &zero[..]
        } else {
            &pixels[(y - 1) * stride..y * stride]
        };
        for x in 0..stride {
            let a = if x >= bpp { row[x - bpp] } else { 0 };
            let b = up[x];
            let c = if x >= bpp { up[x - bpp] } else { 0 };
            let v = row[x];
            cand[0][x] = v;
            cand[1][x] = v.wrapping_sub(a);
            cand[2][x] = v.wrapping_sub(b);
            cand[3][x] = v.wrapping_sub(((a as u16 + b as u16) / 2) as u8);
            cand[4][x] = v.wrapping_sub(paeth(a, b, c));
        }
        let mut best = 0;
        let mut best_sum = u64::MAX;
        for (k, c) in cand.iter().enumerate() {
            let s: u64 = c.iter().map(|&v| (v as i8).unsigned_abs() as u64).sum();
            if s < best_sum {
                best_sum = s;
                best = k;
            }
        }
        out.push(best as u8);
        out.extend_from_slice(&cand[best]);
    }
    out
}

/// Encodes 8-bit RGB pixels (row-major, no padding) as a PNG file.
pub(crate) fn encode_rgb(width: usize, height: usize, rgb: &[u8]) -> Vec<u8> {
    assert_eq!(rgb.len(), width * height * 3);
    let mut out = Vec::new();
    out.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(width as u32).to_be_bytes());
    ihdr.extend_from_slice(&(height as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, truecolour, deflate, adaptive, no interlace
    write_chunk(&mut out, b"IHDR", &ihdr);
    // 96 dpi = 3780 pixels per metre.
    let mut phys = Vec::with_capacity(9);
    phys.extend_from_slice(&3780u32.to_be_bytes());
    phys.extend_from_slice(&3780u32.to_be_bytes());
    phys.push(1);
    write_chunk(&mut out, b"pHYs", &phys);
    let filtered = filter_rows(width, height, 3, rgb);
    let z = zlib_compress(&filtered);
    for part in z.chunks(1 << 20) {
        write_chunk(&mut out, b"IDAT", part);
    }
    write_chunk(&mut out, b"IEND", &[]);
    out
}

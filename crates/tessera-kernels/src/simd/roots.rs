//! cbrt (FreeBSD `s_cbrt.c`: an exponent-bits estimate, a polynomial step to 23 bits and one
//! Newton step; under 0.67 ulp) and hypot (scaled by a power of 2, then `sqrt(fma)` with
//! Borges' fused correction, 2019: within 1 ulp, nearly always correctly rounded).

#[inline(always)]
pub(crate) fn cbrt(x: f64) -> (f64, bool) {
    const B1: u32 = 715094163;
    const P0: f64 = 1.87595182427177009643;
    const P1: f64 = -1.88497979543377169875;
    const P2: f64 = 1.621429720105354466140;
    const P3: f64 = -0.758397934778766047437;
    const P4: f64 = 0.145996192886612446982;
    let a = x.abs();
    let hx = (a.to_bits() >> 32) as u32;
    let t = f64::from_bits(((hx / 3).wrapping_add(B1) as u64) << 32);
    let r = (t * t) * (t / a);
    let t = t * ((P0 + r * (P1 + r * P2)) + ((r * r) * r) * (P3 + r * P4));
    // Round t away from zero to 23 bits, so that t*t is exact.
    let t = f64::from_bits(t.to_bits().wrapping_add(0x8000_0000) & 0xffff_ffff_c000_0000);
    let s = t * t;
    let r = a / s;
    let w = t + t;
    let r = (r - t) / (w + r);
    let t = t + t * r;
    (t.copysign(x), !(a >= f64::MIN_POSITIVE && a < f64::INFINITY))
}

#[inline(always)]
pub(crate) fn hypot(x: f64, y: f64) -> (f64, bool) {
    let (ax, ay) = (x.abs(), y.abs());
    let (big, small) = (ax.max(ay), ax.min(ay));
    let e = big.to_bits() >> 52;
    // big * 2^-(e - 1023) lies in [1, 2); scaling by powers of 2 is exact.
    let scale = f64::from_bits(2046u64.wrapping_sub(e) << 52);
    let back = f64::from_bits(e << 52);
    let (u, v) = (big * scale, small * scale);
    let h = u.mul_add(u, v * v).sqrt();
    let h2 = h * h;
    let u2 = u * u;
    let delta = (-v).mul_add(v, h2 - u2) + h.mul_add(h, -h2) - u.mul_add(u, -u2);
    let h = h - delta / (2.0 * h);
    let ok = x.is_finite() && y.is_finite() && big >= 4.0 * f64::MIN_POSITIVE && big <= 1e300;
    (h * back, !ok)
}

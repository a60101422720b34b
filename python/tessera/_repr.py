"""Reprs: Dask's text repr, and an HTML table with an SVG picture of the chunk grid."""

from __future__ import annotations

import math
from html import escape

__all__ = ["format_bytes", "html_repr", "svg"]


def format_bytes(n: int) -> str:
    """``format_bytes(1234567)`` -> ``"1.18 MiB"``, as ``dask.utils.format_bytes``."""
    for prefix, k in (("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20), ("ki", 2**10)):
        if n >= k * 0.9:
            return f"{n / k:.2f} {prefix}B"
    return f"{n} B"


def _tup(t) -> str:
    return repr(tuple(int(v) for v in t))


def html_repr(a) -> str:
    """The table Dask shows in notebooks: bytes, shape, chunk count and dtype of the array
    and of its largest chunk, beside a picture of the chunk grid."""
    itemsize = a.dtype.itemsize
    chunk_bytes = itemsize * math.prod(a.chunksize)
    nchunks = a.npartitions
    rows = [
        ("Bytes", format_bytes(a.nbytes), format_bytes(chunk_bytes)),
        ("Shape", _tup(a.shape), _tup(a.chunksize)),
    ]
    body = "".join(f"<tr><th> {k} </th><td> {escape(v1)} </td><td> {escape(v2)} </td></tr>\n" for k, v1, v2 in rows)
    body += f"<tr><th> Count </th><td colspan=\"2\"> {nchunks} chunk{'s' if nchunks != 1 else ''} </td></tr>\n"
    body += f"<tr><th> Data type </th><td colspan=\"2\"> {a.dtype} numpy.ndarray </td></tr>\n"
    table = (
        '<table style="border-collapse: collapse;">\n'
        "<thead><tr><td> </td><th> Array </th><th> Chunk </th></tr></thead>\n"
        f"<tbody>\n{body}</tbody>\n</table>"
    )
    try:
        picture = svg(a.chunks)
    except Exception:  # a picture is a nicety; never let it break the repr
        picture = ""
    return f"<table>\n<tr>\n<td>\n{table}\n</td>\n<td>\n{picture}\n</td>\n</tr>\n</table>"


# ---------------------------------------------------------------------------------------
# SVG pictures of chunk grids

_FILL = "#ECB172A0"
_MAX_LINES = 100


def _ratio(x: float) -> float:
    """Compresses extreme aspect ratios so that skinny arrays stay visible."""
    if x < 1:
        return 1 / _ratio(1 / x)
    if x <= 5:
        return x
    return 5 + math.log(x / 5)


def _sizes(shape, size=120.0):
    mx = max(max(shape), 1)
    ratios = [max(d, 1) / mx for d in shape]
    ratios = [_ratio(r) for r in ratios]
    top = max(ratios)
    return [size * r / top for r in ratios]


def _bounds(chunks, length):
    """Positions of block boundaries along an axis drawn `length` long (thinned when there
    are many blocks)."""
    total = sum(chunks) or 1
    pos = [0.0]
    acc = 0
    for c in chunks:
        acc += c
        pos.append(length * acc / total)
    if len(pos) > _MAX_LINES:
        pos = [pos[0], pos[-1]]
    return pos


def _line(x1, y1, x2, y2, strong=False):
    w = ' style="stroke-width:2"' if strong else ""
    return f'  <line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}"{w} />\n'


def _text(x, y, s, rotate=None, size="1.0rem"):
    rot = f' transform="rotate({rotate:.0f},{x:.0f},{y:.0f})"' if rotate is not None else ""
    return f'  <text x="{x:.0f}" y="{y:.0f}" font-size="{size}" font-weight="100" text-anchor="middle"{rot}>{s}</text>\n'


def _grid2(rows, cols, ox, oy, h, w):
    """A 2-d grid of blocks at (ox, oy), `h` high and `w` wide."""
    ys = _bounds(rows, h)
    xs = _bounds(cols, w)
    out = ""
    for i, y in enumerate(ys):
        out += _line(ox, oy + y, ox + w, oy + y, strong=i in (0, len(ys) - 1))
    for i, x in enumerate(xs):
        out += _line(ox + x, oy, ox + x, oy + h, strong=i in (0, len(xs) - 1))
    out += f'  <polygon points="{ox:.0f},{oy:.0f} {ox + w:.0f},{oy:.0f} {ox + w:.0f},{oy + h:.0f} {ox:.0f},{oy + h:.0f}" style="fill:{_FILL};stroke-width:0"/>\n'
    return out


def _svg2(chunks, size=120.0, label=True):
    rows, cols = chunks
    h, w = _sizes([sum(rows), sum(cols)], size)
    body = _grid2(rows, cols, 10, 10, h, w)
    width, height = w + 10 + 50, h + 10 + 50
    if label:
        body += _text(10 + w / 2, 10 + h + 20, sum(cols))
        body += _text(10 + w + 20, 10 + h / 2, sum(rows), rotate=-90)
    return body, width, height


def _svg3(chunks, size=120.0, ox=25.0, oy=20.0):
    """An oblique picture of a 3-d grid: front face (axes 1, 2), top and side faces along axis 0."""
    c0, c1, c2 = chunks
    d, h, w = _sizes([sum(c0), sum(c1), sum(c2)], size)
    dx, dy = d * 0.6, d * 0.6  # depth direction: up and to the right... drawn as a shear
    out = ""
    # side faces first (behind), then the front grid
    zs = _bounds(c0, 1.0)
    xs = _bounds(c2, w)
    ys = _bounds(c1, h)
    fx, fy = ox, oy + dy  # front face's top-left corner
    # top face: lines along depth at each column boundary, and across at each depth boundary
    for i, x in enumerate(xs):
        out += _line(fx + x, fy, fx + x + dx, fy - dy, strong=i in (0, len(xs) - 1))
    for i, z in enumerate(zs):
        out += _line(fx + z * dx, fy - z * dy, fx + w + z * dx, fy - z * dy, strong=i in (0, len(zs) - 1))
    out += (
        f'  <polygon points="{fx:.0f},{fy:.0f} {fx + dx:.0f},{fy - dy:.0f} {fx + w + dx:.0f},{fy - dy:.0f} {fx + w:.0f},{fy:.0f}" '
        f'style="fill:{_FILL};stroke-width:0"/>\n'
    )
    # right face
    for i, y in enumerate(ys):
        out += _line(fx + w, fy + y, fx + w + dx, fy + y - dy, strong=i in (0, len(ys) - 1))
    for i, z in enumerate(zs):
        out += _line(fx + w + z * dx, fy - z * dy, fx + w + z * dx, fy + h - z * dy, strong=i in (0, len(zs) - 1))
    out += (
        f'  <polygon points="{fx + w:.0f},{fy:.0f} {fx + w + dx:.0f},{fy - dy:.0f} {fx + w + dx:.0f},{fy + h - dy:.0f} {fx + w:.0f},{fy + h:.0f}" '
        f'style="fill:{_FILL};stroke-width:0"/>\n'
    )
    out += _grid2(c1, c2, fx, fy, h, w)
    out += _text(fx + w / 2, fy + h + 20, sum(c2))
    out += _text(fx + w + dx + 20, fy + h / 2 - dy / 2, sum(c1), rotate=-90)
    out += _text(fx + dx / 2 - 10, fy - dy / 2 - 5, sum(c0), rotate=-45)
    return out, ox + w + dx + 50, oy + dy + h + 50


def svg(chunks, size: float = 120.0) -> str:
    """An SVG picture of a chunk grid: a bar for 1-d, a grid for 2-d, an oblique box for
    3-d, and for more dimensions the leading axes as a small grid beside a box of the
    last three (as Dask draws them)."""
    chunks = tuple(tuple(int(c) for c in ax) for ax in chunks)
    nd = len(chunks)
    if nd == 0:
        return ""
    if nd == 1:
        # a 1-d array is a thin bar: one row, as tall as Dask's (25 px)
        xs_len = _sizes([1, sum(chunks[0]) or 1], size)[1]
        body = _grid2((1,), chunks[0], 10, 10, 25, xs_len)
        body += _text(10 + xs_len / 2, 10 + 25 + 20, sum(chunks[0]))
        body += _text(10 + xs_len + 20, 10 + 12, 1, rotate=0)
        width, height = xs_len + 60, 25 + 60
    elif nd == 2:
        body, width, height = _svg2(chunks, size)
    elif nd == 3:
        body, width, height = _svg3(chunks, size)
    else:
        # the leading axes as a small grid: the last leading axis across, the others flattened
        lead = chunks[:-3]
        if len(lead) == 1:
            w = _sizes([1, sum(lead[0]) or 1], size / 2)[1]
            small = _grid2((1,), lead[0], 10, 10, 15, w) + _text(10 + w / 2, 10 + 15 + 20, sum(lead[0]))
            w1, h1 = w + 20, 60
        else:
            rows = tuple(c for ax in lead[:-1] for c in ax)
            small, w1, h1 = _svg2((rows, lead[-1]), size / 2)
        big, w2, h2 = _svg3(chunks[-3:], size, ox=w1 + 25, oy=20)
        body = small + big
        width, height = w1 + w2, max(h1, h2)
    return (
        f'<svg width="{width:.0f}" height="{height:.0f}" style="stroke:rgb(0,0,0);stroke-width:1" >\n'
        f"{body}</svg>"
    )

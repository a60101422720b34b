"""A Dask user's script runs unchanged with `import tessera as da` and prints the same."""

from __future__ import annotations

import numpy as np
import pytest

import dask
import dask.array as dsk
import tessera
from conftest import drop_empty_chunks

SCRIPT = """
import numpy as np
x = da.from_array(np.arange(60, dtype=np.float64).reshape(6, 10), chunks=(4, 3))
y = da.ones((6, 10), chunks=(3, 5)) * 2
z = (x + y) / 3 - 1
out = {}
out["shape"] = z.shape
out["chunks"] = z.chunks
out["dtype"] = str(z.dtype)
out["sum"] = float(z.sum().compute())
out["mean0"] = z.mean(axis=0).compute().round(10).tolist()
out["std1"] = z.std(axis=1, ddof=1).compute().round(10).tolist()
out["max_keep"] = z.max(axis=1, keepdims=True).compute().tolist()
out["argmax"] = int(z.argmax().compute())
out["slice"] = z[1:5:2, ::-3].compute().round(10).tolist()
out["slice_chunks"] = z[1:5:2, ::-3].chunks
out["where"] = da.where(z > 5, z, 0).sum().compute().round(10)
out["T"] = z.T.chunks
out["rechunk"] = z.rechunk((2, 5)).chunks
out["ufunc"] = float(np.sin(z).sum().compute().round(10))
out["npsum"] = float(np.sum(z, axis=0).compute().sum().round(10))
out["cast"] = str((z > 0).astype(int).sum().compute())
out["compute_many"] = [float(v) for v in da.compute(z.min(), z.max())]
out["zeros_like"] = da.zeros_like(z).chunks
out["arange"] = da.arange(0, 10, 3, chunks=2).compute().tolist()
out["linspace"] = da.linspace(0, 1, 5, chunks=2).compute().tolist()
out["len"] = len(z)
out["iter"] = [float(r.sum().compute()) for r in z[:2]]
out["bool"] = bool((z > -10).all())
out["float"] = float(z[0, 0])
out["newaxis"] = z[None, ..., 2].shape
out["broadcast"] = da.broadcast_to(z[0], (3, 10)).chunks
out["clip"] = float(z.clip(0, 1).sum().compute())
out["scalar_dtypes"] = [str((da.ones(3, dtype="float32") + 1).dtype), str((da.ones(3, dtype="int8") * 2).dtype)]
with cfg.set(scheduler="sync"):
    out["sync"] = float(z.sum().compute())
out["num_workers"] = float(z.sum().compute(num_workers=2))
"""


def run(module, cfg):
    ns = {"da": module, "cfg": cfg}
    exec(SCRIPT, ns)
    return ns["out"]


def test_same_results_as_dask():
    got = run(tessera, tessera.config)
    exp = run(dsk, dask.config)
    assert got.keys() == exp.keys()
    for k in exp:
        g, e = got[k], exp[k]
        if isinstance(e, float):
            assert g == pytest.approx(e, rel=1e-12, abs=1e-12), k
        elif k in ("slice",) or isinstance(e, list) and e and isinstance(e[0], (float, list)):
            np.testing.assert_allclose(np.asarray(g, dtype=float), np.asarray(e, dtype=float), rtol=1e-12, err_msg=k)
        elif k == "slice_chunks":
            assert g == drop_empty_chunks(e)
        else:
            assert g == e, k

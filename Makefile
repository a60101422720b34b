# tessera: `make demo` runs the seed program, `make test` runs every test.
# Everything builds in the release profile so that dependencies compile once.

VENV    := .venv
PY      := $(VENV)/bin/python
CARGO   ?= cargo
PYDEPS  := maturin==1.* numpy pytest hypothesis "dask[array]" distributed
# scipy: tessera.stats p-values, checked against scipy.stats
PYDEPS  += scipy
# zarr, h5py, netCDF4, xarray: storage interop tests (tessera <-> zarr-python, HDF5, NetCDF, xarray)
PYDEPS  += "zarr>=3" h5py netCDF4 xarray
# mpmath: high-precision reference for the kernel accuracy tests
PYDEPS  += mpmath
# pandas, pyarrow: dask.dataframe, for the to_dask_dataframe / from_dask_array bridge tests
PYDEPS  += pandas pyarrow
# ndindex, pytest-json-report: the Array API conformance suite (make conformance)
PYDEPS  += ndindex pytest-json-report

.PHONY: demo test test-rust test-mpi test-python python venv bench bench-rust bench-kernels test-accuracy clean conformance

# Reinstalled when this file (the list of packages) changes.
$(VENV)/.deps: Makefile
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(PYDEPS)
	touch $@

venv: $(VENV)/.deps

# Builds the Rust extension and installs the `tessera` package into .venv, with MPI
# support when an MPI installation (mpicc) is found.
MPI_FEATURE := $(shell command -v mpicc >/dev/null 2>&1 && echo "--features mpi")
python: venv
	@echo "building tessera for Python $(if $(MPI_FEATURE),with MPI support ($$(mpicc --showme:version 2>/dev/null || echo mpicc)),without MPI (no mpicc found))"
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin develop --release --quiet $(MPI_FEATURE)

demo: python
	$(PY) examples/array-mean.py

test-rust:
	$(CARGO) test --release
	# Products (faer) and Zarr (zarrs) are outside the default build: their tests need the features.
	$(CARGO) test --release -p tessera --features "linalg zarr" --test products --test zarr
	$(CARGO) test --release -p tessera-fft

test-python: python
	$(PY) -m pytest -q tests/python

# MPI tests are separate programs launched by mpirun (MPI starts once per process).
MPIRUN_ENV := OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
test-mpi:
	@if command -v mpirun >/dev/null 2>&1; then \
		$(CARGO) build --release -p tessera-mpi --examples && \
		for n in 1 2 4; do echo "mpirun -n $$n mpi_check"; $(MPIRUN_ENV) TESSERA_NUM_THREADS=1 timeout 300 mpirun -n $$n target/release/examples/mpi_check || exit 1; done; \
	else echo "MPI not installed: skipping the MPI tests"; fi

test: test-rust test-mpi test-python

# The Python Array API conformance suite (../shared/array-api-tests, an unmodified copy run
# in place) against the `tessera` namespace, with every extension tessera has and no skip
# list. Until complex dtypes exist the suite cannot import at the declared version (it builds
# a complex array first), so it then runs at 2021.12, which has none, and says so.
ARRAY_API_TESTS ?= $(abspath ../shared/array-api-tests)
CONFORMANCE_EXAMPLES ?= 50
conformance: python
	@test -d $(ARRAY_API_TESTS)/array_api_tests || { echo "no conformance suite at $(ARRAY_API_TESTS)"; exit 1; }
	$(PY) -m pip install -q ndindex pytest-json-report
	@ver=$$($(PY) -c "import tessera as t; t.asarray(1j); print(t.__array_api_version__)" 2>/dev/null || \
		{ echo "2021.12"; echo "tessera has no complex dtypes: running the suite at API version 2021.12" >&2; }); \
	ARRAY_API_TESTS_MODULE=tessera ARRAY_API_TESTS_VERSION=$$ver $(PY) -m pytest $(ARRAY_API_TESTS)/array_api_tests \
		--max-examples $(CONFORMANCE_EXAMPLES) --hypothesis-disable-deadline -p no:cacheprovider -q -rfE

bench-rust:
	$(CARGO) bench -p tessera --bench engine

bench: python
	$(PY) benches/compare.py

# Per-function kernel speed, tessera against NumPy, one thread each.
bench-kernels: python
	$(PY) benches/kernels.py

# The vector math kernels on many more inputs: 20 M per function and dtype against libm
# (Rust), 100,000 against mpmath (Python). A few minutes on 2 cores.
test-accuracy: python
	SIMD_CASES=20000000 $(CARGO) test --release -p tessera-kernels simd::
	SIMD_ACCURACY_N=100000 $(PY) -m pytest -q tests/python/test_simd_accuracy.py

clean:
	rm -rf $(VENV) target

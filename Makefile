# tessera: `make demo` runs the seed program, `make test` runs every test.
# Everything builds in the release profile so that dependencies compile once.

VENV    := .venv
PY      := $(VENV)/bin/python
CARGO   ?= cargo
PYDEPS  := maturin==1.* numpy pytest "hypothesis>=6.151" "dask[array]" distributed
# scipy: tessera.stats p-values, checked against scipy.stats
PYDEPS  += scipy
# zarr, h5py, netCDF4, xarray: storage interop tests (tessera <-> zarr-python, HDF5, NetCDF, xarray)
PYDEPS  += "zarr>=3" h5py netCDF4 xarray
# mpmath: high-precision reference for the kernel accuracy tests
PYDEPS  += mpmath
# pandas, pyarrow: dask.dataframe, for the to_dask_dataframe / from_dask_array bridge tests
PYDEPS  += pandas pyarrow
# ndindex, pytest-json-report: the Array API conformance suite (make test-conformance, make conformance)
PYDEPS  += ndindex pytest-json-report

.PHONY: demo test test-rust test-mpi test-python test-conformance python venv bench bench-rust bench-kernels test-accuracy clean conformance

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

test: test-rust test-mpi test-python test-conformance

# The Python Array API conformance suite: an unmodified copy of data-apis/array-api-tests (not
# on PyPI), run in place from ../shared/array-api-tests, else /work/shared/array-api-tests (a
# fresh clone elsewhere, as CI's, has no ../shared). Every test runs against `tessera` with all
# its extensions: no skip or xfail list, any failure fails the target. Sizes that depend on the
# data are computed when the operation is built there (array.data-dependent-shapes=compute: the
# spec's integer shapes; tessera's default is Dask's nan). CI (CI=1) draws the same examples
# every run (--hypothesis-seed=0); local runs draw new ones.
ARRAY_API_TESTS_DIR ?= $(firstword $(wildcard $(abspath ../shared/array-api-tests) /work/shared/array-api-tests))
TEST_CONFORMANCE_EXAMPLES ?= 5
CONFORMANCE_EXAMPLES ?= 50
CONFORMANCE_SEED ?= $(if $(CI),--hypothesis-seed=0)
define run_conformance
	@if [ ! -d "$(ARRAY_API_TESTS_DIR)/array_api_tests" ]; then \
		echo "SKIPPED: the Array API conformance suite: no array-api-tests at ../shared/array-api-tests or /work/shared/array-api-tests (set ARRAY_API_TESTS_DIR)"; \
	else \
		echo "Array API conformance suite ($(ARRAY_API_TESTS_DIR)), $(1) examples per test $(CONFORMANCE_SEED)"; \
		TESSERA_ARRAY__DATA_DEPENDENT_SHAPES=compute ARRAY_API_TESTS_MODULE=tessera $(PY) -m pytest \
			"$(ARRAY_API_TESTS_DIR)/array_api_tests" --max-examples $(1) $(CONFORMANCE_SEED) \
			--hypothesis-disable-deadline -p no:cacheprovider -q -rfEs; \
	fi
endef

test-conformance: python
	$(call run_conformance,$(TEST_CONFORMANCE_EXAMPLES))

conformance: python
	$(call run_conformance,$(CONFORMANCE_EXAMPLES))

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

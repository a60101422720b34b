# tessera: `make demo` runs the seed program, `make test` runs every test.
# Everything builds in the release profile so that dependencies compile once.

VENV    := .venv
PY      := $(VENV)/bin/python
CARGO   ?= cargo
PYDEPS  := maturin==1.* numpy pytest hypothesis "dask[array]" distributed

.PHONY: demo test test-rust test-mpi test-python python venv bench bench-rust clean

$(VENV)/.deps:
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

bench-rust:
	$(CARGO) bench -p tessera --bench engine

bench: python
	$(PY) benches/compare.py

clean:
	rm -rf $(VENV) target

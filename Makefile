# tessera: `make demo` runs the seed program, `make test` runs every test.
# Everything builds in the release profile so that dependencies compile once.

VENV    := .venv
PY      := $(VENV)/bin/python
CARGO   ?= cargo
PYDEPS  := maturin==1.* numpy pytest hypothesis "dask[array]" distributed

.PHONY: demo test test-rust test-python python venv bench bench-rust clean

$(VENV)/.deps:
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(PYDEPS)
	touch $@

venv: $(VENV)/.deps

# Builds the Rust extension and installs the `tessera` package into .venv.
python: venv
	VIRTUAL_ENV=$(abspath $(VENV)) PATH=$(abspath $(VENV))/bin:$$PATH \
		$(VENV)/bin/maturin develop --release --quiet

demo: python
	$(PY) examples/array-mean.py

test-rust:
	$(CARGO) test --release --workspace --exclude tessera-python

test-python: python
	$(PY) -m pytest -q tests/python

test: test-rust test-python

bench-rust:
	$(CARGO) bench -p tessera --bench engine

bench: python
	$(PY) benches/compare.py

clean:
	rm -rf $(VENV) target

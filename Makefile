# One command sets everything up and runs the main job (`make book`); one sets up and runs the tests (`make test`).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.gammanet-installed
# The book and the tests run offline on the embedded MNIST subset; QUICK=1 (the quick build) shrinks the chapters'
# experiments, QUICK=0 runs their full sizes.
QUICK ?= 1
export GAMMANET_DATA ?= embedded
# The chapters' results store: what a chapter finds here it reuses (results/ is not committed).
export GAMMANET_STORE ?= $(CURDIR)/results/store

.PHONY: setup test book bench student clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/setup_venv.sh
	PYTHON=$(PYTHON) bash scripts/setup_venv.sh $(VENV)
	touch $@

# The tests run in TEST_WORKERS processes (pytest-xdist; 0: one process).  --dist loadfile gives each file to one
# worker, so a notebook's cells (which share one kernel) run in order in one worker; --no-loadscope-reorder keeps
# the order given: the instructor chapters first, the student editions last, so that a student chapter finds its
# instructor chapter's results in the session's shared store (tests/conftest.py) instead of computing them again.
# One thread per worker: two workers with two threads each on two cores slow small kernels down many times.
TEST_WORKERS ?= 2
test: setup
	GAMMANET_STORE= GAMMANET_QUICK=1 OMP_NUM_THREADS=1 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile \
	    --no-loadscope-reorder --nbval-lax notebooks tests student/notebooks

book: setup
	GAMMANET_QUICK=$(QUICK) $(VENV)/bin/jupyter-book build . --config book.yml --toc toc.yml --path-output . -W --keep-going
	$(PY) scripts/check_book.py _build/html --toc toc.yml
	@echo "The book is at _build/html/index.html"

# The student edition: notebooks with stubs instead of solutions (student/notebooks), and its book.
student: setup
	$(PY) scripts/student.py generate
	GAMMANET_QUICK=$(QUICK) $(VENV)/bin/jupyter-book build student --config $(CURDIR)/student/book.yml --toc $(CURDIR)/student/toc.yml -W --keep-going
	$(PY) scripts/check_book.py student/_build/html --toc student/toc.yml
	@echo "The student book is at student/_build/html/index.html"

bench: setup
	$(PY) benchmarks/bench_grid.py

clean:
	rm -rf _build .jupyter_cache

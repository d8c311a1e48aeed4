# Two commands: `make run` sets up and starts oral-sim, `make test` sets up and runs the tests.
# Repeated runs skip what is already done (stamp files in .venv).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_PKGS := libportaudio2
# The tests also drive a virtual PulseAudio microphone/speaker and a real terminal (tmux).
TEST_PKGS := libportaudio2 pulseaudio libasound2-plugins tmux chromium

.PHONY: run test setup setup-test demo bench lint clean

run: setup
	@if [ -t 0 ] && [ -t 1 ]; then $(VENV)/bin/oral-sim; else \
	  echo "make run: no terminal for the app; running a short headless demo interview instead" >&2; \
	  $(VENV)/bin/oral-sim demo --headless --questions 2; fi

demo: setup
	$(VENV)/bin/oral-sim demo

test: setup-test
	$(PY) -m pytest -n 2 --dist loadgroup

bench: setup
	$(VENV)/bin/oral-sim bench --record

lint: setup-test
	$(VENV)/bin/ruff check oral_sim tests

setup: $(VENV)/.syslibs-run $(VENV)/.installed $(VENV)/.scorer

setup-test: $(VENV)/.syslibs-test $(VENV)/.installed-test

$(PY):
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || tools/ensure-system-packages.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.syslibs-run: | $(PY)
	tools/ensure-system-packages.sh $(RUN_PKGS)
	touch $@

$(VENV)/.syslibs-test: | $(PY)
	tools/ensure-system-packages.sh $(TEST_PKGS)
	touch $@

# torch first, exactly this version: it is the CPU build; anything else pulls a multi-GB CUDA build.
$(VENV)/.torch: | $(PY)
	$(PY) -m pip install -q torch==2.13.0
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.torch
	$(PY) -m pip install -q -e .
	touch $@

# The scorer's ONNX export (engine/embedder.py), made once here so that even the first launch
# loads it in 0.5 s and never imports torch; the app makes it itself if this step did not.
$(VENV)/.scorer: $(VENV)/.installed
	@echo "oral-sim: preparing the scoring model (once, about 20 s)"
	-$(PY) -c 'from oral_sim.engine import scoring; scoring.get_embedder()'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.torch
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build *.egg-info

# xraywatch: the commands the README tells users to run.
SWIFT ?= swift
RELEASE_BIN = .build/release/xraywatch
DATA ?= ../shared/data

.PHONY: deps build install run serve classify-examples test bench bench-int8 bench-serve bench-memory fuzz evaluate models lungs refusal refusal-ood clean

## System packages (libjpeg, libpng, OpenBLAS, make, pkg-config): installs only what is missing (apt-get, as root or with sudo).
deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

## Installs the binary as $(PREFIX)/bin/xraywatch and the bundled backbone and models (with their reports) in
## $(PREFIX)/share/xraywatch/models, where the installed binary finds them without configuration.
PREFIX ?= /usr/local
install: build
	install -D -m 755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/xraywatch
	install -d $(DESTDIR)$(PREFIX)/share/xraywatch/models
	install -m 644 models/* $(DESTDIR)$(PREFIX)/share/xraywatch/models/

## The main job: watch the bundled config's inbox (spool/inbox) until Ctrl-C.
run: build
	$(RELEASE_BIN) watch --config config.json

## The watcher with its web page on http://127.0.0.1:8080 (upload, results, JSON API) until Ctrl-C.
serve: build
	$(RELEASE_BIN) serve --config config.json

## Screen the bundled example images once.
classify-examples: build
	$(RELEASE_BIN) classify --config config.json examples

## Unit and end-to-end tests (tests that need ../shared skip with a message where it is absent).
test: deps
	@bash scripts/install-deps.sh --test
	$(SWIFT) build
	$(SWIFT) test

## Speed figures with the TensorFlow and ONNX Runtime anchors measured in the same run.
bench: build
	bash benchmarks/run.sh

# The int8 backbone against fp32 on every test image: verdict agreement and |delta P| per model (about 3 minutes).
bench-int8: build
	bash benchmarks/int8-agreement.sh

# Throughput of watch alone and of serve with its dashboard fetched every second, on a burst of 200 test images.
bench-serve: build
	MODE=both bash examples/bench-watch.sh 200

# Peak memory of the watcher on bursts of 64-megapixel images and of 300 test images.
bench-memory: build
	bash benchmarks/watch-memory.sh

# libFuzzer over the image decoders and the safetensors parser, 300 s each (not part of the tests).
fuzz:
	bash benchmarks/fuzz.sh

## The README's results tables: the shipped models on the test and tutorial sets, with the shortcut probes on test (about 10 minutes).
evaluate: build
	bash scripts/evaluate-shipped-models.sh $(DATA)
	python3 scripts/results-table.py evaluation/test/evaluation.json evaluation/tutorial/evaluation.json

## Retrain the shipped models from ../shared/data/train (feature cache in .xraywatch-cache/).
models: build
	bash scripts/train-shipped-models.sh $(DATA)

## Retrain the lung segmenter from ../shared/data/lung_masks (report in models/lungs.report.html).
lungs: build
	$(RELEASE_BIN) train-lungs --data $(DATA) --out models

## Refit the refusal check (INDETERMINATE) on ../shared/data/train, then measure it on data/ood and data/test.
refusal: build
	$(RELEASE_BIN) train-refusal --manifest $(DATA)/INDEX.csv --under train/ --out models
	$(MAKE) refusal-ood

## What the refusal check does with ../shared/data/ood (none of it is a frontal chest radiograph).
refusal-ood: build
	$(RELEASE_BIN) classify --json --config config.json $$(find $(DATA)/ood -mindepth 1 -type d) > evaluation-ood.jsonl || true
	python3 scripts/refusal-ood.py $(DATA)/ood/INDEX.csv evaluation-ood.jsonl

clean:
	rm -rf .build

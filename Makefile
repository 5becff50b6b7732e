# The two commands of the README:
#   make run    builds forecast (release) and fits + forecasts the bundled airline series
#   make test   builds and runs the test suite (optimised, so training tests stay fast)
# Both install libcsv-dev with apt-get first when it is missing.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE := -c release
OUT := out

.PHONY: deps build run test docs bench fuzz clean

deps:
	@if [ ! -f /usr/include/csv.h ]; then \
		echo "installing libcsv-dev (the CSV parser) with apt-get..." >&2; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libcsv-dev >/dev/null; \
	fi

build: deps
	$(SWIFT) build $(RELEASE) --product forecast

run: build
	@mkdir -p $(OUT)
	.build/release/forecast fit datasets/airline_passengers.csv --target passengers --horizon 12 --model $(OUT)/airline.fcm
	.build/release/forecast predict --model $(OUT)/airline.fcm --horizon 12

# One optimised build of everything (library, forecast, the example, tests), then the tests against it:
# the CLI and notebook tests run the built executables.
# DocC: one archive for ForecastKit and the modules it re-exports, with the getting-started and
# pipeline articles (Sources/ForecastKit/ForecastKit.docc); warnings are errors.
DOC_TARGETS := ForecastKit ForecastData ForecastModels ForecastMetrics ForecastNN
docs: deps
	$(SWIFT) package --disable-sandbox generate-documentation --enable-experimental-combined-documentation \
		$(foreach t,$(DOC_TARGETS),--target $(t)) --warnings-as-errors --output-path $(OUT)/docs
	@echo "documentation: $(OUT)/docs (serve it with any static file server)"

test: deps
	$(SWIFT) build $(RELEASE) -Xswiftc -enable-testing --build-tests
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --skip-build

# Both libFuzzer targets with AddressSanitizer, FUZZ_SECONDS each (default 600): the CSV reader
# (scripts/fuzz/run.sh) and the model-file reader (scripts/fuzz/run-model.sh). Findings go to .build-fuzz/.
FUZZ_SECONDS ?= 600
fuzz: deps
	nice -n 10 bash scripts/fuzz/run.sh $(FUZZ_SECONDS)
	nice -n 10 bash scripts/fuzz/run-model.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build $(OUT)

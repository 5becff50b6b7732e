# The two commands of the README:
#   make run    builds forecast (release) and fits + forecasts the bundled airline series
#   make test   builds and runs the test suite (optimised, so training tests stay fast)
# Both install libcsv-dev with apt-get first when it is missing.

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE := -c release
OUT := out

.PHONY: deps build run test docs bench fuzz clean spark-deps spark-test portable

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
	@mkdir -p $(OUT)
	$(SWIFT) package --disable-sandbox generate-documentation --enable-experimental-combined-documentation \
		$(foreach t,$(DOC_TARGETS),--target $(t)) --warnings-as-errors --output-path $(OUT)/docs
	@test -d $(OUT)/docs/documentation || { echo "make docs: no documentation was written to $(OUT)/docs" >&2; exit 1; }
	@echo "documentation: $(OUT)/docs (serve it with any static file server)"

test: deps
	$(SWIFT) build $(RELEASE) -Xswiftc -enable-testing --build-tests
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing --skip-build
	$(MAKE) spark-test

# The Spark integration (integrations/spark) on a real Spark in local[2] mode: forecast_local and
# forecast_global over datasets/m4_hourly_panel.csv must equal the CLI's own JSON output to the last
# digit. Installs what is missing: a Java runtime (apt, only when `java` is absent) and pyspark<5,
# pandas<3, pyarrow and pytest into the project-local .venv-spark. FORECAST_BIN defaults to the release
# binary of .build (built here if absent); `make spark-test FORECAST_BIN=out/portable/forecast` runs the
# same tests against the portable binary of `make portable`.
SPARK_VENV := .venv-spark
SPARK_PY := $(SPARK_VENV)/bin/python
FORECAST_BIN ?= $(CURDIR)/.build/release/forecast

spark-deps:
	@if ! command -v java >/dev/null 2>&1; then \
		echo "installing openjdk-17-jre-headless (Spark needs Java) with apt-get..." >&2; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi
	@if ! command -v python3 >/dev/null 2>&1; then \
		echo "installing python3 with apt-get..." >&2; \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3 python3-venv >/dev/null; \
	fi
	@if ! $(SPARK_PY) -c "import pyspark, pandas, pyarrow, pytest" >/dev/null 2>&1; then \
		echo "installing pyspark, pandas, pyarrow and pytest into $(SPARK_VENV)..." >&2; \
		python3 -m venv $(SPARK_VENV) 2>/dev/null || { $(SUDO) apt-get update -qq && \
			$(SUDO) apt-get install -y -qq python3-venv >/dev/null && python3 -m venv $(SPARK_VENV); }; \
		$(SPARK_PY) -m pip install -q --disable-pip-version-check "pyspark>=3.5,<5" "pandas<3" pyarrow pytest; \
	fi

spark-test: deps spark-deps
	@[ -x "$(FORECAST_BIN)" ] || $(SWIFT) build $(RELEASE) --product forecast
	FORECAST_BIN="$(FORECAST_BIN)" PYSPARK_PYTHON="$(CURDIR)/$(SPARK_PY)" PYTHONPATH="$(CURDIR)/integrations/spark" \
		$(SPARK_PY) -m pytest -q -p no:cacheprovider Tests/spark

# A self-contained forecast for Spark executors and containers (static Swift runtime and libcsv, no
# toolchain needed): out/portable/forecast, built in .build-portable. See scripts/build_portable.sh.
portable: deps
	bash scripts/build_portable.sh out/portable/forecast

# Both libFuzzer targets with AddressSanitizer, FUZZ_SECONDS each (default 600): the CSV reader
# (scripts/fuzz/run.sh) and the model-file reader (scripts/fuzz/run-model.sh). Findings go to .build-fuzz/.
FUZZ_SECONDS ?= 600
fuzz: deps
	nice -n 10 bash scripts/fuzz/run.sh $(FUZZ_SECONDS)
	nice -n 10 bash scripts/fuzz/run-model.sh $(FUZZ_SECONDS)

clean:
	rm -rf .build $(OUT)

# Switchyard: `make run` starts the gateway with a demo route; `make test` runs every test.
SHELL := /bin/bash
APT_PACKAGES := libsqlite3-dev libssl-dev libcurl4-openssl-dev pkg-config curl
TEST_APT_PACKAGES := openssl nginx-light chromium dash
PIP_PACKAGES := openai anthropic pytest prometheus_client schemathesis openapi-spec-validator pyyaml playwright
SWIFT_BUILD_FLAGS ?=
DEMO_UPSTREAM_PORT ?= 8090

BENCH_APT_PACKAGES := nginx-light wrk gcc

.PHONY: bench instructions soak fuzz fuzz-build run test build deps apt-install test-deps unit-test integration-test clean

## Installs the system libraries when missing (apt, only what is absent).
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## Installs the test tools when missing: nginx (a TLS/HTTP/2 upstream and load balancer), Chromium (the dashboard's
## browser test, driven by Playwright), the official openai and anthropic SDKs and pytest.
test-deps: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"
	@python3 -c "import openai, anthropic, pytest, prometheus_client, schemathesis, openapi_spec_validator, yaml, playwright" 2>/dev/null || python3 -m pip install -q $(PIP_PACKAGES)

build: deps
	swift build $(SWIFT_BUILD_FLAGS)

## Builds, starts mock-llm as the demo upstream, and runs the gateway on ./var (Ctrl-C stops both).
run: build
	@bin=$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path); \
	$$bin/mock-llm --listen 127.0.0.1:$(DEMO_UPSTREAM_PORT) & mock=$$!; \
	trap "kill $$mock 2>/dev/null" EXIT; \
	$$bin/switchyard serve --demo-upstream http://127.0.0.1:$(DEMO_UPSTREAM_PORT)/v1

## Builds and runs the unit tests (swift test), the integration tests (pytest against the real binaries)
## and each fuzz target for a few seconds.
test: test-deps
	swift build $(SWIFT_BUILD_FLAGS)
	swift test $(SWIFT_BUILD_FLAGS)
	SWITCHYARD_BIN=$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path) SWITCHYARD_TEST_OUTPUT=$(TEST_OUTPUT) python3 -m pytest -q Tests/integration
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)

FUZZ_SECONDS ?= 60
## Where tests leave what a person may want to look at (the dashboard's screenshots).
TEST_OUTPUT ?= $(CURDIR)/.build/test-output
TEST_FUZZ_SECONDS ?= 4

## The libFuzzer binary (AddressSanitizer on) with every fuzz target; SWITCHYARD_FUZZ adds it to the package.
fuzz-build: deps
	SWITCHYARD_FUZZ=1 swift build -c release --sanitize=fuzzer --sanitize=address --product fuzz-switchyard --scratch-path .build-fuzz

## Fuzzes every parser for FUZZ_SECONDS each; a crasher is saved under Tests/Fuzz/<target>/ and fails the run.
fuzz: fuzz-build
	python3 Tests/run_fuzzers.py --seconds $(FUZZ_SECONDS)

unit-test: deps
	swift test $(SWIFT_BUILD_FLAGS)

integration-test: test-deps build
	SWITCHYARD_BIN=$$(swift build $(SWIFT_BUILD_FLAGS) --show-bin-path) SWITCHYARD_TEST_OUTPUT=$(TEST_OUTPUT) python3 -m pytest -q Tests/integration

clean:
	rm -rf .build var

## Benchmarks a release build against direct-to-upstream and an nginx hop; appends to bench/results/ and updates the README table.
bench: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_APT_PACKAGES)"
	swift build -c release
	python3 bench/bench.py --update-readme
	python3 bench/usage.py --update-readme

## Instructions, allocations and retains per request under callgrind (exact, unlike the noisy wall-clock figures).
instructions: deps
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(BENCH_APT_PACKAGES) valgrind"
	swift build -c release
	python3 bench/instructions.py

## Soak: mixed load for 5 minutes while one of three deployments flaps every 20 s; fails on any client-visible error.
soak: deps
	python3 bench/soak.py --seconds $${SOAK_SECONDS:-300}

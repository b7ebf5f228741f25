# The two commands of the README. Both install the Debian packages they need first.
.PHONY: run test build release bench

# Only the product `make run` needs: not the fuzzers' targets (scripts/fuzz builds those).
build:
	scripts/install-deps
	swift build --product stampede

# Dynamically linked Swift runtime: users' Swift test files are loaded into the process and
# share it (docs/scenarios.md).
release:
	scripts/install-deps
	swift build -c release --product stampede

# A short scenario against the embedded target, printing the summary.
run: build
	.build/debug/stampede run smoke

test:
	scripts/test

bench:
	bench/run

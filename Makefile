# The two commands of the README:
#   make demo   installs what is missing, builds, and runs the bundled example sweep
#   make test   installs what is missing, builds, and runs every test (ctest)
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps configure build test demo clean

all: build

deps:
	./scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

demo: build
	$(BUILD)/cli/augsweep run examples/demo.yaml --data-dir $(BUILD)/demo-data

clean:
	rm -rf $(BUILD)

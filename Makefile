# Diego in Go. `make run` brings up a local Diego; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin
# Every binary under cmd/, built under its upstream name into bin/.
CMDS := $(notdir $(wildcard cmd/*))

.PHONY: all build generate verify-generate test test-unit test-conformance vet certs run demo clean bench

all: build

build:
	@mkdir -p $(BIN)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/ $(addprefix ./cmd/,$(CMDS))

generate:
	./scripts/generate-proto.sh

# Fails when the committed generated code differs from what `make generate` produces.
verify-generate: generate
	@git diff --exit-code -- proto/ || (echo "generated code is out of date: run make generate" && exit 1)
	@test -z "$$(git status --porcelain -- proto/ | grep '^??')" || (echo "untracked generated files: run make generate and commit" && exit 1)

vet:
	$(GO) vet ./...
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' | grep -v '\.pb\.go$$'))"; \
	  if [ -n "$$unformatted" ]; then echo "not gofmt-ed:"; echo "$$unformatted"; exit 1; fi

certs:
	$(GO) run ./cmd/certgen -dir .diego/certs

test: build vet test-unit test-conformance

test-unit:
	$(GO) test -count=1 -p 2 -timeout 20m ./...

test-conformance: build
	cd conformance && DIEGO_BIN=$(CURDIR)/$(BIN) GONOSUMDB=code.cloudfoundry.org $(GO) test -count=1 -p 1 -timeout 20m ./...

run: build
	./scripts/run-local.sh

# Against a running `make run` (in another terminal): app, route, cfdot, task.
demo: build
	./bin/diego-demo -state .diego -bin bin

bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./...

clean:
	rm -rf $(BIN)

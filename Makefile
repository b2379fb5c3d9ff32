# xshard: see README.md. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: all build test vet demo fuzz bench clean

all: build

build:
	$(GO) build ./...

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test: vet
	$(GO) test ./...

# xshard: see README.md. `make test` is what CI runs (.ci/run).
GO ?= go
BIN := bin

.PHONY: all build test vet demo fuzz bench clean

all: build

build:
	$(GO) build -o $(BIN)/shard ./cmd/shard
	$(GO) build -o $(BIN)/merge ./cmd/merge

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

test: vet
	$(GO) test ./...

demo: build
	./scripts/demo.sh

clean:
	rm -rf $(BIN) demo-out xshard-report

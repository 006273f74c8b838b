.PHONY: run build build-v8 test bench

# Run hull on the embedded default (SQLite + ./hull-data).
run:
	go run ./cmd/hull serve

# The portable build: one static binary, JavaScript on QuickJS.
build:
	CGO_ENABLED=0 go build -o bin/hull ./cmd/hull

# The container image's and release builds' binary: JavaScript on V8 (cgo;
# needs g++, the V8 library comes through the Go module proxy).
build-v8:
	CGO_ENABLED=1 go build -tags hull_v8 -trimpath -ldflags="-s -w" -o bin/hull-v8 ./cmd/hull

# Every test: installs PostgreSQL and the pinned npm packages if missing.
test:
	bash scripts/test.sh

bench:
	go run ./bench/storage -backend sqlite

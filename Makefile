.PHONY: run build test bench

# Run hull on the embedded default (SQLite + ./hull-data).
run:
	go run ./cmd/hull serve

build:
	CGO_ENABLED=0 go build -o bin/hull ./cmd/hull

# Every test: installs PostgreSQL and the pinned npm packages if missing.
test:
	bash scripts/test.sh

bench:
	go run ./bench/storage -backend sqlite

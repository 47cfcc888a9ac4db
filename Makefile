# Tally's developer tasks. `make help` lists them.
PG_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: help build test test-pg race lint bench fuzz
.PHONY: bench-import multiprocess

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build ./tally
	go build -o tally ./cmd/tally

test: ## run the tests on SQLite
	go test ./...

test-pg: ## run the tests on PostgreSQL ($(PG_URL))
	TALLY_TEST_DATABASE_URL='$(PG_URL)' go test -count=1 ./...

# SQLite's C code, translated to Go, is left uninstrumented as in .ci/run:
# instrumented, it made the SQLite-bound tests five times slower.
RACE = -race -gcflags='modernc.org/sqlite/lib=-race=false'

race: ## run the tests with the race detector, on SQLite and PostgreSQL
	go test $(RACE) ./...
	TALLY_TEST_DATABASE_URL='$(PG_URL)' go test $(RACE) -count=1 ./...

lint: ## go vet, gofmt and staticcheck
	go vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

bench: ## run the benchmarks (figures go to docs/benchmarks.md)
	go test -run='^$$' -bench=. -benchmem ./internal/ofx ./internal/categorize
	go test -run='^$$' -bench=. -benchmem -benchtime=3x ./internal/ingest
	TALLY_TEST_DATABASE_URL='$(PG_URL)' go test -run='^$$' -bench=. -benchmem -benchtime=3x ./internal/ingest
	go test -run='^$$' -bench=. -benchmem ./internal/recurring
	go test -run='^$$' -bench=. -benchmem -benchtime=3x ./internal/insight
	go test -run='^$$' -bench=BenchmarkPages -benchtime=200x ./internal/web

bench-import: ## tally import against sqlite3 .import and PostgreSQL COPY, bytes per transaction
	scripts/bench-import.sh

multiprocess: ## two API processes and two workers behind nginx, one of each killed; checks the result
	scripts/multiprocess.sh

fuzz: ## fuzz the OFX parser for two minutes
	go test ./internal/ofx -run='^$$' -fuzz=FuzzParse -fuzztime=2m

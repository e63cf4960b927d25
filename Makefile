# orderbot — the two commands a newcomer needs:
#   make run    local PostgreSQL + Redis, migrations, demo catalog, then the bot
#               (terminal chat when TELEGRAM_BOT_TOKEN is unset, Telegram otherwise)
#   make test   every test, with -race, against local PostgreSQL and Redis
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

GO ?= go
SERVICES := scripts/services.sh

.PHONY: run test build services stop reset fuzz bench lint

build:
	$(GO) build -o orderbot ./cmd/orderbot

services:
	@$(SERVICES) up >/dev/null

run: build
	@svc_env=$$($(SERVICES) up); eval "$$svc_env" # an assignment: a failed start stops here
	./orderbot migrate >/dev/null
	./orderbot products import demo/catalog.csv
	./orderbot staff add --telegram-id 2000001 --role manager --name "Demo Manager" >/dev/null
	if [ -n "$${TELEGRAM_BOT_TOKEN:-}" ]; then exec ./orderbot serve; fi
	echo "No TELEGRAM_BOT_TOKEN set: starting the terminal chat (try '#1' to press a button, /quit to leave)."
	echo "As a sales rep: ./orderbot console --as rep"
	exec ./orderbot console --as "$${AS:-customer}"

test:
	@svc_env=$$($(SERVICES) up); eval "$$svc_env" # an assignment: a failed start stops here
	export ORDERBOT_TEST_DATABASE_URL="$${ORDERBOT_DATABASE_URL%/orderbot*}/postgres?sslmode=disable"
	export ORDERBOT_TEST_REDIS_URL="$${ORDERBOT_REDIS_URL%/0}/1"
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) test -count=1 -run TestPageImages ./documents
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TESTFUZZTIME)

# make test runs each fuzz target briefly, for a number of inputs rather than a time: with a
# time limit, Go 1.26's fuzzing coordinator can fail a target with "context deadline
# exceeded" when the limit expires while a worker is busy (golang/go#75804), no input at fault.
TESTFUZZTIME ?= 10000x
# A short run of every fuzz target (longer: make fuzz FUZZTIME=5m).
FUZZTIME ?= 10s
fuzz:
	for t in FuzzParseQuantity FuzzParseDate FuzzParsePhone; do
		$(GO) test ./conversation -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME)
	done
	$(GO) test ./orders -run '^$$' -fuzz '^FuzzParseCatalogCSV$$' -fuzztime $(FUZZTIME)
	$(GO) test ./orders -run '^$$' -fuzz '^FuzzParsePeriod$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bot -run '^$$' -fuzz '^FuzzSplitResult$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bot -run '^$$' -fuzz '^FuzzPeek$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bot -run '^$$' -fuzz '^FuzzGroupCommand$$' -fuzztime $(FUZZTIME)
	$(GO) test ./documents -run '^$$' -fuzz '^FuzzChineseCapital$$' -fuzztime $(FUZZTIME)
	for t in FuzzQuickOrder FuzzQuantity FuzzParseDate FuzzPhone FuzzAmount FuzzAnswers; do
		$(GO) test ./understand -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME)
	done
	$(GO) test ./api -run '^$$' -fuzz '^FuzzDecodeCursor$$' -fuzztime $(FUZZTIME)
	$(GO) test ./bot/pginbox -run '^$$' -fuzz '^FuzzTextArray$$' -fuzztime $(FUZZTIME)

stop:
	$(SERVICES) down

# Empties the local database and conversations: the next make run starts from the demo catalog.
reset:
	$(SERVICES) reset

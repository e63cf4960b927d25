#!/usr/bin/env bash
# Starts a local PostgreSQL cluster and Redis server for orderbot, each with its data under
# .local/ (or $ORDERBOT_STATE_DIR), and prints the environment that points orderbot at them.
#
#   scripts/services.sh up      start both (idempotent) and print export lines
#   scripts/services.sh down    stop both
#   scripts/services.sh env     print the export lines only
#
# PostgreSQL comes from /usr/lib/postgresql/*/bin (or PATH); redis-server is installed with
# apt-get when it is missing and we are root.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${ORDERBOT_STATE_DIR:-$root/.local}
pg_port=${ORDERBOT_PG_PORT:-55432}
redis_port=${ORDERBOT_REDIS_PORT:-56379}
pgdata=$state/pg
redisdir=$state/redis

log() { printf 'services: %s\n' "$*" >&2; }

pg_bin() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] && { echo "$d"; return; }
	done
	command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return; }
	log "PostgreSQL server binaries not found: install postgresql (apt-get install -y postgresql)"
	exit 1
}

# as_pg runs a command as the postgres user when we are root (initdb refuses root).
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		su postgres -s /bin/bash -c "$(printf '%q ' "$@")"
	else
		"$@"
	fi
}

pg_up() {
	local bin; bin=$(pg_bin)
	mkdir -p "$state"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent postgres
		chmod o+rx "$state"
	fi
	if [ ! -s "$pgdata/PG_VERSION" ]; then
		mkdir -p "$pgdata"
		[ "$(id -u)" = 0 ] && chown postgres "$pgdata"
		log "initialising PostgreSQL cluster in $pgdata"
		as_pg "$bin/initdb" -D "$pgdata" -U orderbot --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
	fi
	if as_pg "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
		return
	fi
	log "starting PostgreSQL on port $pg_port"
	as_pg "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
		-o "-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${ORDERBOT_PG_FSYNC:-on}" start >/dev/null
	if ! "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U orderbot -d postgres -tAc "select 1 from pg_database where datname='orderbot'" | grep -q 1; then
		"$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U orderbot orderbot
	fi
}

redis_up() {
	if ! command -v redis-server >/dev/null 2>&1; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
			log "installing redis-server"
			(apt-get install -y -qq redis-server >/dev/null 2>&1) ||
				(apt-get update -qq >/dev/null && apt-get install -y -qq redis-server >/dev/null)
		else
			log "redis-server not found: install it (sudo apt-get install -y redis-server)"
			exit 1
		fi
	fi
	mkdir -p "$redisdir"
	if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
		return
	fi
	log "starting Redis on port $redis_port"
	redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redisdir" --daemonize yes \
		--pidfile "$redisdir/redis.pid" --logfile "$redisdir/redis.log" --save "" --appendonly no >/dev/null
	for _ in $(seq 50); do
		redis-cli -p "$redis_port" ping >/dev/null 2>&1 && return
		sleep 0.1
	done
	log "Redis did not start: see $redisdir/redis.log"
	exit 1
}

print_env() {
	echo "export ORDERBOT_DATABASE_URL='postgres://orderbot@127.0.0.1:$pg_port/orderbot?sslmode=disable'"
	echo "export ORDERBOT_REDIS_URL='redis://127.0.0.1:$redis_port/0'"
}

case "${1:-up}" in
up)
	pg_up
	redis_up
	print_env
	;;
down)
	bin=$(pg_bin)
	[ -s "$pgdata/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
	redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
	;;
env) print_env ;;
*)
	log "usage: $0 up|down|env"
	exit 2
	;;
esac

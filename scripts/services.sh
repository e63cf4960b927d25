#!/usr/bin/env bash
# Starts a local PostgreSQL cluster and Redis server for orderbot, each with its data under
# .local/ (or $ORDERBOT_STATE_DIR), and prints the environment that points orderbot at them.
#
#   scripts/services.sh up      start both (idempotent) and print export lines
#   scripts/services.sh down    stop both
#   scripts/services.sh env     print the export lines only
#   scripts/services.sh check   say whether the ports can be used, starting nothing
#   scripts/services.sh reset   empty the local database and orderbot's Redis keys (demo data)
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

# holder prints who listens on TCP port $1 of this machine ("redis-server (pid 123)"), or
# nothing when the port is free; "an unknown process" when the port answers but the process
# cannot be told.
holder() {
	local line
	if command -v ss >/dev/null 2>&1; then
		line=$(ss -Hltnp "sport = :$1" 2>/dev/null | head -n 1)
		[ -z "$line" ] && return 0
		if [[ $line =~ \(\(\"([^\"]+)\",pid=([0-9]+) ]]; then
			echo "${BASH_REMATCH[1]} (pid ${BASH_REMATCH[2]})"
		else
			echo "an unknown process"
		fi
		return 0
	fi
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && echo "an unknown process"
	return 0
}

# port_taken stops with a message naming the port, who holds it and the variable to move it.
port_taken() {
	log "port $1 is already taken by $2, so $3 cannot start there."
	log "Stop that process, or choose another port: $4=<free port> make run (and the same for make test)."
	exit 1
}

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

# pg_port_free stops with port_taken when something listens on PostgreSQL's port.
pg_port_free() {
	local who; who=$(holder "$pg_port")
	[ -n "$who" ] && port_taken "$pg_port" "$who" "PostgreSQL" ORDERBOT_PG_PORT
	return 0
}

# pg_running reports whether our own cluster runs.
pg_running() {
	local bin; bin=$(pg_bin)
	[ -s "$pgdata/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1
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
	pg_port_free
	log "starting PostgreSQL on port $pg_port"
	as_pg "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
		-o "-p $pg_port -k $pgdata -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=${ORDERBOT_PG_FSYNC:-on}" start >/dev/null
	if ! "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U orderbot -d postgres -tAc "select 1 from pg_database where datname='orderbot'" | grep -q 1; then
		"$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U orderbot orderbot
	fi
}

# redis_answers reports whether a Redis answers on its port (used; a warning when this script
# did not start it), and stops with port_taken when something else listens there.
redis_answers() {
	# Bounded: something that is not Redis may hold the port and never answer.
	if timeout 3 redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
		# Ours when the server's pid is the one our pidfile holds; another Redis is used, but
		# not silently: its data is not ours to reset.
		local pid; pid=$(timeout 3 redis-cli -p "$redis_port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')
		if [ "$pid" != "$(cat "$redisdir/redis.pid" 2>/dev/null)" ]; then
			log "warning: a Redis this script did not start answers on port $redis_port (pid ${pid:-unknown}); orderbot will use it."
			log "To run a Redis of our own instead: ORDERBOT_REDIS_PORT=<free port> make run"
		fi
		return 0
	fi
	local who; who=$(holder "$redis_port")
	[ -n "$who" ] && port_taken "$redis_port" "$who" "Redis" ORDERBOT_REDIS_PORT
	return 1
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
	redis_answers && return
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
	# Only the Redis this script started: another one on the port is not ours to stop.
	pid=$(redis-cli -p "$redis_port" info server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')
	if [ -n "$pid" ] && [ "$pid" = "$(cat "$redisdir/redis.pid" 2>/dev/null)" ]; then
		redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
	fi
	;;
env) print_env ;;
check)
	# What up would say about the ports, starting nothing.
	pg_running || pg_port_free
	redis_answers || true
	log "ports $pg_port (PostgreSQL) and $redis_port (Redis) can be used"
	;;
reset)
	pg_up
	redis_up
	bin=$(pg_bin)
	"$bin/dropdb" -h 127.0.0.1 -p "$pg_port" -U orderbot --if-exists --force orderbot
	"$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U orderbot orderbot
	prefix=${ORDERBOT_REDIS_PREFIX:-orderbot:}
	redis-cli -p "$redis_port" -n 0 --scan --pattern "$prefix*" | while read -r key; do
		redis-cli -p "$redis_port" -n 0 del "$key" >/dev/null
	done
	log "the local database and Redis keys ${prefix}* are empty: make run starts again with the demo catalog"
	;;
*)
	log "usage: $0 up|down|env|check|reset"
	exit 2
	;;
esac

#!/usr/bin/env bash
# `make test`: the suite on PostgreSQL + Redis (production mode; the slow tests too, the browser tests
# not) when both answer, then on SQLite (embedded mode, as `make run` serves the demo: the browser
# tests and all but the slow ones, which the first run has covered). So every test runs once at least
# and the database-bound ones on both databases; without PostgreSQL or Redis the SQLite run takes
# everything. Each run uses TEST_WORKERS pytest-xdist workers, one test database each, and says its
# wall time, test count and slowest tests. Exit status: non-zero if either run failed.
set -uo pipefail

PY=${PY:-.venv/bin/python}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432/anju}
REDIS_TEST_URL=${REDIS_TEST_URL:-redis://127.0.0.1:6379/0}
TEST_WORKERS=${TEST_WORKERS:-2}
PYTEST_ARGS=${PYTEST_ARGS:---durations=10}

summaries=()
failed=0

run() {  # run LABEL MARKEXPR ENV...
	local label=$1 marks=$2
	shift 2
	local log began ended seconds summary status
	log=$(mktemp)
	began=$(date +%s)
	echo "=== test run: $label ==="
	# shellcheck disable=SC2086  # PYTEST_ARGS is a list of words
	env "$@" "$PY" -m pytest -q -p no:cacheprovider -n "$TEST_WORKERS" --dist worksteal -m "$marks" $PYTEST_ARGS 2>&1 | tee "$log"
	status=${PIPESTATUS[0]}
	ended=$(date +%s)
	seconds=$((ended - began))
	summary=$(grep -E '^[=]* ?[0-9]+ (passed|failed)|^[=]* ?no tests ran' "$log" | tail -1 | sed -E 's/^=+ //; s/ =+$//')
	rm -f "$log"
	summaries+=("$label: ${summary:-no summary} — wall time $((seconds / 60)) min $((seconds % 60)) s")
	if [ "$status" -ne 0 ]; then failed=1; fi
}

total_began=$(date +%s)
if pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
	run "1/2 PostgreSQL + Redis (production mode: $PG_URL, $REDIS_TEST_URL; slow tests included, browser tests in run 2)" \
		"not browser" DATABASE_URL="$PG_URL" REDIS_URL="$REDIS_TEST_URL"
	sqlite_marks="browser or not slow"
else
	echo "=== PostgreSQL or Redis is not reachable: SKIPPING the PostgreSQL + Redis run (start them: see README; CI has both) ==="
	echo "    the SQLite run takes the slow tests too"
	sqlite_marks=""
fi
run "2/2 SQLite (embedded mode, Celery tasks in-process; browser tests${sqlite_marks:+; slow tests ran above})" "$sqlite_marks" \
	-u DATABASE_URL -u REDIS_URL
total=$(($(date +%s) - total_began))

echo "=== summary ==="
for line in "${summaries[@]}"; do echo "  $line"; done
echo "  both runs: $((total / 60)) min $((total % 60)) s"
if [ "$failed" -ne 0 ]; then
	echo "=== FAILED: see the runs above ==="
	exit 1
fi
echo "=== both runs passed ==="

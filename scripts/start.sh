#!/bin/sh
# How the service starts in production: the container image runs this (Dockerfile, compose.yaml)
# and tests/alliance/operations/test_start_up.py runs the same commands without the image.
#
#   scripts/start.sh migrate     bring the database up to date and load the reference data, then
#                                exit (run once per release, before the others start)
#   scripts/start.sh web         the web server (gunicorn; collects the static files first)
#   scripts/start.sh worker      a task worker (run as many as you like, on any machine)
#   scripts/start.sh scheduler   the scheduler (two or more at once are safe: each job once)
#   scripts/start.sh all         all of them in one process tree (`alliance serve`), for one machine
set -eu

alliance="${ALLIANCE_BIN:-alliance}"

migrate() {
  "$alliance" manage migrate --no-input
  "$alliance" load-reference --if-changed
}

case "${1:-all}" in
  migrate) migrate ;;
  web) exec "$alliance" web ;;
  worker) exec "$alliance" worker ;;
  scheduler) exec "$alliance" scheduler ;;
  all)
    migrate
    exec "$alliance" serve
    ;;
  *)
    echo "usage: $0 migrate|web|worker|scheduler|all" >&2
    exit 2
    ;;
esac

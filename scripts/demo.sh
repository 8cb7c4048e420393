#!/usr/bin/env bash
# The main job on the embedded default: install maild into .venv, create a SQLite database
# under ./demo, ingest the sample mails of tests/corpus/ and show the tickets, the queued
# acknowledgements and the quarantine. Nothing is sent (no SMTP server is needed).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/maild ] || { python3 -m venv .venv && .venv/bin/pip install -q --disable-pip-version-check .; }
mkdir -p demo
cat > demo/maild.toml <<'TOML'
[database]
url = "sqlite:///demo/maild.db"
[storage]
path = "demo/var"
[support]
address = "support@example.com"
name = "Example Support"
timezone = "Asia/Shanghai"
[agents]
addresses = ["alice@example.com"]
notify = ["team@example.com"]
TOML
maild() { .venv/bin/maild --config demo/maild.toml "$@"; }
maild check-config
maild db upgrade
maild ingest tests/corpus/*.eml
echo; echo "== tickets"; maild tickets list
echo; echo "== outbox (queued acknowledgements and notifications)"; maild outbox list
echo; echo "== quarantine"; maild quarantine list
first=$(maild tickets list --json | .venv/bin/python -c 'import json,sys; t=json.load(sys.stdin); print(t[-1]["number"] if t else "")')
[ -n "$first" ] && { echo; echo "== ticket #$first"; maild tickets show "$first"; }

#!/usr/bin/env bash
# The deployment's topology on one machine, loopback only, for trying it out and for bench/load_bench.py:
# one `chroma run` on 127.0.0.1:8000, the token proxy on 127.0.0.1:8001, N `copydesk serve` workers on
# 127.0.0.1:8081.. (N=${WORKERS:-2}). Ctrl-C stops them all.
#   COPYDESK_API_TOKEN=t COPYDESK_CHROMA_TOKEN=c WORKERS=2 deploy/run-local.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${COPYDESK_API_TOKEN:?set COPYDESK_API_TOKEN}" "${COPYDESK_CHROMA_TOKEN:?set COPYDESK_CHROMA_TOKEN}"
DATA=${DATA:-$PWD/.copydesk/deploy-local}
WORKERS=${WORKERS:-2}
PY=${PY:-.venv/bin/python}
mkdir -p "$DATA"
export ANONYMIZED_TELEMETRY=False
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
"$(dirname "$PY")/chroma" run --host 127.0.0.1 --port 8000 --path "$DATA/chroma" >"$DATA/chroma.log" 2>&1 & pids+=($!)
"$PY" -m app.api_chroma_proxy --listen 127.0.0.1:8001 --upstream http://127.0.0.1:8000 >"$DATA/proxy.log" 2>&1 & pids+=($!)
for i in $(seq 1 "$WORKERS"); do
  COPYDESK_CHROMA_URL=http://127.0.0.1:8001 COPYDESK_REVIEW_DB="$DATA/reviews.sqlite3" COPYDESK_JOBS_DIR="$DATA/jobs" \
    "$PY" -m app.cli serve --host 127.0.0.1 --port $((8080 + i)) >"$DATA/worker$i.log" 2>&1 & pids+=($!)
done
echo "chroma 127.0.0.1:8000 (loopback, behind the proxy 127.0.0.1:8001); workers on 127.0.0.1:8081..$((8080 + WORKERS)); logs in $DATA"
wait

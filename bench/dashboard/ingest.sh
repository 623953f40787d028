#!/usr/bin/env bash
# Measures the dashboard's Zipkin collector: batches of one 3-span trace per request, posted by wrk to a
# running AppHost, then the AppHost's resident memory once the store holds its full 10,000 traces.
# Usage: bench/dashboard/ingest.sh [dashboard-url] [seconds] [connections]
#   e.g. dotnet run --project AppHost &   # then, once it prints "Stack ready":
#        bench/dashboard/ingest.sh http://127.0.0.1:18888 10 4
set -euo pipefail
url="${1:-http://127.0.0.1:18888}"
seconds="${2:-10}"
connections="${3:-4}"
here="$(cd "$(dirname "$0")" && pwd)"
port="${url##*:}"
pid="$(ss -ltnpH "sport = :${port}" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
echo "AppHost pid ${pid}; resident memory before: $(rss)"
wrk -t 2 -c "${connections}" -d "${seconds}s" -s "${here}/zipkin-batch.lua" "${url}/api/v2/spans"
echo "resident memory after (store full at 10,000 traces of 3 spans): $(rss)"

#!/bin/sh
# Prints every deployment's health (circuit, success rate and p95 latency over the last 5 minutes, in flight,
# why disabled) every INTERVAL seconds until interrupted; --once prints it once.
#   usage: watch-health.sh [--once] [INTERVAL]
set -eu
. "$(dirname "$0")/_common.sh"
once=false
if [ "${1:-}" = "--once" ]; then once=true; shift; fi
interval=${1:-5}
while :; do
  echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  admin GET "/health?format=csv&columns=model,provider,circuit,requests_5m,success_rate,latency_p95_ms,in_flight,disabled_reason" |
    awk -F, 'NR == 1 { printf "%-20s %-14s %-10s %9s %8s %9s %9s  %s\n", "MODEL", "PROVIDER", "CIRCUIT", "REQUESTS", "SUCCESS", "P95_MS", "IN_FLIGHT", "DISABLED"; next }
      { reason = $8; for (i = 9; i <= NF; i++) reason = reason "," $i; gsub(/"/, "", reason)
        printf "%-20s %-14s %-10s %9d %8s %9s %9d  %s\n", $1, $2, $3, $4, ($5 == "" ? "-" : sprintf("%.1f%%", $5 * 100)), ($6 == "" ? "-" : $6), $7, (reason == "" ? "-" : reason) }'
  $once && break
  sleep "$interval"
done

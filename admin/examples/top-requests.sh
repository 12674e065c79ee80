#!/bin/sh
# Prints today's 10 most expensive requests (UTC day): when, model, provider, key, tokens, cost and request id.
#   usage: top-requests.sh
set -eu
. "$(dirname "$0")/_common.sh"
from=$(date -u +%Y-%m-%dT00:00:00Z)
admin GET "/requests?from=$from&order=cost&limit=10&format=csv&columns=created_at,model,provider,key_id,input_tokens,output_tokens,cost_usd,id" |
  awk -F, 'NR == 1 { printf "%-20s %-16s %-10s %-18s %8s %8s %10s  %s\n", "TIME", "MODEL", "PROVIDER", "KEY", "IN", "OUT", "COST_USD", "REQUEST"; next }
    { printf "%-20s %-16s %-10s %-18s %8d %8d %10.4f  %s\n", substr($1, 1, 19), $2, $3, ($4 == "" ? "-" : $4), $5, $6, $7, $8 }'

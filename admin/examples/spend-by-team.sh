#!/bin/sh
# Prints this month's spend by team (UTC, month start to now) as a table, highest first, with a total line.
#   usage: spend-by-team.sh
set -eu
. "$(dirname "$0")/_common.sh"
from=$(date -u +%Y-%m-01T00:00:00Z)
admin GET "/usage?group_by=team&from=$from&format=csv&columns=team_name,team,requests,cost_usd&limit=1000" |
  awk -F, 'NR == 1 { next }
    { name = $1 != "" ? $1 : ($2 != "" ? $2 : "(no team)"); rows[++n] = sprintf("%-24s %10d %12.2f", name, $3, $4); cost[n] = $4
      requests += $3; total += $4 }
    END {
      printf "%-24s %10s %12s\n", "TEAM", "REQUESTS", "COST_USD"
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (cost[j] > cost[i]) {
        t = rows[i]; rows[i] = rows[j]; rows[j] = t; t = cost[i]; cost[i] = cost[j]; cost[j] = t }
      for (i = 1; i <= n; i++) print rows[i]
      printf "%-24s %10d %12.2f\n", "TOTAL", requests, total }'

#!/bin/sh
# Creates a team (or uses the one with that name) and a virtual key in it with a budget, then prints the key's
# secret: it is shown only this once (the gateway keeps only its hash).
#   usage: create-team-and-key.sh TEAM KEY_NAME BUDGET_USD [daily|weekly|monthly|total]
#   e.g.   create-team-and-key.sh search search-prod 100 monthly
set -eu
. "$(dirname "$0")/_common.sh"
[ $# -ge 3 ] || { sed -n '4,5p' "$0" >&2; exit 2; }
period=${4:-monthly}
team=$(admin GET "/teams/$1" 2>/dev/null) || team=$(admin POST /teams "{\"name\":$(json_string "$1")}")
team_id=$(printf '%s' "$team" | json_field id)
key=$(admin POST /keys "{\"name\":$(json_string "$2"),\"team\":\"$team_id\",\"budget\":{\"limit_usd\":$3,\"period\":$(json_string "$period")}}")
echo "team:   $1 ($team_id)"
echo "key:    $2 ($(printf '%s' "$key" | json_field id)), budget $3 USD $period"
echo "secret: $(printf '%s' "$key" | json_field key)"

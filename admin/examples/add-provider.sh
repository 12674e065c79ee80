#!/bin/sh
# Adds a provider and prints it as the gateway stored it (its key only as the reference you gave).
#   usage: add-provider.sh NAME KIND [BASE_URL] [API_KEY_REF]
#   e.g.   add-provider.sh openai openai "" env:OPENAI_API_KEY
#          add-provider.sh local-llama ollama http://127.0.0.1:11434
set -eu
. "$(dirname "$0")/_common.sh"
[ $# -ge 2 ] || { sed -n '3,5p' "$0" >&2; exit 2; }
body="{\"name\":$(json_string "$1"),\"kind\":$(json_string "$2")"
[ -n "${3:-}" ] && body="$body,\"base_url\":$(json_string "$3")"
[ -n "${4:-}" ] && body="$body,\"api_key_ref\":$(json_string "$4")"
admin POST /providers "$body}"

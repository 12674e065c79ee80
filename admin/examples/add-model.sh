#!/bin/sh
# Adds a model (a public name clients send) on a provider with its prices in USD per million tokens, and
# prints it as stored.
#   usage: add-model.sh NAME PROVIDER UPSTREAM_MODEL INPUT_PER_MTOK OUTPUT_PER_MTOK
#   e.g.   add-model.sh gpt-4o openai gpt-4o-2024-08-06 2.50 10.00
set -eu
. "$(dirname "$0")/_common.sh"
[ $# -eq 5 ] || { sed -n '4,5p' "$0" >&2; exit 2; }
admin POST /models "{\"name\":$(json_string "$1"),\"provider\":$(json_string "$2"),\"upstream_model\":$(json_string "$3"),\"pricing\":{\"input_per_mtok\":$4,\"output_per_mtok\":$5}}"

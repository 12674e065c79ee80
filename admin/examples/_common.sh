# Shared by the example scripts: where the admin API is and how to call it. Only curl and a POSIX shell.
#   SWITCHYARD_ADMIN_URL    the admin listener (default http://127.0.0.1:8081)
#   SWITCHYARD_ADMIN_TOKEN  the admin token (required)

ADMIN_URL=${SWITCHYARD_ADMIN_URL:-http://127.0.0.1:8081}
if [ -z "${SWITCHYARD_ADMIN_TOKEN:-}" ]; then
  echo "set SWITCHYARD_ADMIN_TOKEN to the gateway's admin token" >&2
  exit 2
fi

# admin METHOD PATH [JSON-BODY]: prints the answer; fails (printing the API's error to stderr) on a 4xx/5xx.
admin() {
  _answer=$(curl -sS -w '\n%{http_code}' -X "$1" "$ADMIN_URL/admin/v1$2" \
    -H "Authorization: Bearer $SWITCHYARD_ADMIN_TOKEN" -H 'Content-Type: application/json' ${3:+--data "$3"}) || return 1
  _status=$(printf '%s\n' "$_answer" | tail -n 1)
  _body=$(printf '%s\n' "$_answer" | sed '$d')
  if [ "$_status" -ge 400 ]; then
    printf 'switchyard answered %s: %s\n' "$_status" "$_body" >&2
    return 1
  fi
  printf '%s\n' "$_body"
}

# json_string TEXT: TEXT as a JSON string literal (quotes and backslashes escaped).
json_string() {
  printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# json_field NAME: the first value of a field NAME in the JSON on standard input, for ids and keys (values
# without commas or braces); a jq-free stand-in for `jq -r .NAME`.
json_field() {
  tr ',{}' '\n\n\n' | sed -n "s/^ *\"$1\": *\"\{0,1\}\([^\"]*\)\"\{0,1\} *$/\1/p" | head -n 1
}

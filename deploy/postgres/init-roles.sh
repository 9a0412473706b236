#!/usr/bin/env bash
# Creates GoMart's two PostgreSQL roles and its schema (see roles.sql), with passwords from the
# environment or from files: GOMART_OWNER_PASSWORD(_FILE), GOMART_APP_PASSWORD(_FILE).
# Run as a superuser; psql connection settings come from the usual PG* variables.
set -euo pipefail
read_secret() { # read_secret NAME: the value of $NAME, or of the file named by ${NAME}_FILE
  local name=$1 file_var="${1}_FILE"
  if [ -n "${!name:-}" ]; then printf '%s' "${!name}"; elif [ -n "${!file_var:-}" ]; then tr -d '\n' < "${!file_var}"; else
    echo "$name or ${name}_FILE is required" >&2; exit 1; fi
}
owner=$(read_secret GOMART_OWNER_PASSWORD)
app=$(read_secret GOMART_APP_PASSWORD)
here=$(cd "$(dirname "$0")" && pwd)
psql -v ON_ERROR_STOP=1 -v owner_password="$owner" -v app_password="$app" -f "$here/roles.sql"

#!/usr/bin/env bash
# Run by the postgres image on first start (docker-entrypoint-initdb.d): GoMart's roles and schema.
set -euo pipefail
export PGUSER=${POSTGRES_USER:-postgres}
/docker-entrypoint-initdb.d/gomart/init-roles.sh

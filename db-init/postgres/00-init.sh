#!/usr/bin/env bash
# Creates the CDC role, the CRM and telemetry databases with their schemas, grants and
# publications. Runs as /docker-entrypoint-initdb.d/00-init.sh in the official postgres image
# (docker-compose.yaml), from bin/stack and from the integration tests (with their own names).
# Needs psql connecting as a superuser (PG* variables, or the image's defaults) and:
#   CDC_PG_PASSWORD                       password of the CDC role (required)
#   CDC_PG_USER=cdc_reader                the CDC role: LOGIN REPLICATION, SELECT only
#   CRM_DB=crm_db  TELEMETRY_DB=telemetry_db
#   CRM_PUBLICATION=bionicpro_crm_pub  TELEMETRY_PUBLICATION=bionicpro_telemetry_pub
#   DB_INIT_DIR=<this directory>          where crm_db.sql, telemetry_db.sql, cdc_access.sql are
set -euo pipefail
here="${DB_INIT_DIR:-$(cd "$(dirname "$0")" && pwd)}"
: "${CDC_PG_USER:=cdc_reader}"
: "${CDC_PG_PASSWORD:?CDC_PG_PASSWORD must be set}"
: "${CRM_DB:=crm_db}"
: "${TELEMETRY_DB:=telemetry_db}"
: "${CRM_PUBLICATION:=bionicpro_crm_pub}"
: "${TELEMETRY_PUBLICATION:=bionicpro_telemetry_pub}"
psql_admin() { psql -v ON_ERROR_STOP=1 -X -q "$@"; }

psql_admin -d postgres -v cdc_user="$CDC_PG_USER" -v cdc_password="$CDC_PG_PASSWORD" \
  -v crm_db="$CRM_DB" -v telemetry_db="$TELEMETRY_DB" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN REPLICATION', :'cdc_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'cdc_user') \gexec
ALTER ROLE :"cdc_user" WITH LOGIN REPLICATION PASSWORD :'cdc_password';
SELECT format('CREATE DATABASE %I', :'crm_db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'crm_db') \gexec
SELECT format('CREATE DATABASE %I', :'telemetry_db')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'telemetry_db') \gexec
SQL

# In the official image (PGDATA set), let the CDC role's replication connections in from the other
# containers; bin/stack writes its own pg_hba.conf line.
if [ -n "${PGDATA:-}" ] && [ -w "$PGDATA/pg_hba.conf" ] \
   && ! grep -q "^host replication $CDC_PG_USER " "$PGDATA/pg_hba.conf"; then
  echo "host replication $CDC_PG_USER all scram-sha-256" >>"$PGDATA/pg_hba.conf"
fi

psql_admin -d "$CRM_DB" -f "$here/crm_db.sql"
psql_admin -d "$CRM_DB" -v dbname="$CRM_DB" -v cdc_user="$CDC_PG_USER" -v publication="$CRM_PUBLICATION" \
  -v tables='public.users, public.prostheses, public.cdc_heartbeat' -f "$here/cdc_access.sql"
psql_admin -d "$TELEMETRY_DB" -f "$here/telemetry_db.sql"
psql_admin -d "$TELEMETRY_DB" -v dbname="$TELEMETRY_DB" -v cdc_user="$CDC_PG_USER" -v publication="$TELEMETRY_PUBLICATION" \
  -v tables='public.telemetry_data, public.cdc_heartbeat' -f "$here/cdc_access.sql"

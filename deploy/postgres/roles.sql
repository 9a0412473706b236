-- Two PostgreSQL roles for GoMart, least privilege:
--   gomart_owner  owns the schema and runs migrations (`gomart migrate`);
--   gomart_app    is what the shop connects as: reads and writes rows, no DDL.
-- Run as a superuser:  psql -v owner_password=... -v app_password=... -f deploy/postgres/roles.sql
\set ON_ERROR_STOP on

CREATE ROLE gomart_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE gomart_app LOGIN PASSWORD :'app_password';

CREATE SCHEMA gomart AUTHORIZATION gomart_owner;
REVOKE ALL ON SCHEMA gomart FROM PUBLIC;
GRANT USAGE ON SCHEMA gomart TO gomart_app;
-- Nobody but the owner creates objects, here or in public.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Tables and sequences the owner creates later (by migrations) are usable by the app.
ALTER DEFAULT PRIVILEGES FOR ROLE gomart_owner IN SCHEMA gomart
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gomart_app;
ALTER DEFAULT PRIVILEGES FOR ROLE gomart_owner IN SCHEMA gomart
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO gomart_app;

ALTER ROLE gomart_owner SET search_path = gomart;
ALTER ROLE gomart_app SET search_path = gomart;

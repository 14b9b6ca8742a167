#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded here.
# `prisma generate` only needs it to exist; migrate commands must fail loudly
# instead of silently doing nothing. Migrations are applied by scripts/migrate.ts.
if [ "$1" = "--version" ]; then echo "schema-engine-cli offline-stub"; exit 0; fi
echo "Prisma schema engine unavailable offline: use 'npm run db:migrate' (see docs/development.md)" >&2
exit 1

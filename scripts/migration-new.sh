#!/usr/bin/env bash
# Generate a new migration offline: diff prisma/schema.prisma against the schema
# of the last migration-producing commit (or empty) with Prisma 6's JS schema
# engine, and write prisma/migrations/<timestamp>_<name>/migration.sql.
#   usage: npm run db:migration:new -- <name> [--from <git-ref>]
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: migration-new.sh <name> [--from <git-ref>]}"; shift
from_ref="HEAD"
if [ "${1:-}" = "--from" ]; then from_ref="$2"; fi
tools=tools/prisma6
[ -d "$tools/node_modules/prisma" ] || (cd "$tools" && npm install --no-audit --no-fund >/dev/null)
# Prisma 6 wants `url = env(...)` in the datasource; Prisma 7 forbids it.
to_v6() { sed 's#^\(\s*provider\s*=\s*"postgresql"\)#\1\n  url = env("DATABASE_URL")#; s#provider\s*=\s*"prisma-client"#provider = "prisma-client-js"#; /moduleFormat/d; /output\s*=/d'; }
to_v6 < prisma/schema.prisma > "$tools/schema.prisma"
if ls prisma/migrations/*/migration.sql >/dev/null 2>&1 && git cat-file -e "$from_ref:prisma/schema.prisma" 2>/dev/null; then
  git show "$from_ref:prisma/schema.prisma" | to_v6 > "$tools/from.prisma"
  from=(--from-schema-datamodel from.prisma)
else
  from=(--from-empty)
fi
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export PRISMA_QUERY_ENGINE_LIBRARY=/bin/true PRISMA_SCHEMA_ENGINE_BINARY=/bin/true
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
sql=$(cd "$tools" && npx prisma migrate diff "${from[@]}" --to-schema-datamodel schema.prisma --script)
if ! grep -qv '^--' <<<"$sql" || [ -z "$(grep -v '^--' <<<"$sql" | tr -d '[:space:]')" ]; then echo "No schema changes." >&2; exit 1; fi
mkdir -p "$dir"; printf '%s\n' "$sql" > "$dir/migration.sql"
echo "Wrote $dir/migration.sql — review it, add anything Prisma cannot express (partial indexes), then run npm run db:migrate"

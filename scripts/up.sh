#!/usr/bin/env bash
# Quick start, step 1: bring the whole system up (see README.md).
#   npm run up               # foreground; Ctrl-C stops web and worker
#   npm run up -- --detach   # background; `npm run down` stops it
set -euo pipefail
cd "$(dirname "$0")/.."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error(`Conveyor needs Node.js >= 20.19 (found ${process.version}).`); process.exit(1); }'
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "› installing dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
exec node --import tsx scripts/up.ts "$@"

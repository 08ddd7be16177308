#!/usr/bin/env bash
# The README's first command, run the way a newcomer runs it: a fresh clone, no DATABASE_URL, nothing installed.
# Passes when /api/health and /api/edge/health answer 200 from the embedded PostgreSQL.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
dir=$(mktemp -d)
chmod 755 "$dir" # mktemp's folder is private; a real checkout's parents are not
port=${PORT:-3917}
git clone --quiet "$repo" "$dir/app"
cd "$dir/app"

# The command as the README gives it, with the bun version package.json's packageManager pins.
bun_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
env -u DATABASE_URL PORT="$port" setsid bash -c "npx -y bun@${bun_version} install && npx bun run dev" >"$dir/log" 2>&1 &
pid=$!
cleanup() {
  kill -INT -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for _ in $(seq 1 180); do
  if body=$(curl -fsS "http://127.0.0.1:$port/api/health" 2>/dev/null); then
    echo "fresh clone: /api/health answered: $body"
    edge=$(curl -fsS "http://127.0.0.1:$port/api/edge/health") || { echo "fresh clone: /api/edge/health failed" >&2; cat "$dir/log" >&2; exit 1; }
    echo "fresh clone: /api/edge/health answered: $edge"
    exit 0
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
echo "fresh clone: /api/health did not answer; the server's output:" >&2
cat "$dir/log" >&2
exit 1

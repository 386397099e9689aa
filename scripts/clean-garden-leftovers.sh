#!/usr/bin/env bash
# Removes what Garden servers that are no longer running left on this host:
# their containers' processes, overlay mounts, network namespaces, bridges
# (gbr-TAG), iptables chains (gTAG-*) and cgroups (garden-TAG). A Garden
# server cleans its own depot when it starts (and `garden -teardown` cleans
# it on demand); this script cleans every depot at once, e.g. after test
# runs that were killed. It refuses to run while a garden server runs.
set -u
if pgrep -x garden >/dev/null 2>&1; then
  echo "clean-garden-leftovers: a garden server is running; stop it first" >&2
  exit 1
fi

# Container processes: everything in a garden-TAG cgroup.
for cg in /sys/fs/cgroup/pids/garden-* /sys/fs/cgroup/unified/garden-*; do
  [ -d "$cg" ] || continue
  find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
done
sleep 0.5

# Overlay rootfs mounts of containers in any depot, deepest first.
mount | awk '$1 == "overlay" && $3 ~ /\/depot\/containers\// {print $3}' | sort -r | while read -r m; do
  umount -l "$m" 2>/dev/null
done

# Network namespaces named gTAG-*.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^g[0-9a-f]{6}-'); do
  ip netns delete "$ns" 2>/dev/null
done

# iptables: rules in built-in chains that jump to gTAG-* chains, then the chains.
for table in filter nat; do
  iptables -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j g[0-9a-f]{6}-' | sed 's/^-A/-D/' | while read -r rule; do
    eval iptables -t "$table" "$rule" 2>/dev/null
  done
  chains=$(iptables -t "$table" -S 2>/dev/null | awk '/^-N g[0-9a-f]{6}-/ {print $2}')
  for c in $chains; do iptables -t "$table" -F "$c" 2>/dev/null; done
  for c in $chains; do iptables -t "$table" -X "$c" 2>/dev/null; done
done

# Bridges and any veth left on them.
for br in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^gbr-[0-9a-f]{6}$'); do
  ip link delete "$br" 2>/dev/null
done

# cgroups garden-TAG in every hierarchy, deepest first.
for cg in /sys/fs/cgroup/*/garden-*; do
  [ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
done
exit 0

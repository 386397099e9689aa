#!/usr/bin/env bash
# Regenerates every *.pb.go under proto/ from the .proto files beside it, with
# the plugin versions pinned as tools in go.mod. Output is deterministic, so
# `make verify-generate` can detect drift.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || { echo "protoc missing: apt-get install protobuf-compiler" >&2; exit 1; }
plugdir=$(mktemp -d)
trap 'rm -rf "$plugdir"' EXIT
go build -o "$plugdir/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$plugdir/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc
for dir in $(find proto -name '*.proto' -printf '%h\n' | sort -u); do
  rm -f "$dir"/*.pb.go
  PATH="$plugdir:$PATH" protoc -I "$dir" \
    --go_out="$dir" --go_opt=paths=source_relative \
    --go-grpc_out="$dir" --go-grpc_opt=paths=source_relative \
    "$dir"/*.proto
done

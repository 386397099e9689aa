#!/usr/bin/env bash
# `make run`: a whole local Diego under .diego/ (see internal/localrun).
set -euo pipefail
cd "$(dirname "$0")/.."
exec ./bin/diego-local -state .diego -bin bin "$@"

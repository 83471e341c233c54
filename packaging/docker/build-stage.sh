#!/usr/bin/env bash
# The build step of packaging/docker/Dockerfile. CI runs this same script on
# the fixture upstream (tests/integration/test_docker_stage.py), so what the
# Dockerfile does and what CI tests are the same lines.
#
#   build-stage.sh <build dir> [-D<cache variable>=<value>...]
#
# Configures with the docker-rocky9-cu126 preset (extra -D arguments adjust
# it), builds, audits and stages every module, and writes the repaired wheels
# and their index to <build dir>/dist/<cell> (torch2.7.0-cu126). It installs nothing: the build stage
# is thrown away, and the runtime stage installs the wheels with pip.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 <build dir> [-DVAR=value...]" >&2
  exit 2
fi
build="$1"
shift
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cmake --preset docker-rocky9-cu126 -B "$build" "$@"
cmake --build "$build"
cmake --build "$build" --target wheels

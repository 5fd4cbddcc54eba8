#!/usr/bin/env bash
# Install step of the GitHub Action (action.yml): makes `locklint` available on PATH.
# INPUT_VERSION: a released version to install with cargo; empty: a locklint already on PATH,
# else the action's own checkout ($GITHUB_ACTION_PATH) built with cargo.
set -euo pipefail

if [ -n "${INPUT_VERSION:-}" ]; then
  echo "installing locklint ${INPUT_VERSION} with cargo"
  cargo install --locked locklint --version "${INPUT_VERSION}"
elif command -v locklint >/dev/null 2>&1; then
  echo "using $(command -v locklint) ($(locklint --version))"
else
  echo "building locklint from ${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
  cargo install --locked --path "${GITHUB_ACTION_PATH}"
fi

#!/usr/bin/env bash
# Run step of the GitHub Action (action.yml), also run by tests/action.rs with the GitHub
# environment simulated. Reads the INPUT_* variables action.yml sets and GitHub's own
# (GITHUB_BASE_REF, GITHUB_STEP_SUMMARY). Prints the annotations (`--format github`), appends
# the Markdown summary (capped) to $GITHUB_STEP_SUMMARY, and exits with locklint's code:
# 0 clean, 1 findings at or above fail-on, 2 usage/config/I/O error.
set -uo pipefail

args=(check)
# Paths: split on spaces and new lines (a path with spaces belongs in the config's `paths`).
if [ -n "${INPUT_PATHS:-}" ]; then
  read -r -d '' -a paths <<<"${INPUT_PATHS}" || true
  args+=("${paths[@]}")
fi
if [ -n "${INPUT_CONFIG:-}" ]; then
  args+=(--config "${INPUT_CONFIG}")
fi
if [ -n "${INPUT_FAIL_ON:-}" ]; then
  args+=(--fail-on "${INPUT_FAIL_ON}")
fi

base="${INPUT_BASE_REF:-}"
if [ -z "$base" ] && [ -n "${GITHUB_BASE_REF:-}" ]; then
  base="origin/${GITHUB_BASE_REF}"
  # actions/checkout fetches only the head by default: fetch the base branch if it is missing.
  if ! git rev-parse --verify --quiet "${base}^{commit}" >/dev/null; then
    git fetch --no-tags origin "+refs/heads/${GITHUB_BASE_REF}:refs/remotes/origin/${GITHUB_BASE_REF}" || true
  fi
fi
if [ -n "$base" ]; then
  args+=(--since "$base")
fi

locklint "${args[@]}" --format github
code=$?

if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  max="${INPUT_SUMMARY_MAX_CHARS:-65536}"
  if ! locklint "${args[@]}" --format markdown --markdown-max-chars "$max" >>"$GITHUB_STEP_SUMMARY"; then
    : # the exit code is the first run's; the summary is written either way
  fi
fi
exit "$code"

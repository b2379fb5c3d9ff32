#!/usr/bin/env bash
# The queue's bars (docs/benchmarks.md), each against a real redis-server
# on loopback started by the benchmark itself:
# - realised balance, static timing plan vs queue in the same run, N = 4, 8
#   (200 sleeping tests, log-normal noise sigma 0.3, fixed seed);
# - a lost worker: gw1 of 4 killed at half the expected makespan;
# - queue overhead: 10,000 units claimed and acknowledged by 8 workers;
# - seeding 100,000 units.
set -euo pipefail
cd "$(dirname "$0")/../.."
export XSHARD_REQUIRE_REDIS=1
go test ./internal/queue -run '^$' -bench 'Seed|ClaimAck' -benchtime 5x
go test ./internal/e2e -run '^$' -bench 'QueueBalance|QueueLostWorker' -benchtime "${BENCHTIME:-1x}" -v

"""Every benchmark in turn (``make bench``): in-process, HTTP, cohort, memory, version check, auth, photo face
check; then the figures against the targets."""
from __future__ import annotations

import argparse

from . import auth, cohort, common, inprocess, memory, photo_face, version_check
from . import http as http_bench


def verdicts(results: dict) -> list[str]:
    out = []
    f = results.get("inprocess", {}).get("figures")
    if f:
        out.append(f"in process: {f['durable_rules_decisions_per_s']} decisions/s per core (target >= 2000), "
                   f"{f['durable_rules_time_over_oracle_time']}x the oracle's time (target <= 2.5)")
    f = results.get("http", {}).get("figures")
    if f:
        paced = f.get("paced") or {}
        out.append(f"HTTP: {f['closed_loop_stored_per_s']} stored/s closed loop with {f['best_setting']}; "
                   f"at {paced.get('offered_per_s')}/s offered: {paced.get('stored_per_s')} stored/s, "
                   f"p99 {paced.get('latency_ms', {}).get('p99')} ms (target >= 600/s, p99 < 30 ms)")
    f = results.get("cohort", {}).get("figures")
    if f:
        out.append(f"cohort: {f['replayed']} replayed in {f['replay_wall_s']} s (target < 90 s), "
                   f"evaluated in {f['evaluate_wall_s']} s, peak RSS {f['peak_rss_mb']} MB")
    f = results.get("memory", {}).get("figures")
    if f:
        out.append(f"memory: +{f['growth_mb_per_100k']} MB per 100,000 evaluations (target < 20 MB)")
    f = results.get("version_check", {}).get("figures")
    if f:
        out.append(f"ruleset version check: {f['sync_unchanged_us']} us per request when nothing moved "
                   f"(a whole GET /v1/health: {f['health_request_us']} us)")
    f = results.get("auth", {}).get("figures")
    if f:
        out.append(f"credential check: +{f['added_us_per_request']} us per request over a bare token lookup")
    f = results.get("photo_face", {}).get("figures")
    if f:
        out.append(f"face check: {f['face_only_5400x7200_ms']} ms on a 5400x7200 portrait, "
                   f"{f['face_only_480x640_ms']} ms on 480x640")
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the scripts)")
    args = parser.parse_args(argv)
    results = {}
    if args.quick:
        results["inprocess"] = inprocess.run(300, 2)
        results["http"] = http_bench.run(["sync:2"], duration=5, rate=200)
        results["cohort"] = cohort.run(2000)
        results["memory"] = memory.run(5000, 1000)
        results["version_check"] = version_check.run(2000)
        results["auth"] = auth.run(2000, 2)
        results["photo_face"] = photo_face.run(2)
    else:
        results["inprocess"] = inprocess.run()
        results["http"] = http_bench.run(http_bench.SWEEP)
        results["cohort"] = cohort.run()
        results["memory"] = memory.run()
        results["version_check"] = version_check.run()
        results["auth"] = auth.run()
        results["photo_face"] = photo_face.run()
    print(f"== summary (load now {common.load()})")
    for line in verdicts(results):
        print("  " + line)


if __name__ == "__main__":
    main()

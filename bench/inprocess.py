"""In-process decisions per second: durable-rules (service.rules.decide.decide) vs the oracle.

Both evaluate the same precomputed Requests in one process (one core), in
interleaved rounds so that a load spike hits both; the figure per path is the
median round.  The breakdown shows where a durable-rules decision spends its
time: the allocation pass, the engine alone (RulesEngine.fire on precomputed
facts), and request validation (the marshmallow schema, paid per HTTP request).

    python -m bench.inprocess [--bodies 2000] [--rounds 5]
"""
from __future__ import annotations

import argparse
import gc
import statistics
import time

from service.decisions.schemas import EvaluationRequestSchema
from service.rules import compiler, oracle
from service.rules.allocate import allocate
from service.rules.decide import decide, plans_to_evaluate
from service.rules.engine import default_engine
from service.rules.inputs import canonical_input
from service.rules.loader import load_bundle

from . import common
from .transcripts import bodies, requests_of


def _rate(fn, items) -> float:
    gc.collect()
    start = time.perf_counter()
    for item in items:
        fn(item)
    return len(items) / (time.perf_counter() - start)


def run(n_bodies: int = 2000, rounds: int = 5) -> dict:
    started = common.machine()
    bundle = load_bundle(common.ROOT)
    engine = default_engine()
    bodies_ = bodies(bundle, n_bodies)
    reqs = requests_of(bundle, bodies_)

    # what the engine alone is given: one fact per (request, plan evaluated)
    fires, allocs = [], []
    for req in reqs:
        for plan in plans_to_evaluate(bundle, req):
            allocs.append((plan, req))
            alloc = allocate(bundle, plan, req)
            shape = compiler.shape_of(alloc)
            name = compiler.ruleset_name(bundle.version, shape)
            fact = compiler.fact_of(alloc, compiler.field_names(shape))
            fires.append((name, (lambda s=shape: compiler.compile_shape(s)), fact))
    schema = EvaluationRequestSchema()

    paths = {
        "durable_rules_decide": lambda r: decide(bundle, r, engine),
        "oracle_evaluate": lambda r: oracle.evaluate(bundle, r),
    }
    for req in reqs[:200]:  # warm up: compile every ruleset, fill caches
        for fn in paths.values():
            fn(req)
    rates: dict[str, list[float]] = {k: [] for k in paths}
    engine_rates, alloc_rates, schema_rates = [], [], []
    for _ in range(rounds):
        for key, fn in paths.items():
            rates[key].append(_rate(fn, reqs))
        engine_rates.append(_rate(lambda f: engine.fire(*f), fires))
        alloc_rates.append(_rate(lambda pr: allocate(bundle, pr[0], pr[1]), allocs))
        schema_rates.append(_rate(lambda b: canonical_input(schema.load(b)), bodies_[: max(200, n_bodies // 4)]))

    med = {k: statistics.median(v) for k, v in rates.items()}
    per_decision = len(fires) / len(reqs)
    figures = {
        "decisions": len(reqs),
        "plans_evaluated_per_decision": round(per_decision, 3),
        "durable_rules_decisions_per_s": round(med["durable_rules_decide"]),
        "oracle_decisions_per_s": round(med["oracle_evaluate"]),
        "durable_rules_time_over_oracle_time": round(med["oracle_evaluate"] / med["durable_rules_decide"], 2),
        "durable_rules_rounds": [round(x) for x in rates["durable_rules_decide"]],
        "oracle_rounds": [round(x) for x in rates["oracle_evaluate"]],
        "engine_fire_alone_per_s": round(statistics.median(engine_rates)),
        "allocate_alone_per_s": round(statistics.median(alloc_rates)),
        "schema_load_and_canonical_per_s": round(statistics.median(schema_rates)),
        "us_per_decision": {
            "total_durable_rules": round(1e6 / med["durable_rules_decide"], 1),
            "engine_fire": round(per_decision * 1e6 / statistics.median(engine_rates), 1),
            "allocate": round(per_decision * 1e6 / statistics.median(alloc_rates), 1),
            "oracle_total": round(1e6 / med["oracle_evaluate"], 1),
            "schema_load_per_request": round(1e6 / statistics.median(schema_rates), 1),
        },
        "targets": {"durable_rules_per_core_min": 2000, "max_ratio": 2.5},
    }
    return common.record("inprocess", figures, {"bodies": n_bodies, "rounds": rounds, "seed": 6}, started)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    run(args.bodies, args.rounds)


if __name__ == "__main__":
    main()

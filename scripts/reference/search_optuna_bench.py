#!/usr/bin/env python3
"""Optuna's samplers under the bench-search protocol, for comparison.

Protocol (same as Sources/bench-search/main.swift): for each sampler x function x
seed 0..19, 100 sequential trials; simple regret (best so far - known minimum)
after 25, 50 and 100 trials; median and IQR (numpy's linear percentiles).

Needs optuna (pip install optuna==5.0.0) and numpy. Usage:
    python3 scripts/reference/search_optuna_bench.py [--seeds 20] [--trials 100]
"""
import argparse
import math
import warnings

import numpy as np
import optuna

BRANIN_MIN = 0.397887
HARTMANN6_MIN = -3.32237
ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
     [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
     [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def hartmann6(trial):
    x = [trial.suggest_float(f"x{j + 1}", 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


SAMPLERS = {
    "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
    "qmc-halton": lambda seed: optuna.samplers.QMCSampler(qmc_type="halton", scramble=True, seed=seed),
    "tpe (v5 default)": lambda seed: optuna.samplers.TPESampler(seed=seed),
    "tpe independent": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=False),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--dump", default="", help="save per-seed regrets to <prefix>-<function>-<sampler>.txt")
    parser.add_argument("--only", default="", help="run only samplers whose name contains this")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    checkpoints = [c for c in (25, 50, 100) if c <= args.trials]
    print(f"optuna {optuna.__version__}: simple regret, median [IQR] over {args.seeds} seeds")
    for name, objective, minimum in (("branin", branin, BRANIN_MIN), ("hartmann6", hartmann6, HARTMANN6_MIN)):
        for sampler_name, make in SAMPLERS.items():
            if args.only not in sampler_name:
                continue
            regrets = []
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                study = optuna.create_study(sampler=make(seed))
                study.optimize(objective, n_trials=args.trials)
                best = np.minimum.accumulate([t.value for t in study.trials])
                regrets.append([best[c - 1] - minimum for c in checkpoints])
            regrets = np.array(regrets)
            cells = []
            for c in range(len(checkpoints)):
                q1, med, q3 = np.percentile(regrets[:, c], [25, 50, 75])
                cells.append(f"{med:.4f} [{q1:.4f}-{q3:.4f}]")
            print(f"| {name} | {sampler_name} | " + " | ".join(cells) + " |", flush=True)
            if args.dump:
                np.savetxt(f"{args.dump}-{name}-{sampler_name.split()[0]}.txt", regrets)


if __name__ == "__main__":
    main()

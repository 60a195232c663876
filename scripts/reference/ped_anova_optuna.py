"""Reference parameter importances from Optuna's PED-ANOVA, for Analysis/Importance.

Writes Tests/AnalysisTests/Fixtures/ped_anova_reference.json: seeded trials over a float,
a log float, an int and a categorical parameter (one case minimising, one maximising,
one with few trials), and Optuna's `get_param_importances(study,
evaluator=PedAnovaImportanceEvaluator())` for each. Rerun after an Optuna upgrade:
    python3 scripts/reference/ped_anova_optuna.py   (needs optuna and numpy)
"""
import json
import os

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.importance import PedAnovaImportanceEvaluator, get_param_importances

optuna.logging.set_verbosity(optuna.logging.ERROR)

SPACE = {
    "lr": FloatDistribution(1e-4, 1e-1, log=True),
    "mass": FloatDistribution(0.0, 0.3),
    "k": IntDistribution(1, 16),
    "arm": CategoricalDistribution(["baseline", "vpt", "uniform_topk"]),
}


def objective(p, rng):
    arm_effect = {"baseline": 0.0, "vpt": -0.3, "uniform_topk": 0.05}[p["arm"]]
    return (np.log10(p["lr"]) + 2.2) ** 2 + 0.1 * p["mass"] + 0.002 * (p["k"] - 8) ** 2 + arm_effect + 0.05 * rng.normal()


def case(name, n, direction, seed):
    rng = np.random.default_rng(seed)
    study = optuna.create_study(direction=direction)
    trials = []
    for _ in range(n):
        p = {
            "lr": float(10 ** rng.uniform(-4, -1)),
            "mass": float(rng.uniform(0, 0.3)),
            "k": int(rng.integers(1, 17)),
            "arm": str(rng.choice(["baseline", "vpt", "uniform_topk"])),
        }
        v = float(objective(p, rng))
        if direction == "maximize":
            v = -v
        study.add_trial(optuna.trial.create_trial(params=p, distributions=SPACE, value=v))
        trials.append({"params": p, "value": v})
    importances = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
    return {"name": name, "direction": direction, "trials": trials,
            "importances": {k: float(v) for k, v in importances.items()}}


out = {
    "optuna_version": optuna.__version__,
    "evaluator": "PedAnovaImportanceEvaluator() defaults: target_quantile 0.1, region_quantile 1.0, evaluate_on_local, 50 grid steps, prior weight 1",
    "parameters": [
        {"name": "lr", "kind": "float", "low": 1e-4, "high": 1e-1, "log": True},
        {"name": "mass", "kind": "float", "low": 0.0, "high": 0.3, "log": False},
        {"name": "k", "kind": "int", "low": 1, "high": 16},
        {"name": "arm", "kind": "categorical", "choices": ["baseline", "vpt", "uniform_topk"]},
    ],
    "cases": [case("minimise-200", 200, "minimize", 1), case("maximise-120", 120, "maximize", 2),
              case("minimise-25", 25, "minimize", 3)],
}
path = os.path.join(os.path.dirname(__file__), "../../Tests/AnalysisTests/Fixtures/ped_anova_reference.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote", os.path.normpath(path))
for c in out["cases"]:
    print(c["name"], c["importances"])

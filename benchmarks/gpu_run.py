"""What the recorded GPU run of the full profile measured, read from its records.

The full profile ran once on a GPU (gpu/full_profile.sh); its records carry
per-epoch times, wall times and how many jobs shared the device. This script
prints, from those records alone (no training):

- the replication runs, which ran alone: seconds per epoch, images/s and the
  total beside the seed paper's 1,002 s (CNN-3-128, 62 epochs) and 64 s (light
  model, 16 epochs);
- the staged loop's overhead on the full protocol: whole wall time over the
  time spent inside ``model.fit``;
- what sharing the device cost each job and gained in throughput: the same
  network at other seeds, trained while other jobs ran beside it.

    python benchmarks/gpu_run.py [--results-dir results]
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from _common import print_table

SEED_SECONDS = {"cnn_3_128": (62, 1002.0), "dsc_gap": (16, 64.0)}  # epochs, seconds in the seed's Table


def _epoch_seconds(record) -> list[float]:
    return [e["seconds"] for e in record.result["history"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results-dir", default="results")
    args = parser.parse_args()
    from fmnist_lib import profiles
    from fmnist_lib.experiments import registry
    from fmnist_lib.experiments.kinds import augmentation, network
    from fmnist_lib.settings import ENV_RESULTS_DIR
    from fmnist_lib.store import provenance, runstore

    os.environ[ENV_RESULTS_DIR] = str(Path(args.results_dir).resolve())

    cfg = profiles.load_profile("full")
    lone, shared = {}, {}
    for name in ("cnn_3_128", "dsc_gap"):
        lone[name] = runstore.load_record("full", name, network.network_config(cfg, name))
        shared[name] = [
            rec
            for seed in cfg["audit"]["seeds"]
            if seed != cfg["seed"]
            if (rec := runstore.load_record("full", name, network.network_config(registry.with_seed(cfg, seed), name)))
        ]
    if not all(lone.values()):
        raise SystemExit("no full-profile replication records: run gpu/full_profile.sh first (gpu/README.md)")
    prov = lone["cnn_3_128"].provenance
    print(
        f"records made on {provenance.hardware_summary(prov)}, keras {prov['versions'].get('keras')} on "
        f"{prov['keras_backend']} (jax {prov['versions'].get('jax', '-')}), commit {prov['git_commit'][:12]}, "
        f"{prov['date']}"
    )

    rows = []
    for name, rec in lone.items():
        per_epoch = _epoch_seconds(rec)
        steady = statistics.median(per_epoch[1:])
        images = rec.config["data"]["train_size"] or profiles.TRAIN_IMAGES
        epochs, seed_seconds = SEED_SECONDS[name]
        rows.append(
            {
                "model": name,
                "epochs": len(per_epoch),
                "first epoch (s, with compile)": round(per_epoch[0], 2),
                "median epoch (s)": round(steady, 3),
                "images/s": round(images / steady),
                "epochs timed by the seed": epochs,
                "ours (s)": round(sum(per_epoch[:epochs]), 1),
                "seed's (s)": seed_seconds,
                "seed / ours": round(seed_seconds / sum(per_epoch[:epochs]), 1),
            }
        )
    print("\nReplication runs, alone on the device (batch 128, float32 weights, Adam 1e-3):")
    print_table(rows)

    rows = []
    for name, rec in lone.items():
        history = rec.result["history"]
        fit = sum(e["seconds"] + e["validation_seconds"] for e in history)
        rows.append(
            {
                "model": name,
                "inside fit, incl. per-epoch validation (s)": round(fit, 1),
                "whole staged run (s)": round(rec.wall_seconds, 1),
                "ratio": round(rec.wall_seconds / fit, 3),
            }
        )
    print(
        "\nStaged loop overhead on the full protocol (stage scoring of test and training set,"
        " checkpoints, model load and save):"
    )
    print_table(rows)

    rows = []
    for name in lone:
        alone = statistics.median(_epoch_seconds(lone[name])[1:])
        for rec in shared[name]:
            jobs = rec.provenance.get("concurrent_jobs", 1)
            slower = statistics.median(_epoch_seconds(rec)[1:]) / alone
            rows.append(
                {
                    "model": name,
                    "seed": rec.config["seed"],
                    "jobs sharing": jobs,
                    "epoch time vs alone": round(slower, 2),
                    "throughput vs one job (if all slots busy)": round(jobs / slower, 1),
                }
            )
    if rows:
        print("\nThe same network at other seeds, trained beside other jobs:")
        print_table(rows)

    honest = runstore.load_record("full", "honest-augmentation", augmentation.honest_config(cfg))
    if honest:
        per_epoch = _epoch_seconds(honest)
        alone = statistics.median(_epoch_seconds(lone["cnn_3_128"])[1:])
        print(
            f"\nCNN-3-128 with the paper's augmenter on every batch ({honest.config['augmenter']}), "
            f"{honest.provenance.get('concurrent_jobs', 1)} jobs sharing the device: "
            f"epochs 2-{len(per_epoch)} took {min(per_epoch[1:]):.2f}-{max(per_epoch[1:]):.2f} s "
            f"(median {statistics.median(per_epoch[1:]):.2f} s; the plain network alone: {alone:.2f} s); "
            f"whole job {honest.wall_seconds:.0f} s"
        )


if __name__ == "__main__":
    main()

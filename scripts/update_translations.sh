#!/usr/bin/env bash
# Extract the extension's messages, merge them into the French catalogue and
# compile it. Translate new entries in ckanext/ocsregistry/i18n/fr/LC_MESSAGES/
# ckanext-ocsregistry.po, then run this again.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BABEL=${BABEL:-$ROOT/.stack/venv/bin/pybabel}
I18N=$ROOT/ckanext/ocsregistry/i18n
cd "$ROOT"
"$BABEL" extract -F scripts/babel.cfg -k _ -k ungettext:1,2 --no-location \
  -o "$I18N/ckanext-ocsregistry.pot" ckanext/ocsregistry
"$BABEL" update -i "$I18N/ckanext-ocsregistry.pot" -d "$I18N" -D ckanext-ocsregistry -l fr --no-fuzzy-matching
"$BABEL" compile -d "$I18N" -D ckanext-ocsregistry -l fr --statistics

#!/usr/bin/env bash
# Copies the NHS.UK frontend and Chart.js from npm packages into static/vendor/.
# Without npm the pages fall back to static/css/pcn-admin.css alone, so `make run` still works.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: pages will use the plain stylesheet (install Node.js for the NHS.UK look)."
  exit 0
fi
# Also installs the devDependencies: axe-core, which the accessibility browser test injects.
npm ci --no-audit --no-fund --silent
mkdir -p static/vendor/nhsuk static/vendor/chartjs
# With each file its source map, which it names: `collectstatic` in production (hashed names)
# fails on a reference to a file that is not there.
cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.{css,css.map,js,js.map} \
  static/vendor/nhsuk/
cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets static/vendor/nhsuk/
cp node_modules/chart.js/dist/chart.umd.min.{js,js.map} static/vendor/chartjs/
# Nothing may load from the internet at run time: drop the Frutiger @font-face rules, which
# fetch from assets.nhs.uk (the stylesheet falls back to Arial, as the NHS.UK frontend intends),
# and point the icons at the copy of the package's assets beside the stylesheet.
perl -pi -e 's/\@font-face\{[^}]*assets\.nhs\.uk[^}]*\}//g; s{url\(/assets/}{url(assets/}g' \
  static/vendor/nhsuk/nhsuk-frontend.min.css
if grep -q 'https://' static/vendor/nhsuk/nhsuk-frontend.min.css; then
  echo "static/vendor/nhsuk/nhsuk-frontend.min.css still loads something from the internet." >&2
  exit 1
fi
echo "Built static/vendor (nhsuk-frontend, chart.js)."

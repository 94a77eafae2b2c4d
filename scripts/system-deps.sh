#!/usr/bin/env bash
# Installs the Debian packages the tests need that a fresh machine lacks: Chromium for the
# Neo4j Browser end-to-end test, npm for the standard ontologies. Java 17 and Maven are expected on the machine (checked here).
set -euo pipefail
missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# npm fetches the W3C PROV-O and ORG ontologies (npm packages @vocabulary/prov, @vocabulary/org) for the
# reasoner test.
command -v npm >/dev/null || missing+=(npm)
# Fonts so that captions in screenshots are readable.
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

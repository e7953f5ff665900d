#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what the tests need, then runs pytest.
# As root it installs Debian's WordPress, PHP and MariaDB packages for the end-to-end tests;
# without them those tests skip with a reason (except under CI=true, where they fail).
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian packages of the end-to-end tests, one a line (comments say why each is there).
mapfile -t DEB_PACKAGES < <(grep -v '^#' tests/wordpress/debian-packages.txt | grep .)

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # policy-rc.d keeps the system MariaDB service from starting: the tests start their own.
        made_policy=
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
        fi
        apt-get install -y -qq "${missing[@]}" >/dev/null
        [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
    else
        echo "not root: end-to-end tests need Debian packages ${missing[*]}" >&2
    fi
fi

python3 -m pip install -q --disable-pip-version-check -e '.[test]'
exec python3 -m pytest "$@"

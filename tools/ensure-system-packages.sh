#!/usr/bin/env bash
# Install the Debian packages named on the command line when any is missing.
# Uses apt-get as root, or sudo without a password; otherwise says exactly what to run.
set -euo pipefail
missing=()
for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "oral-sim needs these system packages: ${missing[*]} (Debian names); install them with your package manager." >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    echo "oral-sim needs these system packages: ${missing[*]}" >&2
    echo "Install them once, then run make again:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
retries="-o Acquire::Retries=${APT_RETRIES:-3}"
$sudo apt-get $retries update -qq
$sudo apt-get $retries install -y -qq --no-install-recommends "${missing[@]}"

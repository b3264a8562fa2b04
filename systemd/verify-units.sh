#!/bin/sh
# Checks every unit in systemd/ with `systemd-analyze verify`, and every service with
# `systemd-analyze security --offline=true`, which must rate it 2.5 or lower. Skipped (exit 0)
# where systemd-analyze is not installed. ExecStart names the installed binary, which verify wants
# to exist: the check runs on copies that point at /bin/true instead.
set -eu
cd "$(dirname "$0")"
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "verify-units: systemd-analyze not found; skipped"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
units=$(ls *.service *.timer 2>/dev/null || true)
for unit in $units; do
    sed -e 's#/usr/local/bin/palimpsest#/bin/true#g' "$unit" > "$work/$unit"
done
status=0
for unit in $units; do
    # A template is checked as an instance, so its specifiers (%I) are resolved too.
    case "$unit" in
        *@.*) target=$(echo "$unit" | sed 's/@\./@1-2./') ;;
        *) target="./$unit" ;;
    esac
    if output=$(cd "$work" && systemd-analyze verify "$target" 2>&1) && [ -z "$output" ]; then
        echo "verify-units: $unit: systemd-analyze verify passed"
    else
        echo "verify-units: $unit: systemd-analyze verify failed:"
        echo "$output"
        status=1
    fi
done
for unit in $units; do
    case "$unit" in *.service) ;; *) continue ;; esac
    line=$(cd "$work" && systemd-analyze security --offline=true "./$unit" 2>&1 | grep 'Overall exposure level' || true)
    figure=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
    if [ -n "$figure" ] && awk "BEGIN { exit !($figure <= 2.5) }"; then
        echo "verify-units: $unit: systemd-analyze security: $figure (at most 2.5)"
    else
        echo "verify-units: $unit: systemd-analyze security rates it '${figure:-?}', above 2.5: $line"
        status=1
    fi
done
exit $status

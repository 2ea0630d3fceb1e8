#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a set time each.
#
#   scripts/fuzz.sh [DURATION] [REGEXP]
#
# DURATION is a Go duration per target (default 1m); REGEXP picks targets
# by name (default all). Inputs that fail are written by go test under the
# package's testdata/fuzz/<Target>/, where every later "go test" replays
# them: commit them with the fix as regression tests. The seeds come from
# the targets themselves, and from ../shared/corpus and ../shared/bugcases
# when they are there.
set -euo pipefail
cd "$(dirname "$0")/.."

dur=${1:-1m}
pick=${2:-.}

# "go test -list" prints each package's target names, then its "ok" line.
targets=()
names=()
while read -r line; do
	case "$line" in
	Fuzz*) names+=("$line") ;;
	ok*)
		pkg=$(awk '{print $2}' <<<"$line")
		for n in "${names[@]}"; do
			if grep -Eq -- "$pick" <<<"$n"; then targets+=("$pkg $n"); fi
		done
		names=()
		;;
	esac
done < <(go test -list '^Fuzz' ./... 2>/dev/null)

if [ ${#targets[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz target matches $pick" >&2
	exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets, $dur each"
failed=()
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	begin=$(date +%s)
	if out=$(go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$dur" 2>&1); then
		execs=$(grep -o 'execs: [0-9]*' <<<"$out" | tail -1 || true)
		echo "ok   $pkg $name $(( $(date +%s) - begin ))s ${execs}"
	else
		echo "FAIL $pkg $name"
		echo "$out" | grep -v '^fuzz: elapsed' | tail -20
		failed+=("$pkg $name")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: ${#failed[@]} targets failed: ${failed[*]}" >&2
	exit 1
fi

#!/usr/bin/env bash
# make test / make unit: the host tests given as arguments, then (unless
# WB_UNIT_ONLY=1) the QEMU integration tests, then one line:
#   summary: N passed, N failed, N skipped
#
# Arguments, told apart by name:
#   .../test_*  cmocka unit tests (TAP output). A crash, a non-zero exit or any
#               sanitizer report in the output fails the binary, even when it
#               exits 0.
#   .../fuzz_*  libFuzzer targets. Every file in tests/fuzz/corpus/<target>/
#               and tests/fuzz/regressions/<target>/ runs once; the target
#               counts as one test, passed or failed.
#
# Skips (docs/testing.md): every skipped test is named. CI runs as root with
# everything installed, so a skip not listed in tests/allowed-skips.txt counts
# as failed; WB_ALLOW_SKIPS=1 counts it as skipped instead (a developer's
# machine without root, say).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
passed=0 failed=0 skipped=0
allowlist=tests/allowed-skips.txt
skips=() # "id<TAB>reason", one per skipped test

# What ASan, UBSan, LSan (and any other sanitizer) print when they find something.
san_re='runtime error:|(ERROR|SUMMARY): [A-Za-z]*Sanitizer|LeakSanitizer'
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

units=() fuzzers=()
for b in "$@"; do
	case "$(basename "$b")" in
	fuzz_*) fuzzers+=("$b") ;;
	*) units+=("$b") ;;
	esac
done

# The sanitizer reports in $1, at most a few lines of them.
sanitizer_lines() {
	grep -E "$san_re" <<<"$1" | head -5
}

if [ "${#units[@]}" -gt 0 ]; then
	echo "== host unit tests"
fi
for t in "${units[@]}"; do
	name=$(basename "$t")
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$t" 2>&1)
	rc=$?
	# cmocka's TAP marks a skipped test "not ok N # SKIP <name>".
	p=$(grep '^ok ' <<<"$out" | grep -vc '# SKIP')
	s=$(grep -Ec '^(not )?ok .*# SKIP' <<<"$out")
	f=$(grep '^not ok ' <<<"$out" | grep -vc '# SKIP')
	san=$(sanitizer_lines "$out")
	why=""
	# A crash, an abort (UBSan with -fno-sanitize-recover) or a sanitizer
	# report with no failing test line is still a failure.
	if [ -n "$san" ] && [ "$rc" -eq 0 ]; then
		why=" (sanitizer report, exit status 0)"
	elif [ -n "$san" ]; then
		why=" (sanitizer report, exit status $rc)"
	elif [ "$rc" -ne 0 ]; then
		why=" (exit status $rc)"
	fi
	if [ -n "$why" ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -ne 0 ]; then echo "$out"; fi
	while IFS= read -r line; do
		skips+=("tests/unit/$name.c::${line##*# SKIP }"$'\t'"cmocka skip()")
	done < <(grep -E '^(not )?ok .*# SKIP' <<<"$out" | sed -E 's/ *$//')
	printf '%-28s %3d passed, %d failed, %d skipped%s\n' "$name" "$p" "$f" "$s" "$why"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
done

# Each fuzz target runs every seed and regression input once, as individual
# files; a failure names the input it stopped at. Whatever libFuzzer writes
# goes to build/fuzz/replay/, never into the tree.
if [ "${#fuzzers[@]}" -gt 0 ]; then
	echo "== fuzz targets: every seed and regression input, once"
	mkdir -p build/fuzz/replay
	fuzz_start=$SECONDS
fi
for b in "${fuzzers[@]}"; do
	name=$(basename "$b")
	seeds=() regs=()
	if [ -d "tests/fuzz/corpus/$name" ]; then
		mapfile -d '' -t seeds < <(find "tests/fuzz/corpus/$name" -type f -print0 | sort -z)
	fi
	if [ -d "tests/fuzz/regressions/$name" ]; then
		mapfile -d '' -t regs < <(find "tests/fuzz/regressions/$name" -type f -print0 | sort -z)
	fi
	args=(-timeout=10 -rss_limit_mb=2048 "-artifact_prefix=build/fuzz/replay/$name-")
	if [ $((${#seeds[@]} + ${#regs[@]})) -eq 0 ]; then
		# No inputs yet: -runs=0 on an empty corpus still runs the empty input.
		empty=$(mktemp -d)
		out=$("$b" "${args[@]}" -runs=0 "$empty" 2>&1)
		rc=$?
		rmdir "$empty"
		what="no seeds, no regressions: the empty input only"
	else
		out=$("$b" "${args[@]}" "${seeds[@]}" "${regs[@]}" 2>&1)
		rc=$?
		what="${#seeds[@]} seeds, ${#regs[@]} regressions"
	fi
	san=$(sanitizer_lines "$out")
	if [ "$rc" -eq 0 ] && [ -z "$san" ]; then
		printf '%-28s passed (%s)\n' "$name" "$what"
		passed=$((passed + 1))
	else
		tail -n 60 <<<"$out"
		last=$(grep '^Running: ' <<<"$out" | tail -n 1)
		printf '%-28s FAILED (%s; exit status %d%s)%s\n' "$name" "$what" "$rc" \
			"$([ -n "$san" ] && echo ", sanitizer report")" "${last:+ at ${last#Running: }}"
		failed=$((failed + 1))
	fi
done
if [ "${#fuzzers[@]}" -gt 0 ]; then
	echo "fuzz replay: $((SECONDS - fuzz_start)) s"
fi

if [ "${WB_UNIT_ONLY:-0}" != 1 ]; then
	echo "== QEMU integration tests"
	junit="$top/build/pytest.xml"
	# test-env/conftest.py writes "nodeid<TAB>reason" here for each skip.
	export WB_SKIPS_FILE="$top/build/pytest-skips.txt"
	rm -f "$junit" "$WB_SKIPS_FILE"
	/usr/bin/python3 -m pytest test-env -q -rfEsx -p no:cacheprovider --junitxml="$junit"
	rc=$?
	tf=0
	if [ -f "$junit" ]; then
		read -r tp tf ts < <(/usr/bin/python3 - "$junit" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
s = sum(int(s.get("skipped", 0)) for s in suites)
print(t - f - s, f, s)
PY
)
		passed=$((passed + tp)) failed=$((failed + tf)) skipped=$((skipped + ts))
		named=0
		if [ -f "$WB_SKIPS_FILE" ]; then
			mapfile -t lines <"$WB_SKIPS_FILE"
			skips+=("${lines[@]}")
			named=${#lines[@]}
		fi
		# A skip the hook did not name still counts, under a name that says so.
		for ((i = named; i < ts; i++)); do
			skips+=("test-env (a skip conftest.py did not name)"$'\t'"unknown")
		done
	fi
	# pytest ran nothing or died before writing results: count it as a failure.
	if [ "$rc" -ne 0 ] && { [ ! -f "$junit" ] || [ "$tf" -eq 0 ]; }; then
		failed=$((failed + 1))
	fi
fi

# The skip policy: name every skip; one not in the allowlist is a failure.
allowed() {
	[ -f "$allowlist" ] &&
		sed -E -e 's/^[[:space:]]+//' -e '/^#/d' -e 's/[[:space:]]+#.*$//' -e 's/[[:space:]]+$//' \
			"$allowlist" | grep -qxF -- "$1"
}
if [ "${#skips[@]}" -gt 0 ]; then
	echo "== skipped tests"
fi
for entry in "${skips[@]}"; do
	id=${entry%%$'\t'*}
	why=${entry#*$'\t'}
	if allowed "$id"; then
		echo "SKIP (allowed by $allowlist) $id: $why"
	elif [ "${WB_ALLOW_SKIPS:-0}" = 1 ]; then
		echo "SKIP (WB_ALLOW_SKIPS=1) $id: $why"
	else
		echo "SKIP NOT ALLOWED, counted as failed: $id: $why"
		skipped=$((skipped - 1)) failed=$((failed + 1))
	fi
done

echo "summary: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/bin/sh
# fuzz_replay.sh - QUALITY.md R3 in every `make check`: replay the fuzz
# corpora (tests/fuzz/corpus, coverage-minimised from `make fuzz` runs) and
# every fixture in tests/data through the fuzz targets, built as plain
# programs, so the normal and the sanitizer builds both meet them.  A target
# aborts on any broken invariant; the sanitizer build also on memory errors.
. "$(dirname "$0")/../lib.sh"
: "${FUZZ:?FUZZ must point at the built fuzz targets}"
for t in fuzz_csv fuzz_import fuzz_bundle; do
	# every file of the corpus and of tests/data, none left out unread
	want=$(find "tests/fuzz/corpus/$t" tests/data -type f ! -name '.*' | wc -l)
	if "$FUZZ/$t" "tests/fuzz/corpus/$t" tests/data >"$T/out" 2>"$T/err"; then
		n=$(sed -n 's/.*replayed \([0-9]*\) inputs.*/\1/p' "$T/out")
		check "$t replayed all $want inputs of its corpus and tests/data (got ${n:-none})" [ "${n:-0}" = "$want" ]
		check "$t: a corpus of at least 20 of its own" [ "$(find "tests/fuzz/corpus/$t" -type f | wc -l)" -ge 20 ]
	else
		fail "$t failed on its corpus"
	fi
done
finish

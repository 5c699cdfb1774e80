#!/bin/sh
# screen-demo.sh BULU [DIR]: a demo station for the station screen, served.
# Makes DIR (default a new temporary directory) with a cashier station OPD1:
# the fixture catalog, invoice books (a real one and a drill one), an open drill episode and operators
# 张丽 (cashier), 刘洋 (nurse), 周敏 (pharmacist), 吴刚 (lab), each with PIN
# 1234; then runs `bulu station serve` on 127.0.0.1:8787 until Ctrl-C.
set -eu
BULU=$1
DIR=${2:-$(mktemp -d "${TMPDIR:-/tmp}/bulu-screen.XXXXXX")}
ST=$DIR/OPD1
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$ST/journal.db" ]; then
	"$BULU" station init --station OPD1 --dept 门诊收费 --role cashier --tz +08:00 --dir "$ST" >/dev/null 2>&1
	"$BULU" catalog load --dir "$ST" "$here/tests/data/screen-catalog.csv" >/dev/null
	"$BULU" invoice add-book --dir "$ST" --from 00120001 --to 00120999 >/dev/null
	"$BULU" invoice add-book --dir "$ST" --drill --from 90120001 --to 90120999 >/dev/null
	"$BULU" outage start --drill --dir "$ST" >/dev/null
	printf '1234\n' >"$DIR/pin"
	for op in 张丽:cashier 刘洋:nurse 周敏:pharmacist 吴刚:lab; do
		"$BULU" operator add --dir "$ST" --name "${op%%:*}" --role "${op#*:}" \
			--pin-file "$DIR/pin" --operator it >/dev/null
	done
	rm -f "$DIR/pin"
fi
echo "demo station: $ST (a drill; sign in as 张丽, 刘洋, 周敏 or 吴刚, PIN 1234)"
exec "$BULU" station serve --dir "$ST" --listen "${LISTEN:-127.0.0.1:8787}"

#!/bin/sh
# embed.sh NAME FILE: print a C file defining `const char NAME[]` holding FILE.
# embed.sh --assets FILE...: print a C file defining the table of the station
# screen's assets, `const http_asset web_assets[]` and `web_nassets`, each
# FILE served at /BASENAME with a Content-Type from its extension.
set -eu
text() {
	printf '""\n'
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"
}
if [ "$1" != --assets ]; then
	name=$1 file=$2
	printf '/* generated from %s by scripts/embed.sh; do not edit */\n' "$file"
	printf 'const char %s[] =\n' "$name"
	text "$file"
	printf ';\n'
	exit 0
fi
shift
printf '/* generated from web/assets/ by scripts/embed.sh; do not edit */\n'
printf '#include "bulu/http.h"\n'
i=0
for f in "$@"; do
	printf 'static const char asset_%d[] =\n' "$i"
	text "$f"
	printf ';\n'
	i=$((i + 1))
done
printf 'const http_asset web_assets[] = {\n'
i=0
for f in "$@"; do
	case $f in
	*.html) t='text/html; charset=utf-8' ;;
	*.js) t='text/javascript; charset=utf-8' ;;
	*.css) t='text/css; charset=utf-8' ;;
	*) t='application/octet-stream' ;;
	esac
	printf '\t{"/%s", "%s", asset_%d, sizeof asset_%d - 1},\n' "$(basename "$f")" "$t" "$i" "$i"
	i=$((i + 1))
done
printf '};\nconst size_t web_nassets = %d;\n' "$i"

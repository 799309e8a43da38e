#!/usr/bin/env bash
# Packages the stream Lambda: package.sh BOOTSTRAP ZIP
#
# The zip holds `bootstrap` (the custom runtime, executable) and lib/ with
# every shared library it loads except glibc's own (Lambda's provided.al2023
# has glibc 2.34 but not jansson, libcurl's dependencies, ...). The program
# finds them through its RPATH $ORIGIN/lib (set by src/lambda/CMakeLists.txt).
# Fails when a file needs a glibc symbol newer than al2023's 2.34, since
# such a zip would not start there. Set CRUDDUR_LAMBDA_NO_STRIP=1 to keep
# debug symbols.
set -euo pipefail

bootstrap=${1:?usage: package.sh BOOTSTRAP ZIP}
zip=${2:?usage: package.sh BOOTSTRAP ZIP}
max_glibc=2.34

die() { echo "package.sh: $*" >&2; exit 1; }
[ -x "$bootstrap" ] || die "$bootstrap is not an executable"
readelf -d "$bootstrap" | grep -q 'Library rpath: \[\$ORIGIN/lib\]' ||
    die "$bootstrap has no RPATH \$ORIGIN/lib (built by src/lambda/CMakeLists.txt?)"

zip_dir=$(cd "$(dirname "$zip")" && pwd)
stage=$(mktemp -d "$zip_dir/.package.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/lib"
cp "$bootstrap" "$stage/bootstrap"
chmod 755 "$stage/bootstrap"
if [ "${CRUDDUR_LAMBDA_NO_STRIP:-0}" != 1 ] && command -v strip >/dev/null; then
    strip --strip-unneeded "$stage/bootstrap"
fi

# glibc's libraries stay out: the loader and libc must match each other and
# Lambda's own. Everything else ldd resolves is copied under its soname.
is_glibc() {
    case "$1" in
        ld-linux*|libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|\
        libutil.so.*|libanl.so.*|libnsl.so.*|libnss_*|libBrokenLocale.so.*|libmvec.so.*) return 0 ;;
    esac
    return 1
}
while read -r name arrow path _; do
    [ "$arrow" = "=>" ] || continue
    [ "$path" != "not" ] || die "$bootstrap needs $name, which is not installed"
    is_glibc "$name" && continue
    cp -L "$path" "$stage/lib/$name"
    chmod 644 "$stage/lib/$name"
done < <(ldd "$bootstrap")

# The newest glibc symbol version any file asks for.
newest=$(for f in "$stage/bootstrap" "$stage"/lib/*; do
             objdump -T "$f" | awk '/\*UND\*/' | grep -o 'GLIBC_2\.[0-9.]*' || true
         done | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -1)
if [ -n "$newest" ] &&
    [ "$(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)" != "$max_glibc" ]; then
    for f in "$stage/bootstrap" "$stage"/lib/*; do
        case "$(objdump -T "$f" | awk '/\*UND\*/')" in
            *"GLIBC_$newest "*|*"GLIBC_$newest)"*) echo "  $(basename "$f")" >&2 ;;
        esac
    done
    die "these files need glibc $newest, newer than provided.al2023's $max_glibc"
fi

rm -f "$zip"
# Files in a fixed order (mtimes fixed too; libarchive still records ctimes).
(cd "$stage" && LC_ALL=C ls -d lib/* | LC_ALL=C sort >files && echo bootstrap >>files &&
    cmake -E tar cf "$zip" --format=zip --mtime="2024-01-01 00:00:00 UTC" --files-from=files)
echo "package.sh: $zip ($(ls "$stage/lib" | wc -l) libraries in lib/, glibc >= ${newest:-any})"

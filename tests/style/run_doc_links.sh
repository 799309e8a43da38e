#!/usr/bin/env bash
# Docs check: every image and every relative link in README.md and docs/*.md
# names a file that is in the repository (tracked by git, so a screenshot
# that exists only on the author's disk counts as missing), so the README
# never shows a broken picture or sends a reader nowhere.
set -uo pipefail
cd "${CRUDDUR_SRC:-$(dirname "$0")/../..}" || exit 1
tracked() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        [ -n "$(git ls-files -- "$1")" ]
    else
        [ -e "$1" ]
    fi
}
bad=0 n=0
for doc in README.md docs/*.md; do
    [ -f "$doc" ] || continue
    dir=$(dirname "$doc")
    # ](target) and ](target "title"): markdown links and images.
    while IFS= read -r target; do
        case $target in http://* | https://* | mailto:* | '#'*) continue ;; esac
        path=${target%%#*}
        [ -n "$path" ] || continue
        n=$((n + 1))
        if [ "$dir" = . ]; then full=$path; else full=$dir/$path; fi
        if ! tracked "$full"; then
            echo "$doc: broken link or missing image: $target"
            bad=1
        fi
    done < <(grep -oE '\]\([^) ]+' "$doc" | sed 's/^](//')
done
[ "$n" -gt 0 ] || { echo "doc links: no links found (the check is broken)"; exit 1; }
[ $bad -eq 0 ] && echo "doc links: all $n relative links and images resolve"
exit $bad

#!/usr/bin/env bash
# The unity build (COHORT_UNITY_BUILD) compiles several sources as one: two sources' helpers of
# the same name (each in its anonymous namespace) become overloads of each other there, and a
# call may pick the other source's without a word. This lists every function name defined at
# namespace scope in more than one test source, or in more than one source of a library layer
# (names the public headers declare are the library's own overloads, and allowed), and fails if
# there is one.
#   unity_names.sh SOURCE_DIR
set -euo pipefail
cd "$1"

# The names of the functions a source defines at the start of a line (its namespace scope).
defined() {
  grep -oP '^(?=[A-Za-z_])(?!(?:return|else|if|for|while|switch|case|BOOST_\w*|CO_TEST\w*)\b)(?:\[\[noreturn\]\] |static |inline |constexpr |template *<[^>]*> *)*[\w:<>,*& ]+?[ *&]\K\w+(?= *\((?:[^;]*$|.*\{))' "$1" |
    sort -u || true
}

# Reads "group source" lines; prints "group name: sources" for each name in two sources of a group.
shared() {
  while read -r group src; do
    defined "$src" | sed "s|^|$group |; s|\$| $src|"
  done | awk '{k = $1 " " $2; n[k]++; where[k] = where[k] " " $3}
              END {for (k in n) if (n[k] > 1) print k ":" where[k]}' | sort
}

found=$(
  {
    for src in tests/*/*.cpp; do
      case $src in tests/bench/* | tests/fuzz/* | tests/cmake/* | tests/support/*) continue ;; esac
      echo "tests $src"
    done | shared
    for layer in src/*/; do
      for src in "$layer"*.cpp; do echo "$(basename "$layer") $src"; done
    done | shared | while read -r group name rest; do
      grep -rqP -- "^(?!\\s*(//|\\*|/\\*)).*\\b${name%:} *\\(" include/cohort || echo "$group $name $rest"
    done
  }
)
if [[ -n $found ]]; then
  echo "unity_names.sh: these names are defined in more than one source of a unit; give each its own:" >&2
  echo "$found" >&2
  exit 1
fi
echo "unity_names.sh: no function name defined twice in the test sources or in a layer"

#!/usr/bin/env bash
# tools/format.sh — applies .clang-format to every C and C++ file of the repository, or, with
# --check, lists the files that drift from it and fails. The format is clang-format 14's (Debian
# 12); another major version formats some constructs differently, so --check skips (exit 77)
# rather than fail under one.
#
#   bash tools/format.sh            # rewrite in place (make format)
#   bash tools/format.sh --check    # the FormatCheck test
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
check=false
[ "${1:-}" = --check ] && check=true
if ! command -v "$CLANG_FORMAT" >/dev/null; then
  echo "format: $CLANG_FORMAT not found (apt-get install clang-format)" >&2
  $check && exit 77 || exit 1
fi
major=$("$CLANG_FORMAT" --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
if [ "$major" != 14 ] && $check; then
  echo "format: clang-format $major is not the 14 the format is defined with; not checking" >&2
  exit 77
fi
dirs=(include src tools tests bench bindings/python/src examples)
if [ -d .git ] || git rev-parse --git-dir >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- "${dirs[@]}" | grep -E '\.(c|cc|cpp|h|hpp)$')
else
  mapfile -t files < <(find "${dirs[@]}" -type f \( -name '*.c' -o -name '*.cpp' -o -name '*.h' -o -name '*.hpp' \))
fi
if $check; then
  bad=()
  for f in "${files[@]}"; do
    "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format: ${#bad[@]} file(s) differ from .clang-format (run: make format):" >&2
    printf '  %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files follow .clang-format"
else
  "$CLANG_FORMAT" -i "${files[@]}"
fi

#!/bin/sh
# Installs Cutover from this unpacked tarball: the binary, its desktop entry, plan file type, icons,
# shell completions and manual pages. Records what it wrote, so --uninstall removes exactly that.
#
# Usage: ./install.sh [--prefix DIR] [--uninstall]
#   default prefix: /usr/local when run as root, else ~/.local (make sure ~/.local/bin is on PATH)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -eq 0 ]; then prefix=/usr/local; else prefix=${HOME:?}/.local; fi
uninstall=
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
manifest=$prefix/share/cutover/install-manifest

refresh_caches() {
  # Each is optional: a desktop without them still finds the files at its next start.
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$prefix/share/applications" || true
  fi
  if command -v update-mime-database >/dev/null 2>&1; then
    update-mime-database "$prefix/share/mime" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1; then
    gtk-update-icon-cache -q -t "$prefix/share/icons/hicolor" || true
  fi
}

if [ -n "$uninstall" ]; then
  [ -f "$manifest" ] || { echo "install.sh: nothing recorded at $manifest" >&2; exit 1; }
  while IFS= read -r file; do rm -f "$prefix/$file"; done <"$manifest"
  rm -f "$manifest"
  rmdir "$prefix/share/cutover" 2>/dev/null || true
  refresh_caches
  echo "Cutover removed from $prefix"
  exit 0
fi

mkdir -p "$prefix/share/cutover"
: >"$manifest.new"
cd "$here"
find bin share -type f | sort | while IFS= read -r file; do
  mode=644
  case $file in bin/*) mode=755 ;; esac
  mkdir -p "$prefix/$(dirname "$file")"
  # Copy then rename, so a running cutover or an interrupted install never leaves half a file.
  cp "$file" "$prefix/$file.new.$$"
  chmod "$mode" "$prefix/$file.new.$$"
  mv -f "$prefix/$file.new.$$" "$prefix/$file"
  echo "$file" >>"$manifest.new"
done
mv -f "$manifest.new" "$manifest"
refresh_caches
echo "Cutover installed into $prefix (run: $prefix/bin/cutover --help)"

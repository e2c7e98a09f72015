#!/bin/sh
# Install this Touchbase for the current user: the program, its menu entry, icons and
# AppStream metainfo. Run from the built folder (make package copies it there):
#
#   ./install.sh              installs under ~/.local
#   PREFIX=/opt/x ./install.sh
#   ./install.sh --uninstall  removes what it installed (your database stays where it is)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
id=app.touchbase.Touchbase
sizes="16 22 24 32 48 64 128 256 512"
program_dir="$prefix/lib/touchbase"
applications="$prefix/share/applications"
icons="$prefix/share/icons/hicolor"

refresh() {
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1; then
        gtk-update-icon-cache -q -t "$icons" || true
    fi
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$program_dir"
    rm -f "$prefix/bin/touchbase" "$applications/$id.desktop" \
        "$prefix/share/metainfo/$id.metainfo.xml" "$icons/scalable/apps/$id.svg"
    for size in $sizes; do
        rm -f "$icons/${size}x${size}/apps/$id.png"
    done
    refresh
    echo "Removed Touchbase from $prefix. Your database and backups are untouched."
    exit 0
fi

if [ ! -x "$here/touchbase" ] || [ ! -d "$here/_internal/linux" ]; then
    echo "$here does not hold a built Touchbase (run make package, then dist/touchbase/install.sh)" >&2
    exit 1
fi
if [ "$here" != "$program_dir" ]; then
    rm -rf "$program_dir"
    mkdir -p "$prefix/lib"
    cp -a "$here" "$program_dir"
fi
mkdir -p "$prefix/bin" "$applications" "$prefix/share/metainfo"
ln -sf "$program_dir/touchbase" "$prefix/bin/touchbase"
# The menu entry names the program by its full path: ~/.local/bin is not on every session's PATH.
sed "s|^Exec=touchbase|Exec=\"$program_dir/touchbase\"|" \
    "$here/_internal/linux/$id.desktop" >"$applications/$id.desktop"
cp "$here/_internal/linux/$id.metainfo.xml" "$prefix/share/metainfo/$id.metainfo.xml"
for size in $sizes; do
    mkdir -p "$icons/${size}x${size}/apps"
    cp "$here/_internal/resources/icons/touchbase-$size.png" "$icons/${size}x${size}/apps/$id.png"
done
mkdir -p "$icons/scalable/apps"
cp "$here/_internal/resources/icons/touchbase.svg" "$icons/scalable/apps/$id.svg"
refresh
echo "Installed Touchbase in $program_dir; it is in your applications menu."

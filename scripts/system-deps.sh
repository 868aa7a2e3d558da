#!/usr/bin/env bash
# Debian packages the product needs beyond its Python wheels: Pango for WeasyPrint (the PDF
# report) and a CJK font, without which Chinese text in the PDF prints as empty boxes.
# With --test also Chromium, which the signing page's browser test drives (Playwright cannot
# download a browser here, and must not: it uses Debian's).
set -euo pipefail

need=()
if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
    need+=(chromium)
fi
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
fc-list 2>/dev/null | grep -q 'Noto Sans CJK' || need+=(fonts-noto-cjk fontconfig)

if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
else
    echo "system-deps: please install the Debian packages: ${need[*]}" >&2
    echo "system-deps: (PDF reports need them; everything else works without)" >&2
fi

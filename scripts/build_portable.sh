#!/usr/bin/env bash
# Builds a self-contained `forecast` for machines that have no Swift toolchain (Spark executors,
# containers, other x86-64 Linux hosts):
#   - the Swift standard library, Foundation and Dispatch linked statically (--static-swift-stdlib);
#   - libcsv linked statically from Debian's libcsv.a (libcsv-dev), so libcsv.so is not needed either;
#   - no -target-cpu: the hot kernels (C target CForecastKernels) choose AVX-512, AVX2+FMA or baseline
#     x86-64 code at run time, so the binary runs on any x86-64 CPU;
#   - stripped.
# Then it checks with readelf/ldd that the binary needs no libswift*, libFoundation*, libdispatch,
# libBlocksRuntime or libcsv shared object: only glibc, libstdc++/libgcc_s and libm remain.
#
#   bash scripts/build_portable.sh [OUTPUT]     # default OUTPUT: out/portable/forecast
#   SCRATCH=.build-portable (default)           # SwiftPM scratch path, kept apart from .build
#
# How libcsv becomes static without touching Package.swift (which must keep no unsafeFlags): the
# module map asks for `-lcsv`; GNU ld searches the -L directories given on the command line before its
# default ones, so a directory that holds only a link to libcsv.a, passed with `-Xlinker -L`, makes
# `-lcsv` resolve to the archive instead of libcsv.so.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-out/portable/forecast}
scratch=${SCRATCH:-.build-portable}
swift=${SWIFT:-swift}

libcsv_a=${LIBCSV_A:-}
if [ -z "$libcsv_a" ]; then
    for candidate in /usr/lib/x86_64-linux-gnu/libcsv.a /usr/lib/aarch64-linux-gnu/libcsv.a /usr/lib/libcsv.a /usr/local/lib/libcsv.a; do
        if [ -f "$candidate" ]; then libcsv_a=$candidate; break; fi
    done
fi
if [ -z "$libcsv_a" ] || [ ! -f "$libcsv_a" ]; then
    echo "build_portable: libcsv.a not found (install libcsv-dev, or set LIBCSV_A=/path/to/libcsv.a)" >&2
    exit 1
fi

static_dir="$scratch/static-libs"
mkdir -p "$static_dir"
ln -sf "$libcsv_a" "$static_dir/libcsv.a"
static_dir=$(cd "$static_dir" && pwd)

start=$(date +%s)
"$swift" build -c release --product forecast --scratch-path "$scratch" \
    --static-swift-stdlib -Xlinker -L"$static_dir"
built="$("$swift" build -c release --product forecast --scratch-path "$scratch" --show-bin-path)/forecast"
echo "build_portable: swift build took $(( $(date +%s) - start )) s" >&2

mkdir -p "$(dirname "$out")"
cp "$built" "$out.tmp"
unstripped=$(stat -c %s "$out.tmp")
strip "$out.tmp"
mv "$out.tmp" "$out"
stripped=$(stat -c %s "$out")

# What the binary asks the dynamic loader for.
needed=$(readelf -d "$out" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "build_portable: NEEDED: $(echo $needed)" >&2
bad=$(echo "$needed" | grep -E '^lib(swift|Foundation|_Foundation|dispatch|BlocksRuntime|icu|csv)' || true)
if [ -n "$bad" ]; then
    echo "build_portable: FAILED: the binary still needs shared objects: $(echo $bad)" >&2
    exit 1
fi
# And what it resolves to here (catches a RUNPATH pointing into the toolchain).
if ldd "$out" | grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|libcsv|/opt/swift|not found'; then
    echo "build_portable: FAILED: ldd shows toolchain or libcsv libraries" >&2
    exit 1
fi
if readelf -d "$out" | grep -E '(RPATH|RUNPATH)'; then
    echo "build_portable: note: the binary carries an RPATH/RUNPATH (harmless: nothing is loaded from it)" >&2
fi
"$out" --help >/dev/null

echo "build_portable: $out: $(( stripped / 1024 / 1024 )) MiB stripped ($stripped bytes; $unstripped before strip)" >&2
echo "$out"

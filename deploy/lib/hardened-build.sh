# Sourced by deploy/sanitize (address,undefined) and deploy/fuzz, after $root is set.
# Both use one clang 14 build, with AddressSanitizer, UndefinedBehaviorSanitizer and
# libFuzzer's coverage hooks, in build-hardened/: CI compiles Loa once for its sanitizer
# tests and its fuzz targets. -O1 with line tables only: reports keep file and line,
# and the build takes half the time that -O2 -g does.
hardened_build="$root/build-hardened"

hardened_configure() {
  local need=() p
  for p in clang-14 libclang-rt-14-dev lld-14 ninja-build; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  fi
  CC=clang-14 CXX=clang++-14 cmake -G Ninja -S "$root" -B "$hardened_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only -DNDEBUG" \
    -DCMAKE_EXE_LINKER_FLAGS="-fuse-ld=lld-14" \
    -DLOA_FUZZ=ON -DLOA_SANITIZE=address,undefined -DLOA_BUILD_BENCH=OFF >/dev/null
}

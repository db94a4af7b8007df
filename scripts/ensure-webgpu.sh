#!/usr/bin/env bash
# Makes sure software WebGPU works in Node for test/webgpu/*.test.ts: Dawn (the `webgpu` npm package)
# on SwiftShader, Chromium's software Vulkan driver (/usr/lib/chromium/vk_swiftshader_icd.json, which
# scripts/ensure-chromium.sh provides), through the Vulkan loader (Debian's libvulkan1). Installs
# libvulkan1 with apt-get when run as root on a machine that has apt-get; then checks that an adapter
# comes up. Exits non-zero, saying why, otherwise. The tests set VK_ICD_FILENAMES themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
ICD="${EDGECNN_VK_ICD:-/usr/lib/chromium/vk_swiftshader_icd.json}"

have_loader() { ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ] || [ -e /usr/lib/aarch64-linux-gnu/libvulkan.so.1 ]; }

if ! have_loader; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-webgpu: the Vulkan loader is missing; installing Debian's libvulkan1 with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null
  else
    echo "ensure-webgpu: the Vulkan loader (libvulkan.so.1) is missing and cannot be installed from here (needs root and apt-get): sudo apt-get install -y --no-install-recommends libvulkan1" >&2
    exit 1
  fi
fi

if [ ! -f "$ICD" ]; then
  echo "ensure-webgpu: $ICD is missing: run scripts/ensure-chromium.sh (Debian's chromium ships SwiftShader), or set EDGECNN_VK_ICD to another Vulkan ICD" >&2
  exit 1
fi

VK_ICD_FILENAMES="$ICD" node --input-type=module -e "
  const { create } = await import('webgpu');
  const a = await create([]).requestAdapter();
  if (!a) { console.error('ensure-webgpu: Dawn found no adapter on $ICD'); process.exit(1); }
  console.log('ensure-webgpu: adapter ' + a.info.vendor + ' ' + a.info.architecture + ' (' + a.info.description + ')');
  process.exit(0);
"

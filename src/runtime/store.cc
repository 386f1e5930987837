#include "kube/runtime/store.h"

#include <malloc.h>
#include <zstd.h>

namespace kube::runtime::detail {

namespace {
// Level 1: a cache is written as fast as events arrive; higher levels gain little on JSON.
constexpr int kLevel = 1;
}  // namespace

std::string pack(std::string_view bytes) {
  thread_local ZSTD_CCtx* context = ZSTD_createCCtx();
  std::string out(ZSTD_compressBound(bytes.size()), '\0');
  std::size_t n = ZSTD_compressCCtx(context, out.data(), out.size(), bytes.data(), bytes.size(), kLevel);
  if (ZSTD_isError(n)) throw Error(std::string("store: compression failed: ") + ZSTD_getErrorName(n));
  return std::string(out.data(), n);  // exact size: no slack kept per object
}

std::string unpack(std::string_view packed) {
  thread_local ZSTD_DCtx* context = ZSTD_createDCtx();
  unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) throw Error("store: corrupt compressed object");
  std::string out(size, '\0');
  std::size_t n = ZSTD_decompressDCtx(context, out.data(), out.size(), packed.data(), packed.size());
  if (ZSTD_isError(n)) throw Error(std::string("store: decompression failed: ") + ZSTD_getErrorName(n));
  return out;
}

void release_free_memory() { ::malloc_trim(0); }

}  // namespace kube::runtime::detail

// Where the source and build trees are (compiled in by kube_cc_test), for tests that read fixtures,
// the API spec or generated files, or run built binaries.
#pragma once

#include <filesystem>

namespace kube::testing {

inline std::filesystem::path source_dir() { return KUBE_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return KUBE_BINARY_DIR; }

}  // namespace kube::testing

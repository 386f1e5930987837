// Where the source and build trees are (compiled in by kube_cc_test), for tests that read fixtures,
// the API spec or generated files, or run built binaries.
#pragma once

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace kube::testing {

inline std::filesystem::path source_dir() { return KUBE_SOURCE_DIR; }
inline std::filesystem::path binary_dir() { return KUBE_BINARY_DIR; }

/// The contents of `path` once it exists and is not empty (e.g. a server's kubeconfig), or ""
/// after 15 s.
inline std::string wait_for_file(const std::filesystem::path& path) {
  for (int i = 0; i < 300; ++i) {
    if (std::filesystem::exists(path)) {
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      if (!ss.str().empty()) return ss.str();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return {};
}

}  // namespace kube::testing

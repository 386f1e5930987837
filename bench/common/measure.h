// Running a command as a measured child process: wall time and peak RSS (from wait4's rusage).
#pragma once

#include <string>
#include <vector>

namespace kube::bench {

struct Measured {
  int exit_code = -1;
  double seconds = 0;
  double peak_rss_mb = 0;  // MiB
  std::string out;         // stdout (when captured)
  std::string err;
};

/// Runs `argv` (no shell), stdout to /dev/null unless `capture_stdout`, stderr captured.
Measured run_measured(const std::vector<std::string>& argv, bool capture_stdout = false,
                      const std::vector<std::string>& extra_env = {});

}  // namespace kube::bench

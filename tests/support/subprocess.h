// Running real programs from tests (kubectl, python, the API server binary): no shell involved.
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace kube::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs `argv` to completion with `input` on its stdin; captures stdout and stderr.
RunResult run(const std::vector<std::string>& argv, std::string_view input = {});

/// The full path of `program` on PATH (or as given if it contains '/'), or "" if not found.
std::string find_program(std::string_view program);

/// A running child with pipes to its stdin and stdout; killed (SIGKILL) and reaped on destruction.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// Reads one line from the child's stdout (without the newline); "" at end of stream.
  std::string read_line();
  /// Closes the child's stdin (many test servers exit when it closes).
  void close_stdin();
  /// Waits for the child to exit and returns its exit code (128+signal if killed).
  int wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string buffer_;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace kube::testing

// Credentials for kube::Client: the Authorization header (bearer token, token file re-read when it
// changes, basic auth, exec credential plugins cached until they expire) and the client
// certificate (from the config or an exec plugin).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "kube/client/config.h"

namespace kube::client {

class Authenticator {
 public:
  explicit Authenticator(const Config& config);

  /// The Authorization header value ("" for none). Runs the exec plugin (off the I/O thread) when
  /// its credential is missing or expired; throws kube::Error if the plugin fails.
  boost::asio::awaitable<std::string> authorization(boost::asio::any_io_executor executor);
  std::string client_certificate_pem() const { return certificate_pem_; }
  std::string client_key_pem() const { return key_pem_; }
  /// True once after a plugin returned a different client certificate (the TLS context must be rebuilt).
  bool take_certificate_change();
  /// Whether fresh credentials could differ after a 401 (token file or exec plugin).
  bool refreshable() const;
  /// Forget cached credentials (after a 401).
  void invalidate();

 private:
  std::string read_token_file();

  Config config_;
  std::string certificate_pem_;
  std::string key_pem_;
  bool certificate_changed_ = false;
  // token file cache
  std::string file_token_;
  std::filesystem::file_time_type file_mtime_{};
  std::chrono::steady_clock::time_point file_checked_{};
  // exec plugin cache
  std::string exec_token_;
  std::optional<std::chrono::system_clock::time_point> exec_expiry_;
  bool exec_valid_ = false;
};

/// Runs an exec credential plugin and returns its stdout; throws kube::Error with its stderr
/// (and the install hint) when it fails.
std::string run_exec_plugin(const ExecConfig& exec, const std::string& exec_info_json);

}  // namespace kube::client

#include "client/auth.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "kube/core/byte_string.h"
#include "kube/core/dom.h"
#include "kube/core/error.h"
#include "kube/core/time.h"

extern char** environ;

namespace kube::client {

namespace net = boost::asio;

Authenticator::Authenticator(const Config& config)
    : config_(config), certificate_pem_(config.auth.client_certificate_pem), key_pem_(config.auth.client_key_pem) {}

bool Authenticator::take_certificate_change() {
  bool changed = certificate_changed_;
  certificate_changed_ = false;
  return changed;
}

bool Authenticator::refreshable() const { return !config_.auth.token_file.empty() || config_.auth.exec.has_value(); }

void Authenticator::invalidate() {
  exec_valid_ = false;
  file_checked_ = {};
  file_mtime_ = {};
}

std::string Authenticator::read_token_file() {
  // Re-read when the file changes (service account tokens rotate), checking at most every 10 s.
  auto now = std::chrono::steady_clock::now();
  if (!file_token_.empty() && now - file_checked_ < std::chrono::seconds(10)) return file_token_;
  file_checked_ = now;
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(config_.auth.token_file, ec);
  if (!file_token_.empty() && !ec && mtime == file_mtime_) return file_token_;
  std::ifstream in(config_.auth.token_file, std::ios::binary);
  if (!in) throw Error("cannot read token file " + config_.auth.token_file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  file_token_ = token;
  file_mtime_ = mtime;
  return file_token_;
}

net::awaitable<std::string> Authenticator::authorization(net::any_io_executor executor) {
  const AuthInfo& auth = config_.auth;
  if (auth.exec) {
    auto now = std::chrono::system_clock::now();
    bool expired = exec_expiry_ && now + std::chrono::seconds(10) >= *exec_expiry_;
    if (!exec_valid_ || expired) {
      json::Object spec{{"interactive", false}};
      if (auth.exec->provide_cluster_info) {
        spec["cluster"] = json::Object{{"server", config_.cluster_url},
                                       {"certificate-authority-data", base64_encode(config_.root_ca_pem)},
                                       {"insecure-skip-tls-verify", config_.insecure_skip_tls_verify}};
      }
      std::string api_version = auth.exec->api_version.empty() ? "client.authentication.k8s.io/v1" : auth.exec->api_version;
      std::string info = boost::json::serialize(
          json::Object{{"apiVersion", api_version}, {"kind", "ExecCredential"}, {"spec", spec}});
      // The plugin may take seconds (cloud CLIs): run it on its own thread.
      std::string output;
      std::exception_ptr failure;
      net::steady_timer done(executor, std::chrono::steady_clock::time_point::max());
      std::thread worker([&] {
        try {
          output = run_exec_plugin(*auth.exec, info);
        } catch (...) {
          failure = std::current_exception();
        }
        net::post(executor, [&done] { done.cancel(); });
      });
      co_await done.async_wait(net::as_tuple(net::use_awaitable));
      worker.join();
      if (failure) std::rethrow_exception(failure);
      json::Value credential;
      try {
        credential = json::parse(output);
      } catch (const json::DecodeError& e) {
        throw Error("exec plugin " + auth.exec->command + " printed invalid JSON: " + e.what());
      }
      const json::Value* status = credential.is_object() ? credential.as_object().if_contains("status") : nullptr;
      if (!status || !status->is_object()) throw Error("exec plugin " + auth.exec->command + " printed no status");
      auto text = [&](const char* key) {
        const json::Value* v = status->as_object().if_contains(key);
        return v && v->is_string() ? std::string(v->as_string().data(), v->as_string().size()) : std::string();
      };
      exec_token_ = text("token");
      std::string cert = text("clientCertificateData");
      std::string key = text("clientKeyData");
      if (!cert.empty() && (cert != certificate_pem_ || key != key_pem_)) {
        certificate_pem_ = cert;
        key_pem_ = key;
        certificate_changed_ = true;
      }
      std::string expiry = text("expirationTimestamp");
      exec_expiry_.reset();
      if (!expiry.empty()) exec_expiry_ = std::chrono::system_clock::time_point(parse_rfc3339(expiry).time_since_epoch());
      exec_valid_ = true;
    }
    if (!exec_token_.empty()) co_return "Bearer " + exec_token_;
  }
  if (!auth.token.empty()) co_return "Bearer " + auth.token;
  if (!auth.token_file.empty()) co_return "Bearer " + read_token_file();
  if (!auth.username.empty()) co_return "Basic " + base64_encode(auth.username + ":" + auth.password);
  co_return std::string();
}

std::string run_exec_plugin(const ExecConfig& exec, const std::string& exec_info_json) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (const auto& [name, value] : exec.env) env_strings.push_back(name + "=" + value);
  env_strings.push_back("KUBERNETES_EXEC_INFO=" + exec_info_json);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = {exec.command};
  args.insert(args.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw Error("exec plugin: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, exec.command.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(out[0]);
    close(err[0]);
    std::string hint = exec.install_hint.empty() ? "" : "\n" + exec.install_hint;
    throw Error("exec plugin " + exec.command + " could not be started: " + std::strerror(rc) + hint);
  }
  std::string stdout_text, stderr_text;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[8192];
        ssize_t n = read(fds[i].fd, buf, sizeof buf);
        if (n > 0) {
          (i == 0 ? stdout_text : stderr_text).append(buf, static_cast<std::size_t>(n));
        } else {
          close(fds[i].fd);
          fds[i].fd = -1;
          --open_fds;
        }
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error("exec plugin " + exec.command + " failed (exit " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)) + "): " + stderr_text);
  }
  return stdout_text;
}

}  // namespace kube::client

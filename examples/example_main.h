// What the runtime examples share: a client from the usual configuration (KUBECONFIG,
// ~/.kube/config or in-cluster), `--duration SECONDS` to stop on their own (demos and tests),
// structured logs on stderr (`--json` for one JSON object per line, `--log-level LEVEL`), and
// errors reported on stderr with exit code 1.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "kube/client/client.h"
#include "kube/runtime/log.h"

namespace example {

struct Options {
  std::optional<std::chrono::seconds> duration;
  bool json_logs = false;
  kube::log::Level log_level = kube::log::Level::info;
  std::vector<std::string> args;  // the rest, in order
};

inline Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--duration" && i + 1 < argc) {
      options.duration = std::chrono::seconds(std::atoi(argv[++i]));
    } else if (arg == "--json") {
      options.json_logs = true;
    } else if (arg == "--log-level" && i + 1 < argc) {
      options.log_level = kube::log::parse_level(argv[++i]);
    } else {
      options.args.push_back(arg);
    }
  }
  return options;
}

/// Runs `body(client, options)` (an awaitable<void>); after --duration, calls `stop()` (which must
/// make the body return). Returns the process exit code.
template <class Body>
int run_example(const char* name, int argc, char** argv, Body body, std::function<void()>* stop) {
  try {
    Options options = parse_options(argc, argv);
    kube::log::configure({.level = options.log_level,
                          .format = options.json_logs ? kube::log::Format::json : kube::log::Format::text});
    boost::asio::io_context io;
    kube::Client client(io.get_executor(), kube::Config::infer());
    boost::asio::steady_timer timer(io);
    if (options.duration) {
      timer.expires_after(*options.duration);
      timer.async_wait([stop](boost::system::error_code ec) {
        if (!ec && stop && *stop) (*stop)();
      });
    }
    std::exception_ptr failure;
    boost::asio::co_spawn(io, body(client, options), [&](std::exception_ptr e) {
      failure = e;
      timer.cancel();
    });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace example

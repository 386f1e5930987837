// kube-apiserver-lite: a Kubernetes-compatible API server for tests, demos and development.
//
//   kube-apiserver-lite --listen 127.0.0.1:6443 --data-dir /var/lib/kal --admin-kubeconfig admin.kubeconfig
#include <csignal>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>

#include "kube/apiserver/server.h"

namespace {

void usage() {
  std::cerr << "usage: kube-apiserver-lite [--listen HOST:PORT] [--data-dir DIR] [--admin-kubeconfig FILE]\n"
               "                           [--token-file FILE] [--anonymous] [--history EVENTS]\n"
               "                           [--bookmark-interval SECONDS] [--max-body-bytes N]\n"
               "  --listen             address to serve HTTPS on (default 127.0.0.1:6443; port 0: any free port)\n"
               "  --data-dir           durable storage and certificates (default: memory only)\n"
               "  --admin-kubeconfig   where to write an admin kubeconfig once serving\n"
               "  --token-file         static bearer tokens, CSV: token,user,uid,\"group1,group2\"\n"
               "  --anonymous          serve requests without credentials as system:anonymous\n"
               "  --history            watch events kept for resumption (default 10000)\n";
}

}  // namespace

int main(int argc, char** argv) {
  kube::apiserver::ServerOptions options;
  options.listen = "127.0.0.1:6443";
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      auto eq = flag.find('=');
      if (eq != std::string::npos) return flag.substr(eq + 1);
      if (i + 1 >= argc) {
        std::cerr << "kube-apiserver-lite: " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    std::string name = flag.substr(0, flag.find('='));
    try {
      if (name == "--listen") {
        options.listen = value();
      } else if (name == "--data-dir") {
        options.data_dir = value();
      } else if (name == "--admin-kubeconfig") {
        options.admin_kubeconfig = value();
      } else if (name == "--token-file") {
        options.token_file = value();
      } else if (name == "--anonymous") {
        options.allow_anonymous = true;
      } else if (name == "--history") {
        options.history = std::stoul(value());
      } else if (name == "--bookmark-interval") {
        options.bookmark_interval = std::chrono::seconds(std::stoul(value()));
      } else if (name == "--max-body-bytes") {
        options.max_body_bytes = std::stoul(value());
      } else if (name == "--help" || name == "-h") {
        usage();
        return 0;
      } else {
        std::cerr << "kube-apiserver-lite: unknown flag " << flag << "\n";
        usage();
        return 2;
      }
    } catch (const std::exception&) {
      std::cerr << "kube-apiserver-lite: bad value for " << name << "\n";
      return 2;
    }
  }
  // Signals are handled by a dedicated thread so that stop() runs outside signal context.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  kube::apiserver::Server server(options);
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "kube-apiserver-lite: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "kube-apiserver-lite serving on " << server.url()
            << (options.data_dir.empty() ? " (in memory)" : " (data in " + options.data_dir + ")") << std::endl;
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    server.stop();
  });
  server.wait();
  waiter.detach();
  return 0;
}

// Durability: a server restarted on its data directory has every acknowledged object, with the
// same resourceVersions, and revisions continue; the same holds after kill -9 of the real binary.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "kube/api/core/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "support/async.h"
#include "support/paths.h"
#include "support/subprocess.h"

namespace kube {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;
using api::core::v1::ConfigMap;
using testing::run_async;

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("kube-durability-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

ConfigMap config_map(const std::string& name, const std::string& value) {
  ConfigMap cm;
  cm.metadata.name = name;
  cm.data = std::map<std::string, std::string>{{"v", value}};
  return cm;
}

TEST(Durability, RestartKeepsObjectsAndRevisions) {
  fs::path dir = temp_dir("restart");
  std::map<std::string, std::string> versions;
  std::uint64_t revision_before = 0;
  {
    apiserver::Server server({.listen = "127.0.0.1:0", .data_dir = dir.string()});
    server.start();
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client client(io.get_executor(), Config::from_kubeconfig_text(server.kubeconfig()));
      auto cms = Api<ConfigMap>::namespaced(client, "default");
      for (int i = 0; i < 20; ++i) {
        ConfigMap cm = co_await cms.create({}, config_map("cm-" + std::to_string(i), std::to_string(i)));
        versions[std::string(name_of(cm))] = std::string(resource_version_of(cm));
      }
      ConfigMap updated = co_await cms.patch("cm-3", {}, Patch::from_json(PatchType::Merge, R"({"data":{"v":"x"}})"));
      versions["cm-3"] = std::string(resource_version_of(updated));
      co_await cms.remove("cm-4");
      versions.erase("cm-4");
    });
    revision_before = server.revision();
    server.stop();
  }
  apiserver::Server server({.listen = "127.0.0.1:0", .data_dir = dir.string()});
  server.start();
  EXPECT_EQ(server.revision(), revision_before);
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), Config::from_kubeconfig_text(server.kubeconfig()));
    auto cms = Api<ConfigMap>::namespaced(client, "default");
    auto list = co_await cms.list();
    std::map<std::string, std::string> found;
    for (const auto& cm : list) found[std::string(name_of(cm))] = std::string(resource_version_of(cm));
    EXPECT_EQ(found, versions);
    EXPECT_EQ((co_await cms.get("cm-3")).data->at("v"), "x");
    ConfigMap next = co_await cms.create({}, config_map("after-restart", ""));
    EXPECT_GT(std::stoull(std::string(resource_version_of(next))), revision_before);
  });
  server.stop();
  fs::remove_all(dir);
}


TEST(Durability, AcknowledgedWritesSurviveKill9) {
  fs::path dir = temp_dir("kill9");
  fs::create_directories(dir);
  std::string binary = (testing::binary_dir() / "bin/kube-apiserver-lite").string();
  ASSERT_TRUE(fs::exists(binary)) << binary;
  fs::path kubeconfig = dir / "admin.kubeconfig";
  std::vector<std::string> acknowledged;
  {
    testing::Child server({binary, "--listen", "127.0.0.1:0", "--data-dir", (dir / "data").string(),
                           "--admin-kubeconfig", kubeconfig.string()});
    std::string text = testing::wait_for_file(kubeconfig);
    ASSERT_FALSE(text.empty()) << "the server never wrote its kubeconfig";
    // Concurrent writers, so some writes are in flight at the moment of the kill.
    run_async([&](net::io_context& io) -> net::awaitable<void> {
      Client client(io.get_executor(), Config::from_kubeconfig_text(text));
      auto cms = Api<ConfigMap>::namespaced(client, "default");
      for (int i = 0; i < 200; ++i) {
        std::string name = "k-" + std::to_string(i);
        co_await cms.create({}, config_map(name, std::to_string(i)));
        acknowledged.push_back(name);
      }
    });
    ::kill(server.pid(), SIGKILL);
    EXPECT_EQ(server.wait(), 128 + SIGKILL);
  }
  fs::remove(kubeconfig);
  testing::Child server({binary, "--listen", "127.0.0.1:0", "--data-dir", (dir / "data").string(),
                         "--admin-kubeconfig", kubeconfig.string()});
  std::string text = testing::wait_for_file(kubeconfig);
  ASSERT_FALSE(text.empty());
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), Config::from_kubeconfig_text(text));
    auto list = co_await Api<ConfigMap>::namespaced(client, "default").list();
    std::set<std::string> found;
    for (const auto& cm : list) found.insert(std::string(name_of(cm)));
    for (const auto& name : acknowledged) EXPECT_TRUE(found.count(name)) << name << " was acknowledged but lost";
  });
  ::kill(server.pid(), SIGTERM);
  server.wait();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kube

// moose_demo: drives the moose demo against a running moose_operator (see demo.sh, run by
// `./dev demo`). It waits for the operator's CRD and admission webhook, applies manfred and melissa
// from the manifests, prints every state change of every moose as it happens, shows the webhook
// denying george, lets a herd of random mooses join, and at the end (--duration, Ctrl-C or
// SIGTERM) deletes every moose it added and waits for each to be released by the operator.
//
//   moose_demo --manifests DIR [--duration SECONDS] [--herd N] [--herd-interval SECONDS]
//
// Exits 1 when the demo did not show what it is for: no state change, george admitted, or a moose
// that was not released.
#include <signal.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "../example_main.h"
#include "kube/api/admissionregistration/v1.h"
#include "kube/api/apiextensions/v1.h"
#include "kube/core/yaml.h"
#include "kube/runtime/notify.h"
#include "kube/runtime/wait.h"
#include "kube/runtime/watcher.h"
#include "moose.h"

namespace {

namespace net = boost::asio;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using animals::Moose;

struct Settings {
  fs::path manifests;
  int herd = 5;
  std::chrono::milliseconds herd_interval = 3s;
};

Settings parse(const example::Options& options) {
  Settings s;
  for (std::size_t i = 0; i < options.args.size(); ++i) {
    const std::string& arg = options.args[i];
    bool has_value = i + 1 < options.args.size();
    if (arg == "--manifests" && has_value) {
      s.manifests = options.args[++i];
    } else if (arg == "--herd" && has_value) {
      s.herd = std::stoi(options.args[++i]);
    } else if (arg == "--herd-interval" && has_value) {
      s.herd_interval = std::chrono::milliseconds(static_cast<std::int64_t>(std::stod(options.args[++i]) * 1000));
    } else {
      throw kube::InvalidArgument("unknown argument " + arg);
    }
  }
  if (s.manifests.empty()) throw kube::InvalidArgument("--manifests DIR is required");
  return s;
}

Moose read_moose(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw kube::Error("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return kube::json::decode<Moose>(kube::json::serialize(kube::yaml::parse(text.str())));
}

std::string clock_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  std::ostringstream out;
  out << std::put_time(&tm, "%H:%M:%S");
  return out.str();
}

void say(const std::string& line) { std::cout << line << "\n" << std::flush; }

net::awaitable<void> pause(std::chrono::milliseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(net::use_awaitable);
}

// What the demo saw, for its verdict.
struct Seen {
  std::map<std::string, std::string> phase;  // moose -> last phase printed
  std::map<std::string, bool> released;      // moose -> reached Released or went away
  int changes = 0;
};

// Prints every phase change of every moose of the park (the live view).
net::awaitable<void> follow(std::shared_ptr<kube::runtime::Watcher<Moose>> watcher, Seen& seen) {
  while (auto event = co_await watcher->next()) {
    const Moose& m = event->object;
    std::string name(kube::name_of(m));
    if (event->type == kube::runtime::EventType::Delete) {
      if (!seen.released[name]) say(clock_now() + "  " + name + " is gone");
      seen.released[name] = true;
      seen.phase.erase(name);
      continue;
    }
    if (!event->is_apply() || !m.status || !m.status->phase) continue;
    std::string phase = *m.status->phase;
    if (seen.phase[name] == phase) continue;
    seen.phase[name] = phase;
    ++seen.changes;
    if (phase == "Released") seen.released[name] = true;
    std::ostringstream line;
    line << clock_now() << "  " << std::left << std::setw(14) << name << std::setw(10) << phase
         << m.status->message.value_or("");
    say(line.str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::function<void()> stop;
  int verdict = 0;
  int code = example::run_example(
      "moose_demo", argc, argv,
      [&](kube::Client client, example::Options options) -> net::awaitable<void> {
        Settings settings = parse(options);
        auto executor = co_await net::this_coro::executor;
        bool stopping = false;
        kube::runtime::Notify wake(executor);
        stop = [&] {
          stopping = true;
          wake.notify_all();
        };
        net::signal_set signals(executor, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int) {
          if (!ec) stop();
        });

        // The operator installs the CRD and its webhook configuration when it starts.
        auto crds = kube::Api<kube::api::apiextensions::v1::CustomResourceDefinition>::all(client);
        co_await kube::runtime::await_condition(crds, "mooses.animals.com", kube::runtime::conditions::is_crd_established, 60s);
        auto webhooks = kube::Api<kube::api::admissionregistration::v1::ValidatingWebhookConfiguration>::all(client);
        for (int i = 0; !(co_await webhooks.get_opt("mooses.animals.com")); ++i) {
          if (i == 600) throw kube::Error("the operator installed no admission webhook (ValidatingWebhookConfiguration mooses.animals.com)");
          co_await pause(100ms);
        }
        say("== the operator is ready: CRD mooses.animals.com and its admission webhook are installed");

        auto mooses = kube::Api<Moose>::namespaced(client, "default");
        Seen seen;
        auto watcher = std::make_shared<kube::runtime::Watcher<Moose>>(
            mooses, kube::runtime::WatcherConfig{.label_selector = std::string(animals::kParkLabel) + "=" + animals::kPark});
        net::co_spawn(executor, follow(watcher, seen), net::detached);

        std::vector<std::string> added;
        auto add = [&](Moose moose) -> net::awaitable<void> {
          std::string name = moose.metadata.name.value();
          co_await mooses.patch(name, kube::PatchParams::apply("moose-demo"), kube::Patch::apply(moose));
          added.push_back(name);
        };
        say("== applying manfred.yaml and melissa.yaml (the operator tags them, then they roam, eat and sleep)");
        co_await add(read_moose(settings.manifests / "manfred.yaml"));
        co_await add(read_moose(settings.manifests / "melissa.yaml"));
        co_await pause(1500ms);

        say("== applying invalid_moose.yaml: george");
        try {
          co_await add(read_moose(settings.manifests / "invalid_moose.yaml"));
          say("   george was admitted: the admission webhook did not deny him");
          verdict = 1;
        } catch (const kube::ApiError& e) {
          say("   denied (" + std::to_string(e.code()) + "): " + e.what());
        }

        say("== a herd of " + std::to_string(settings.herd) + " random mooses joins");
        static const char* const names[] = {"marge", "milo", "maple", "mabel", "monty", "mocha", "murphy", "minnie", "moss", "mirabel"};
        std::mt19937 rng{std::random_device{}()};
        for (int i = 0; i < settings.herd && !stopping; ++i) {
          Moose moose;
          moose.metadata.name = std::string(names[rng() % std::size(names)]) + "-" + std::to_string(100 + rng() % 900);
          moose.metadata.labels = std::map<std::string, std::string>{{animals::kParkLabel, animals::kPark}};
          moose.spec.height = std::round(std::uniform_real_distribution<double>(1.5, 2.2)(rng) * 100) / 100;
          moose.spec.weight = std::round(std::uniform_real_distribution<double>(300, 700)(rng));
          moose.spec.antlers = rng() % 2 == 0;
          co_await add(std::move(moose));
          net::steady_timer next(executor, settings.herd_interval);
          co_await (next.async_wait(net::as_tuple(net::use_awaitable)));
        }

        // Until --duration or a signal: the live view goes on.
        while (!stopping) co_await wake.wait();
        if (std::system("command -v kubectl >/dev/null 2>&1") == 0) {
          say("== kubectl get mooses (the CRD's Phase and Message printer columns)");
          std::fflush(stdout);
          if (std::system("kubectl get mooses") != 0) say("   (kubectl failed)");
        }
        say("== stopping: deleting the mooses this demo added (each is released by the operator first)");
        for (const std::string& name : added) co_await mooses.remove(name);
        auto deadline = std::chrono::steady_clock::now() + 30s;
        auto all_released = [&] {
          for (const std::string& name : added) {
            if (!seen.released[name]) return false;
          }
          return true;
        };
        while (!all_released() && std::chrono::steady_clock::now() < deadline) {
          net::steady_timer tick(executor, 200ms);
          co_await tick.async_wait(net::as_tuple(net::use_awaitable));
        }
        for (const std::string& name : added) {
          if (!seen.released[name]) {
            say("   " + name + " was not released");
            verdict = 1;
          }
        }
        if (seen.changes == 0) {
          say("   no moose changed state: is the operator running?");
          verdict = 1;
        }
        say("== " + std::to_string(seen.changes) + " state changes seen; " + std::to_string(added.size()) +
            " mooses added and released");
        watcher->stop();
        signals.cancel();
      },
      &stop);
  return code != 0 ? code : verdict;
}

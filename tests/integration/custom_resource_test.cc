// A custom resource declared from structs against kube-apiserver-lite: the derived CRD is accepted
// and established, Api<K> works for every verb, and the server enforces the derived schema.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <set>

#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "kube/runtime/controller.h"
#include "kube/core/custom_resource.h"
#include "kube/core/dom.h"
#include "kube/core/dynamic_object.h"
#include "support/async.h"

namespace crit {

enum class Flavor { Vanilla, Chocolate };
KUBE_ENUM(Flavor, {Flavor::Vanilla, "vanilla"}, {Flavor::Chocolate, "chocolate"});

struct Scoop {
  Flavor flavor = Flavor::Vanilla;
  double grams = 0;
  bool operator==(const Scoop&) const = default;
};
KUBE_FIELDS(Scoop, KUBE_FIELD(flavor), KUBE_FIELD(grams).minimum(0));

struct SundaeSpec {
  std::int32_t size = 0;
  Flavor topping = Flavor::Chocolate;
  std::vector<Scoop> scoops;
  std::optional<std::int32_t> replicas;
  std::optional<std::map<std::string, std::string>> notes;
  std::optional<kube::json::Raw> extra;
  bool operator==(const SundaeSpec&) const = default;
};
KUBE_FIELDS(SundaeSpec, KUBE_FIELD(size).minimum(0).doc("How big."), KUBE_FIELD(topping).defaulted(),
            KUBE_FIELD(scoops), KUBE_FIELD(replicas), KUBE_FIELD(notes), KUBE_FIELD(extra));

struct SundaeStatus {
  std::optional<std::string> phase;
  std::optional<std::int32_t> replicas;
  bool operator==(const SundaeStatus&) const = default;
};
KUBE_FIELDS(SundaeStatus, KUBE_FIELD(phase), KUBE_FIELD(replicas));

KUBE_CUSTOM_RESOURCE(Sundae, SundaeSpec, SundaeStatus, .group = "desserts.example.com", .version = "v1",
                     .short_names = {"sd"}, .categories = {"all"},
                     .printer_columns = {{.name = "Size", .type = "integer", .json_path = ".spec.size"},
                                         {.name = "Phase", .type = "string", .json_path = ".status.phase"}},
                     .scale = kube::ScaleSubresource{.spec_replicas_path = ".spec.replicas",
                                                     .status_replicas_path = ".status.replicas"});

}  // namespace crit

namespace kube {
namespace {

namespace net = boost::asio;
using api::apiextensions::v1::CustomResourceDefinition;
using crit::Flavor;
using crit::Sundae;
using testing::run_async;

Sundae sundae(std::string name, std::int32_t size) {
  Sundae s;
  s.metadata.name = std::move(name);
  s.spec.size = size;
  s.spec.scoops = {{Flavor::Vanilla, 60}, {Flavor::Chocolate, 55.5}};
  return s;
}

bool established(const CustomResourceDefinition& crd) {
  if (!crd.status || !crd.status->conditions) return false;
  for (const auto& c : *crd.status->conditions) {
    if (c.type == "Established" && c.status == "True") return true;
  }
  return false;
}

TEST(CustomResourceFromStructs, ServerAcceptsAndEnforcesTheDerivedCrd) {
  apiserver::Server server({.listen = "127.0.0.1:0"});
  server.start();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), Config::from_kubeconfig_text(server.kubeconfig()));
    auto crds = Api<CustomResourceDefinition>::all(client);
    CustomResourceDefinition crd = co_await crds.create({}, Sundae::crd());
    for (int i = 0; i < 100 && !established(crd); ++i) {
      net::steady_timer timer(io, std::chrono::milliseconds(50));
      co_await timer.async_wait(net::use_awaitable);
      crd = co_await crds.get("sundaes.desserts.example.com");
    }
    CO_ASSERT_TRUE(established(crd));
    // What the server stored is what was derived (it added no defaults to the schema).
    EXPECT_EQ(json::to_dom(crd.spec.versions.at(0)), json::to_dom(Sundae::crd().spec.versions.at(0)));

    auto sundaes = Api<Sundae>::namespaced(client, "default");

    // create / get / list
    Sundae small = co_await sundaes.create({}, sundae("small", 1));
    EXPECT_EQ(small.spec, sundae("small", 1).spec);
    EXPECT_FALSE(std::string(uid_of(small)).empty());
    Sundae big = sundae("big", 3);
    big.spec.notes = std::map<std::string, std::string>{{"for", "sharing"}};
    big.spec.extra = json::Raw::parse(R"({"candles":[1,2],"message":"happy"})");
    big.spec.replicas = 2;
    co_await sundaes.create({}, big);
    Sundae got = co_await sundaes.get("big");
    EXPECT_EQ(got.spec, big.spec);
    auto list = co_await sundaes.list();
    std::set<std::string> names;
    for (const Sundae& s : list) names.insert(std::string(name_of(s)));
    EXPECT_EQ(names, (std::set<std::string>{"big", "small"}));

    // watch: a change made while watching arrives typed
    auto stream = co_await sundaes.watch({.timeout_seconds = 30}, list.metadata.resource_version.value_or(""));
    co_await sundaes.patch("small", {}, Patch::from_json(PatchType::Merge, R"({"spec":{"size":2}})"));
    std::optional<WatchEvent<Sundae>> event;
    while ((event = co_await stream.next()) && event->type == WatchEventType::Bookmark) {
    }
    stream.cancel();
    CO_ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->type, WatchEventType::Modified);
    EXPECT_EQ(name_of(event->object()), "small");
    EXPECT_EQ(event->object().spec.size, 2);

    // status subresource
    Sundae with_status = co_await sundaes.patch_status(
        "big", {}, Patch::from_json(PatchType::Merge, R"({"status":{"phase":"Melting","replicas":2}})"));
    CO_ASSERT_TRUE(with_status.status.has_value());
    EXPECT_EQ(with_status.status->phase, "Melting");
    EXPECT_EQ((co_await sundaes.get_status("big")).status, with_status.status);
    // the main resource ignores status changes
    with_status.status->phase = "Frozen";
    Sundae replaced = co_await sundaes.replace("big", {}, with_status);
    EXPECT_EQ(replaced.status->phase, "Melting");

    // scale subresource
    Scale scale = co_await sundaes.get_scale("big");
    EXPECT_EQ(scale.spec->replicas, 2);
    co_await sundaes.patch_scale("big", {}, Patch::from_json(PatchType::Merge, R"({"spec":{"replicas":4}})"));
    EXPECT_EQ((co_await sundaes.get("big")).spec.replicas, 4);

    // objects written by others: the derived default is applied, then they decode typed
    auto dynamic = Api<DynamicObject>::namespaced_with(client, "default", ApiResource::of<Sundae>());
    auto object = [](std::string spec) {
      return json::from_dom<DynamicObject>(json::parse(
          R"({"apiVersion":"desserts.example.com/v1","kind":"Sundae","metadata":{"name":"other"},"spec":)" + spec + "}"));
    };
    co_await dynamic.create({}, object(R"({"size":5,"scoops":[]})"));
    Sundae other = co_await sundaes.get("other");
    EXPECT_EQ(other.spec.topping, Flavor::Chocolate);
    EXPECT_EQ(other.spec.size, 5);

    // schema violations are refused with 422 and the field named
    auto refused = [&](std::string spec) -> net::awaitable<std::string> {
      try {
        co_await dynamic.create({}, object(std::move(spec)));
      } catch (const ApiError& e) {
        EXPECT_EQ(e.code(), 422) << e.what();
        co_return std::string(e.what());
      }
      co_return "accepted";
    };
    using ::testing::HasSubstr;
    co_await sundaes.remove("other");
    const std::string wrong_type = co_await refused(R"({"size":"big","scoops":[]})");
    EXPECT_THAT(wrong_type, HasSubstr("spec.size"));
    const std::string bad_enum = co_await refused(R"({"size":1,"topping":"strawberry","scoops":[]})");
    EXPECT_THAT(bad_enum, HasSubstr("spec.topping"));
    const std::string bad_nested_enum = co_await refused(R"({"size":1,"scoops":[{"flavor":"mint","grams":1}]})");
    EXPECT_THAT(bad_nested_enum, HasSubstr("spec.scoops[0].flavor"));
    const std::string below_minimum = co_await refused(R"({"size":-1,"scoops":[]})");
    EXPECT_THAT(below_minimum, HasSubstr("spec.size"));
    const std::string missing = co_await refused(R"({"size":1})");
    EXPECT_THAT(missing, HasSubstr("spec.scoops"));
    const std::string nested_minimum = co_await refused(R"({"size":1,"scoops":[{"flavor":"vanilla","grams":-2}]})");
    EXPECT_THAT(nested_minimum, HasSubstr("spec.scoops[0].grams"));

    co_await crds.remove("sundaes.desserts.example.com");
  });
  server.stop();
}

// The operator use case: a kube::runtime controller of the derived kind writes status.
TEST(CustomResourceFromStructs, ControllerOfTheDerivedKind) {
  using namespace std::chrono_literals;
  apiserver::Server server({.listen = "127.0.0.1:0"});
  server.start();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), Config::from_kubeconfig_text(server.kubeconfig()));
    co_await Api<CustomResourceDefinition>::all(client).create({}, Sundae::crd());
    auto sundaes = Api<Sundae>::namespaced(client, "default");
    co_await sundaes.create({}, sundae("one", 1));
    co_await sundaes.create({}, sundae("two", 2));

    runtime::Controller<Sundae> controller(sundaes);
    net::steady_timer deadline(io, 30s);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) {
        ADD_FAILURE() << "deadline passed";
        controller.shutdown();
      }
    });
    struct Context {
      Api<Sundae> sundaes;
    };
    auto reconcile = [](std::shared_ptr<const Sundae> s, std::shared_ptr<Context> ctx) -> net::awaitable<runtime::Action> {
      const std::string phase = "Served " + std::to_string(s->spec.scoops.size()) + " scoops";
      if (!s->status || s->status->phase != phase) {
        json::Value patch = json::Object{{"status", json::Object{{"phase", phase}}}};
        co_await ctx->sundaes.patch_status(std::string(name_of(*s)), {}, Patch::merge(patch));
      }
      co_return runtime::Action::await_change();
    };
    auto error_policy = [](std::shared_ptr<const Sundae>, const std::exception& e, std::shared_ptr<Context>) {
      ADD_FAILURE() << "reconcile failed: " << e.what();
      return runtime::Action::requeue(100ms);
    };
    auto driver = [&]() -> net::awaitable<void> {
      for (int i = 0; i < 400; ++i) {
        auto list = co_await sundaes.list();
        bool done = list.size() == 2;
        for (const Sundae& s : list) done = done && s.status && s.status->phase == "Served 2 scoops";
        if (done) break;
        net::steady_timer t(io, 25ms);
        co_await t.async_wait(net::use_awaitable);
      }
      controller.shutdown();
    };
    net::co_spawn(io, driver(), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    co_await controller.run(reconcile, error_policy, std::make_shared<Context>(Context{sundaes}));
    deadline.cancel();
    for (const Sundae& s : co_await sundaes.list()) {
      EXPECT_EQ(s.status.value_or(crit::SundaeStatus{}).phase, "Served 2 scoops") << name_of(s);
    }
  });
  server.stop();
}

}  // namespace
}  // namespace kube

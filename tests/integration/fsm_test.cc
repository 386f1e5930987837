// kube::fsm's OperatorRuntime against kube-apiserver-lite: one machine per labelled object, status
// written on each state, edits seen by the running state, deletion interrupting it and running the
// deleted state before the object goes (the runtime's finalizer holds it until then).
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>

#include "kube/api/apiextensions/v1.h"
#include "kube/core/custom_resource.h"
#include "kube/fsm/manager.h"
#include "kube/runtime/wait.h"
#include "support/server_suite.h"

namespace zoo {

struct MooseSpec {
  std::int32_t height = 0;
  bool operator==(const MooseSpec&) const = default;
};
KUBE_FIELDS(MooseSpec, KUBE_FIELD(height));

struct MooseStatus {
  std::optional<std::string> phase;
  std::optional<std::string> message;
  bool operator==(const MooseStatus&) const = default;
  static MooseStatus failed(std::string message) { return {"Failed", std::move(message)}; }
};
KUBE_FIELDS(MooseStatus, KUBE_FIELD(phase), KUBE_FIELD(message));

KUBE_CUSTOM_RESOURCE(Moose, MooseSpec, MooseStatus, .group = "animals.fsm-test.dev", .version = "v1");

}  // namespace zoo

namespace kube::fsm {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using zoo::Moose;
using zoo::MooseStatus;
using testing::eventually;

struct Herd {
  int tagged = 0;
};
struct Tags {};

struct Op;
// Tagged -> Roam; Roam waits until the moose is taller than 100 (or an object it owns changes)
// -> Eat -> done.
struct Tagged {
  static constexpr std::string_view name = "Tagged";
  net::awaitable<Transition<Op, Tagged>> next(Herd&, Tags&, Manifest<Moose>&);
  MooseStatus status(Tags&, const Moose&) { return {"Tagged", "welcome"}; }
};
struct Roam {
  static constexpr std::string_view name = "Roam";
  net::awaitable<Transition<Op, Roam>> next(Herd&, Tags&, Manifest<Moose>&);
  MooseStatus status(Tags&, const Moose&) { return {"Roam", "roaming"}; }
};
struct Eat {
  static constexpr std::string_view name = "Eat";
  net::awaitable<Transition<Op, Eat>> next(Herd&, Tags&, Manifest<Moose>&);
  MooseStatus status(Tags&, const Moose& m) { return {"Eat", "height " + std::to_string(m.spec.height)}; }
};
struct Released {
  static constexpr std::string_view name = "Released";
  net::awaitable<Transition<Op, Released>> next(Herd&, Tags&, Manifest<Moose>&);
  MooseStatus status(Tags&, const Moose& m) { return {"Released", "Bye, " + m.metadata.name.value_or("") + "!"}; }
};

struct Op {
  using Manifest = Moose;
  using Status = MooseStatus;
  using ObjectState = Tags;
  using Shared = Herd;
  using Graph = fsm::Graph<Edge<Tagged, Roam>, Edge<Roam, Eat>>;
  using InitialState = Tagged;
  using DeletedState = Released;
};

net::awaitable<Transition<Op, Tagged>> Tagged::next(Herd& herd, Tags&, Manifest<Moose>&) {
  ++herd.tagged;
  co_return Transition<Op, Tagged>::to(Roam{});
}
net::awaitable<Transition<Op, Roam>> Roam::next(Herd&, Tags&, Manifest<Moose>& moose) {
  // Until it grows, or something it owns changes.
  while (moose.latest()->spec.height <= 100 && moose.related_changes() == 0) {
    co_await moose.changed_since(moose.version());
  }
  co_return Transition<Op, Roam>::to(Eat{});
}
net::awaitable<Transition<Op, Eat>> Eat::next(Herd&, Tags&, Manifest<Moose>&) { co_return Transition<Op, Eat>::complete(); }
net::awaitable<Transition<Op, Released>> Released::next(Herd&, Tags&, Manifest<Moose>&) {
  co_return Transition<Op, Released>::complete();
}

class Fsm : public testing::ServerSuite {};

Moose moose(std::string name, bool managed) {
  Moose m;
  m.metadata.name = std::move(name);
  if (managed) m.metadata.labels = std::map<std::string, std::string>{{"nps.gov/park", "glacier"}};
  m.spec.height = 50;
  return m;
}

TEST_F(Fsm, MachinesFollowTheirObjectsAndDeletionRunsTheDeletedState) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto crds = Api<api::apiextensions::v1::CustomResourceDefinition>::all(client);
    co_await crds.create({}, Moose::crd());
    co_await runtime::await_condition(crds, Moose::crd().metadata.name.value(), runtime::conditions::is_crd_established, 10s);
    auto mooses = Api<Moose>::namespaced(client, "default");
    co_await mooses.create({}, moose("manfred", true));
    co_await mooses.create({}, moose("george", false));

    // Watching every namespace: writes go to each object's own namespace.
    OperatorRuntime<Op> runtime(Api<Moose>::all(client), {.label_selector = "nps.gov/park=glacier"});
    std::vector<std::string> errors;
    runtime.on_error([&](const Moose& m, const std::string& what) { errors.push_back(std::string(name_of(m)) + ": " + what); });
    std::vector<std::string> entered;
    runtime.on_enter([&](const Moose& m, std::string_view state) {
      entered.push_back(std::string(name_of(m)) + ":" + std::string(state));
    });
    testing::Background running(io.get_executor(), runtime.run());
    auto phase_of = [&](std::string name) -> net::awaitable<std::string> {
      auto m = co_await mooses.get_opt(name);
      co_return m && m->status && m->status->phase ? *m->status->phase : std::string(m ? "-" : "<gone>");
    };

    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return co_await phase_of("manfred") == "Roam"; }));
    Moose manfred = co_await mooses.get("manfred");
    EXPECT_TRUE(has_finalizer(manfred.metadata, "fsm.kube-cpp.dev/mooses"));
    Moose george = co_await mooses.get("george");
    EXPECT_FALSE(george.status.has_value());  // not labelled: not managed
    EXPECT_TRUE(finalizers_of(george.metadata).empty());

    // An edit reaches the running state: taller than 100 -> Eat -> complete.
    co_await mooses.patch("manfred", {}, Patch::from_json(PatchType::Merge, R"({"spec":{"height":180}})"));
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return co_await phase_of("manfred") == "Eat"; }));
    EXPECT_EQ((co_await mooses.get("manfred")).status->message, "height 180");

    // Deleting a roaming moose interrupts Roam (which would wait forever) and runs Released; the
    // finalizer keeps the object until then.
    co_await mooses.create({}, moose("melissa", true));
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return co_await phase_of("melissa") == "Roam"; }));
    co_await mooses.remove("melissa");
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return co_await phase_of("melissa") == "<gone>"; }));
    EXPECT_EQ(std::count(entered.begin(), entered.end(), "melissa:Released"), 1);
    EXPECT_EQ(std::count(entered.begin(), entered.end(), "melissa:Eat"), 0);
    EXPECT_EQ(runtime.shared().tagged, 2);

    // A completed machine still runs Released when its object is deleted.
    co_await mooses.remove("manfred");
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return co_await phase_of("manfred") == "<gone>"; }));
    EXPECT_EQ(std::count(entered.begin(), entered.end(), "manfred:Released"), 1);
    EXPECT_EQ(runtime.machines(), 0u);
    std::vector<std::string> manfred_states;
    for (const auto& e : entered) {
      if (e.rfind("manfred:", 0) == 0) manfred_states.push_back(e.substr(8));
    }
    EXPECT_EQ(manfred_states, (std::vector<std::string>{"Tagged", "Roam", "Eat", "Released"}));
    EXPECT_TRUE(errors.empty()) << errors.front();
    runtime.stop();
    co_await running.join();
  });
}

// Two operators in one manager; a change to an owned object reaches its owner's running machine.
TEST_F(Fsm, AManagerRunsOperatorsAndOwnedChangesReachTheOwnersMachine) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto crds = Api<api::apiextensions::v1::CustomResourceDefinition>::all(client);
    if (!co_await crds.get_opt(Moose::crd().metadata.name.value())) co_await crds.create({}, Moose::crd());
    co_await runtime::await_condition(crds, Moose::crd().metadata.name.value(), runtime::conditions::is_crd_established, 10s);
    auto mooses = Api<Moose>::namespaced(client, "default");
    Moose mia = moose("mia", true);
    Moose yogi = moose("yogi", false);
    yogi.metadata.labels = std::map<std::string, std::string>{{"nps.gov/park", "yellowstone"}};
    mia = co_await mooses.create({}, mia);
    co_await mooses.create({}, yogi);

    Manager manager(io.get_executor());
    std::vector<std::string> entered;
    auto record = [&](const Moose& m, std::string_view state) { entered.push_back(std::string(name_of(m)) + ":" + std::string(state)); };
    auto cms = Api<api::core::v1::ConfigMap>::namespaced(client, "default");
    manager.add<Op>(mooses, {.label_selector = "nps.gov/park=glacier"}).owns(cms).on_enter(record);
    manager.add<Op>(mooses, {.label_selector = "nps.gov/park=yellowstone", .finalizer = "fsm.kube-cpp.dev/yellowstone"})
        .on_enter(record);
    EXPECT_EQ(manager.size(), 2u);
    testing::Background running(io.get_executor(), manager.run());
    auto phase_of = [&](std::string name) -> net::awaitable<std::string> {
      auto m = co_await mooses.get_opt(name);
      co_return m && m->status && m->status->phase ? *m->status->phase : std::string("-");
    };
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> {
      co_return co_await phase_of("mia") == "Roam" && co_await phase_of("yogi") == "Roam";
    }));
    // Something mia owns appears: her Roam wakes up and moves on.
    api::core::v1::ConfigMap collar;
    collar.metadata.name = "mia-collar";
    collar.metadata.owner_references = std::vector{controller_owner_ref(mia)};
    co_await cms.create({}, collar);
    EXPECT_TRUE(co_await eventually([&]() -> net::awaitable<bool> { co_return co_await phase_of("mia") == "Eat"; }));
    EXPECT_EQ(co_await phase_of("yogi"), "Roam");  // not mia's collar
    manager.stop();
    co_await running.join();
    EXPECT_EQ(std::count(entered.begin(), entered.end(), "mia:Eat"), 1);
    EXPECT_EQ(std::count(entered.begin(), entered.end(), "yogi:Eat"), 0);
  });
}

}  // namespace
}  // namespace kube::fsm

// run_machine: states entered in order with their status published, updates of the object seen
// by the running state, deletion interrupting a running state at once, failures reported through
// Status::failed. No server: the runtime's part (watching, patching) is played by the test.
#include "kube/fsm/machine.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kube/api/core/v1.h"
#include "support/async.h"

namespace kube::fsm {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using api::core::v1::ConfigMap;

struct Status {
  std::string phase;
  std::string message;
  static Status failed(std::string message) { return {"Failed", std::move(message)}; }
};
struct ObjectState {
  bool work_interrupted = false;
  bool fail_in_start = false;
};
struct Shared {
  int machines_started = 0;
};

// States are declared first and defined after the operator: they mention each other and it.
struct Start {
  static constexpr std::string_view name = "Start";
  net::awaitable<Transition<struct Op, Start>> next(Shared&, ObjectState&, Manifest<ConfigMap>&);
  Status status(ObjectState&, const ConfigMap&) { return {"Start", ""}; }
};
struct Wait {
  static constexpr std::string_view name = "Wait";
  net::awaitable<Transition<struct Op, Wait>> next(Shared&, ObjectState&, Manifest<ConfigMap>&);
  Status status(ObjectState&, const ConfigMap& cm) { return {"Wait", cm.data->at("k")}; }
};
struct Work {
  static constexpr std::string_view name = "Work";
  net::awaitable<Transition<struct Op, Work>> next(Shared&, ObjectState&, Manifest<ConfigMap>&);
  Status status(ObjectState&, const ConfigMap&) { return {"Work", ""}; }
};
struct Released {
  static constexpr std::string_view name = "Released";
  net::awaitable<Transition<struct Op, Released>> next(Shared&, ObjectState&, Manifest<ConfigMap>&);
  Status status(ObjectState&, const ConfigMap& cm) { return {"Released", "Bye, " + cm.metadata.name.value_or("") + "!"}; }
};

struct Op {
  using Manifest = ConfigMap;
  using Status = fsm::Status;
  using ObjectState = fsm::ObjectState;
  using Shared = fsm::Shared;
  using Graph = fsm::Graph<Edge<Start, Wait>, Edge<Wait, Work>, Edge<Work, Start>>;
  using InitialState = Start;
  using DeletedState = Released;
};

net::awaitable<Transition<Op, Start>> Start::next(Shared& shared, ObjectState& os, Manifest<ConfigMap>&) {
  ++shared.machines_started;
  if (os.fail_in_start) throw std::runtime_error("no grass");
  co_return Transition<Op, Start>::to(Wait{});
}

// Until the object says go: a running state sees edits.
net::awaitable<Transition<Op, Wait>> Wait::next(Shared&, ObjectState&, Manifest<ConfigMap>& manifest) {
  std::uint64_t seen = manifest.version();
  while (manifest.latest()->data->at("k") != "go") {
    co_await manifest.changed_since(seen);
    seen = manifest.version();
  }
  co_return Transition<Op, Wait>::to(Work{});
}

net::awaitable<Transition<Op, Work>> Work::next(Shared&, ObjectState& os, Manifest<ConfigMap>&) {
  net::steady_timer long_work(co_await net::this_coro::executor, 60s);
  try {
    co_await long_work.async_wait(net::use_awaitable);
  } catch (const boost::system::system_error&) {
    os.work_interrupted = true;
    throw;
  }
  co_return Transition<Op, Work>::to(Start{});
}

net::awaitable<Transition<Op, Released>> Released::next(Shared&, ObjectState&, Manifest<ConfigMap>&) {
  co_return Transition<Op, Released>::complete();
}

std::shared_ptr<const ConfigMap> object(std::string value) {
  auto cm = std::make_shared<ConfigMap>();
  cm->metadata.name = "manfred";
  cm->data = std::map<std::string, std::string>{{"k", std::move(value)}};
  return cm;
}

struct Trace {
  std::vector<std::string> entered;
  std::vector<Status> published;
};

TEST(Machine, RunsStatesSeesUpdatesAndIsInterruptedByDeletion) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Shared shared;
    ObjectState state;
    Manifest<ConfigMap> manifest(io.get_executor(), object("wait"));
    Trace run;
    FunctionHooks<Op> hooks{[&](const Status& s) -> net::awaitable<void> {
                             run.published.push_back(s);
                             co_return;
                           },
                           [&](std::string_view name) { run.entered.emplace_back(name); }};
    MachineContext<Op> ctx{shared, state, manifest, hooks};
    // The test's side: edit the object once Wait runs, delete it once Work runs.
    auto driver = [&]() -> net::awaitable<void> {
      net::steady_timer t(io);
      auto until = [&](std::string_view name) -> net::awaitable<void> {
        while (run.entered.empty() || run.entered.back() != name) {
          t.expires_after(1ms);
          co_await t.async_wait(net::use_awaitable);
        }
      };
      co_await until("Wait");
      manifest.update(object("still waiting"));
      manifest.update(object("go"));
      co_await until("Work");
      ctx.object_deleted();
    };
    net::co_spawn(io, driver(), net::detached);
    net::steady_timer deadline(io, 10s);  // Work sleeps 60 s: only an interrupt ends it in time
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) {
        ADD_FAILURE() << "deletion did not interrupt the running state";
        io.stop();
      }
    });
    Completion done = co_await spawn_machine(io.get_executor(), ctx, net::use_awaitable);
    deadline.cancel();
    EXPECT_TRUE(done.ok);
    EXPECT_EQ(run.entered, (std::vector<std::string>{"Start", "Wait", "Work", "Released"}));
    CO_ASSERT_EQ(run.published.size(), 4u);
    EXPECT_EQ(run.published[1].message, "wait");
    EXPECT_EQ(run.published[3].message, "Bye, manfred!");
    EXPECT_TRUE(state.work_interrupted);
    EXPECT_EQ(shared.machines_started, 1);
  });
}

TEST(Machine, AFailedStateIsReportedThenTheMachineWaitsForDeletion) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Shared shared;
    ObjectState state{.fail_in_start = true};
    Manifest<ConfigMap> manifest(io.get_executor(), object("x"));
    Trace run;
    FunctionHooks<Op> hooks{[&](const Status& s) -> net::awaitable<void> {
                             run.published.push_back(s);
                             co_return;
                           }};
    MachineContext<Op> ctx{shared, state, manifest, hooks};
    auto delete_later = [&]() -> net::awaitable<void> {
      net::steady_timer t(io, 50ms);
      co_await t.async_wait(net::use_awaitable);
      EXPECT_EQ(run.published.size(), 2u);  // Start, Failed; nothing while idle
      ctx.object_deleted();
    };
    net::co_spawn(io, delete_later(), net::detached);
    Completion done = co_await spawn_machine(io.get_executor(), ctx, net::use_awaitable);
    EXPECT_TRUE(done.ok);
    CO_ASSERT_EQ(run.published.size(), 3u);
    EXPECT_EQ(run.published[1].phase, "Failed");
    EXPECT_EQ(run.published[1].message, "Start: no grass");
    EXPECT_EQ(run.published[2].phase, "Released");
  });
}


TEST(Machine, StopEndsTheMachineWithoutTheDeletedState) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Shared shared;
    ObjectState state;
    Manifest<ConfigMap> manifest(io.get_executor(), object("go"));
    Trace run;
    FunctionHooks<Op> hooks{[&](const Status& s) -> net::awaitable<void> {
                             run.published.push_back(s);
                             co_return;
                           },
                           [&](std::string_view name) { run.entered.emplace_back(name); }};
    MachineContext<Op> ctx{shared, state, manifest, hooks};
    auto stop_in_work = [&]() -> net::awaitable<void> {
      net::steady_timer t(io);
      while (run.entered.empty() || run.entered.back() != "Work") {
        t.expires_after(1ms);
        co_await t.async_wait(net::use_awaitable);
      }
      ctx.stop();
    };
    net::co_spawn(io, stop_in_work(), net::detached);
    std::exception_ptr ended;
    try {
      co_await spawn_machine(io.get_executor(), ctx, net::use_awaitable);
    } catch (const boost::system::system_error& e) {
      EXPECT_EQ(e.code(), net::error::operation_aborted);
      ended = std::current_exception();
    }
    EXPECT_TRUE(ended) << "a stopped machine ends with operation_aborted";
    EXPECT_EQ(run.entered, (std::vector<std::string>{"Start", "Wait", "Work"}));  // no Released
    EXPECT_TRUE(state.work_interrupted);
  });
}

// A state that swallows the interruption and waits again is still interrupted: every later
// co_await of the interrupted state throws.
struct Stubborn {
  static constexpr std::string_view name = "Stubborn";
  net::awaitable<Transition<struct StubbornOp, Stubborn>> next(Shared&, ObjectState& os, Manifest<ConfigMap>&) {
    net::steady_timer t(co_await net::this_coro::executor);
    for (int attempt = 0; attempt < 3; ++attempt) {
      try {
        t.expires_after(60s);
        co_await t.async_wait(net::use_awaitable);
      } catch (const boost::system::system_error&) {
        os.work_interrupted = true;  // swallowed: try again
      }
    }
    co_return Transition<StubbornOp, Stubborn>::complete();
  }
  Status status(ObjectState&, const ConfigMap&) { return {"Stubborn", ""}; }
};
struct Gone {
  static constexpr std::string_view name = "Gone";
  net::awaitable<Transition<struct StubbornOp, Gone>> next(Shared&, ObjectState&, Manifest<ConfigMap>&) {
    co_return Transition<StubbornOp, Gone>::complete();
  }
  Status status(ObjectState&, const ConfigMap&) { return {"Gone", ""}; }
};
struct StubbornOp {
  using Manifest = ConfigMap;
  using Status = fsm::Status;
  using ObjectState = fsm::ObjectState;
  using Shared = fsm::Shared;
  using Graph = fsm::Graph<>;
  using InitialState = Stubborn;
  using DeletedState = Gone;
};

TEST(Machine, AStateThatSwallowsTheInterruptionCannotWaitAgain) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Shared shared;
    ObjectState state;
    Manifest<ConfigMap> manifest(io.get_executor(), object("x"));
    std::vector<std::string> published;
    FunctionHooks<StubbornOp> hooks{[&](const Status& s) -> net::awaitable<void> {
                                     published.push_back(s.phase);
                                     co_return;
                                   }};
    MachineContext<StubbornOp> ctx{shared, state, manifest, hooks};
    auto delete_later = [&]() -> net::awaitable<void> {
      net::steady_timer t(io, 20ms);
      co_await t.async_wait(net::use_awaitable);
      ctx.object_deleted();
    };
    net::co_spawn(io, delete_later(), net::detached);
    net::steady_timer deadline(io, 10s);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (!ec) {
        ADD_FAILURE() << "the swallowed interruption let the state wait again";
        io.stop();
      }
    });
    Completion done = co_await spawn_machine(io.get_executor(), ctx, net::use_awaitable);
    deadline.cancel();
    EXPECT_TRUE(done.ok);
    EXPECT_TRUE(state.work_interrupted);
    EXPECT_EQ(published, (std::vector<std::string>{"Stubborn", "Gone"}));
  });
}

}  // namespace
}  // namespace kube::fsm

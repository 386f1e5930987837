// kube::fsm's admission webhooks over real HTTPS: a WebhookServer with a generated certificate on
// 127.0.0.1, AdmissionReviews POSTed by a small Beast client that verifies the server against the
// generated CA (allow, deny, mutate with a base64 JSON Patch, uid echo, bad requests, handler
// failures, keep-alive, concurrency, graceful stop); TLS from a Secret and the webhook
// configurations (URL and service modes) applied with server-side apply to kube-apiserver-lite, which
// then calls the server for every write of the guarded kind.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>

#include "kube/api/admissionregistration/v1.h"
#include "kube/api/apiextensions/v1.h"
#include "kube/core/admission.h"
#include "kube/core/custom_resource.h"
#include "kube/core/json_patch.h"
#include "kube/fsm/webhook_config.h"
#include "kube/fsm/webhook_server.h"
#include "kube/runtime/notify.h"
#include "kube/runtime/wait.h"
#include "support/server_suite.h"

namespace webhook_zoo {
struct MooseSpec {
  std::int32_t height = 0;
  std::optional<std::string> antlers;
  bool operator==(const MooseSpec&) const = default;
};
KUBE_FIELDS(MooseSpec, KUBE_FIELD(height), KUBE_FIELD(antlers));
KUBE_CUSTOM_RESOURCE(Moose, MooseSpec, kube::NoStatus, .group = "animals.webhook-test.dev", .version = "v1");
}  // namespace webhook_zoo

namespace kube::fsm {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using api::core::v1::Secret;
using api::core::v1::Service;
using webhook_zoo::Moose;
namespace arv1 = api::admissionregistration::v1;

// ---- a small HTTPS client that trusts only the given CA -------------------------------------------

struct Reply {
  int status = 0;
  std::string body;
  bool keep_alive = false;
  json::Value json() const { return json::parse(body); }
  /// The AdmissionReview's response.
  json::Value response() const { return json().at("response"); }
};

ssl::context client_context(const std::string& ca_pem) {
  ssl::context context(ssl::context::tls_client);
  context.add_certificate_authority(net::buffer(ca_pem));
  context.set_verify_mode(ssl::verify_peer);
  return context;
}

class TestConnection {
 public:
  TestConnection(net::any_io_executor ex, const std::string& ca_pem)
      : context_(client_context(ca_pem)), stream_(ex, context_) {}

  /// Connects to 127.0.0.1:port and verifies the certificate for `host`.
  net::awaitable<void> connect(std::uint16_t port, std::string host = "localhost") {
    stream_.set_verify_callback(ssl::host_name_verification(host));
    SSL_set_tlsext_host_name(stream_.native_handle(), host.c_str());
    beast::get_lowest_layer(stream_).expires_after(10s);
    co_await beast::get_lowest_layer(stream_).async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                                            net::use_awaitable);
    co_await stream_.async_handshake(ssl::stream_base::client, net::use_awaitable);
  }

  net::awaitable<Reply> send(http::verb method, std::string target, std::string body, bool keep_alive = true) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "localhost");
    request.set(http::field::content_type, "application/json");
    request.keep_alive(keep_alive);
    request.body() = std::move(body);
    request.prepare_payload();
    beast::get_lowest_layer(stream_).expires_after(20s);
    co_await http::async_write(stream_, request, net::use_awaitable);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(stream_, buffer_, parser, net::use_awaitable);
    const auto& response = parser.get();
    co_return Reply{static_cast<int>(response.result_int()), response.body(), response.keep_alive()};
  }
  net::awaitable<Reply> post(std::string target, std::string body) {
    return send(http::verb::post, std::move(target), std::move(body));
  }

  /// True when the server closed the connection (within 5 s).
  net::awaitable<bool> closed_by_server() {
    beast::get_lowest_layer(stream_).expires_after(5s);
    char byte;
    auto [ec, n] = co_await stream_.async_read_some(net::buffer(&byte, 1), net::as_tuple(net::use_awaitable));
    co_return ec && ec != beast::error::timeout;
  }

 private:
  ssl::context context_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

net::awaitable<void> post_into(TestConnection& c, std::string target, std::string body, std::optional<Reply>& out) {
  out = co_await c.post(std::move(target), std::move(body));
}

// ---- AdmissionReviews ------------------------------------------------------------------------------

std::string review(std::string_view uid, std::string_view operation, std::string_view object,
                   std::string_view old_object = "null") {
  return std::string(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":")") +
         std::string(uid) +
         R"(","kind":{"group":"animals.webhook-test.dev","version":"v1","kind":"Moose"},)"
         R"("resource":{"group":"animals.webhook-test.dev","version":"v1","resource":"mooses"},)"
         R"("namespace":"default","operation":")" +
         std::string(operation) + R"(","userInfo":{"username":"admin"},"object":)" + std::string(object) +
         R"(,"oldObject":)" + std::string(old_object) + "}}";
}
std::string moose_json(std::string_view name, std::string_view extra = "") {
  return R"({"apiVersion":"animals.webhook-test.dev/v1","kind":"Moose","metadata":{"name":")" + std::string(name) +
         R"("},"spec":{"height":50)" + std::string(extra) + "}}";
}

const WebhookTls& test_tls() {
  static const WebhookTls tls = WebhookTls::generate({.dns_names = {"localhost"}, .ip_addresses = {"127.0.0.1"}});
  return tls;
}

// The handlers every server test registers.
void add_handlers(WebhookServer& server) {
  server.admit("/allow", [](const AdmissionRequest&) { return AdmissionResponse::allow(); });
  server.validate<Moose>("/validate-moose", [](const AdmissionRequest& request, const std::optional<Moose>& moose,
                                               const std::optional<Moose>& old) {
    if (request.operation == "DELETE") {
      return old ? AdmissionResponse::allow() : AdmissionResponse::deny("DELETE without the old object", 500);
    }
    std::string name = moose ? moose->metadata.name.value_or("") : "";
    if (name.empty() || (name[0] != 'm' && name[0] != 'M')) {
      return AdmissionResponse::deny("Mooses may only have names starting with 'M'.", 400);
    }
    AdmissionResponse response = AdmissionResponse::allow();
    if (moose->spec.height > 300) response.warn("that is a tall moose");
    return response;
  });
  server.mutate<Moose>("/mutate-moose", [](const AdmissionRequest&, Moose& moose) -> AdmissionResponse {
    if (moose.spec.height < 0) return AdmissionResponse::deny("negative height", 422);
    moose.metadata.labels.emplace()["nps.gov/park"] = "glacier";
    if (!moose.spec.antlers) moose.spec.antlers = "velvet";
    return AdmissionResponse::allow().warn("labelled");
  });
  server.mutate<Moose>("/mutate-void", [](const AdmissionRequest&, Moose& moose) { moose.spec.height += 1; });
  server.admit("/throw", [](const AdmissionRequest&) -> AdmissionResponse { throw std::runtime_error("the herd is lost"); });
  // A coroutine handler: answers after ?ms in the object's height.
  server.admit("/slow", [](const AdmissionRequest& request) -> net::awaitable<AdmissionResponse> {
    std::optional<Moose> moose = request.object_as<Moose>();
    net::steady_timer timer(co_await net::this_coro::executor, std::chrono::milliseconds(moose->spec.height));
    co_await timer.async_wait(net::use_awaitable);
    co_return AdmissionResponse::allow();
  });
}

// Runs `body(server, io)` with a started server on 127.0.0.1:0, then stops it and waits for every
// connection to end. run_async returns only when no coroutine is left on the io_context.
template <class Body>
void with_server(Body body, WebhookServerOptions options = {.listen = "127.0.0.1:0"}) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    WebhookServer server(io.get_executor(), test_tls(), options);
    add_handlers(server);
    server.start();
    EXPECT_NE(server.port(), 0);
    co_await body(server, io);
    server.stop();
    co_await server.join();
    EXPECT_EQ(server.open_connections(), 0u);
  });
}

// ---- the server ----------------------------------------------------------------------------------

TEST(WebhookServer, AllowsAndEchoesTheUid) {
  with_server([](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
    TestConnection c(io.get_executor(), test_tls().ca_pem);
    co_await c.connect(server.port());
    Reply reply = co_await c.post("/allow?timeout=10s", review("uid-1", "CREATE", moose_json("manfred")));
    EXPECT_EQ(reply.status, 200);
    json::Value answer = reply.json();
    EXPECT_EQ(answer.at("apiVersion").as_string(), "admission.k8s.io/v1");
    EXPECT_EQ(answer.at("kind").as_string(), "AdmissionReview");
    EXPECT_EQ(json::serialize(answer.at("response")), R"({"uid":"uid-1","allowed":true})");
    Reply second = co_await c.post("/allow", review("another-uid", "CREATE", moose_json("manfred")));
    EXPECT_EQ(second.response().at("uid").as_string(), "another-uid");
  });
}

TEST(WebhookServer, TheCertificateVerifiesOnlyAgainstItsCa) {
  with_server([](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
    TestConnection by_ip(io.get_executor(), test_tls().ca_pem);
    co_await by_ip.connect(server.port(), "127.0.0.1");  // the IP subjectAltName
    EXPECT_EQ((co_await by_ip.post("/allow", review("u", "CREATE", moose_json("m")))).status, 200);

    WebhookTls other = WebhookTls::generate({.dns_names = {"localhost"}});
    TestConnection untrusting(io.get_executor(), other.ca_pem);
    bool refused = false;
    try {
      co_await untrusting.connect(server.port());
    } catch (const boost::system::system_error&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
    TestConnection wrong_name(io.get_executor(), test_tls().ca_pem);
    refused = false;
    try {
      co_await wrong_name.connect(server.port(), "moose-webhook.default.svc");
    } catch (const boost::system::system_error&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
  });
}

TEST(WebhookServer, ValidatingHandlerDeniesWithAStatus) {
  with_server([](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
    TestConnection c(io.get_executor(), test_tls().ca_pem);
    co_await c.connect(server.port());
    Reply denied = co_await c.post("/validate-moose", review("uid-deny", "CREATE", moose_json("bob")));
    EXPECT_EQ(denied.status, 200);  // a denial is an answer, not an HTTP error
    json::Value response = denied.response();
    EXPECT_EQ(response.at("uid").as_string(), "uid-deny");
    EXPECT_FALSE(response.at("allowed").as_bool());
    EXPECT_EQ(response.at("status").at("code").as_int64(), 400);
    EXPECT_EQ(response.at("status").at("message").as_string(), "Mooses may only have names starting with 'M'.");
    EXPECT_EQ(response.at("status").at("reason").as_string(), "BadRequest");
    EXPECT_FALSE(response.as_object().contains("patch"));

    Reply allowed = co_await c.post("/validate-moose", review("uid-ok", "CREATE", moose_json("melissa", R"(,"x":1)")));
    EXPECT_TRUE(allowed.response().at("allowed").as_bool());
    Reply tall = co_await c.post("/validate-moose", review("uid-tall", "UPDATE",
                                                           R"({"metadata":{"name":"manfred"},"spec":{"height":400}})",
                                                           moose_json("manfred")));
    EXPECT_TRUE(tall.response().at("allowed").as_bool());
    EXPECT_EQ(json::serialize(tall.response().at("warnings")), R"(["that is a tall moose"])");
    // DELETE: no object, the old one is there.
    Reply removed = co_await c.post("/validate-moose", review("uid-del", "DELETE", "null", moose_json("bob")));
    EXPECT_TRUE(removed.response().at("allowed").as_bool()) << removed.body;
    // An object that is not a Moose: denied (400) without calling the handler.
    Reply garbled = co_await c.post("/validate-moose",
                                    review("uid-bad", "CREATE", R"({"metadata":{"name":"m"},"spec":{"height":"tall"}})"));
    EXPECT_FALSE(garbled.response().at("allowed").as_bool());
    EXPECT_EQ(garbled.response().at("status").at("code").as_int64(), 400);
    EXPECT_NE(std::string(garbled.response().at("status").at("message").as_string()).find(".spec.height"),
              std::string::npos)
        << garbled.body;
    EXPECT_EQ(server.stats().denied, 2u);
    EXPECT_EQ(server.stats().allowed, 3u);
  });
}

TEST(WebhookServer, MutatingHandlerAnswersWithABase64JsonPatch) {
  with_server([](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
    TestConnection c(io.get_executor(), test_tls().ca_pem);
    co_await c.connect(server.port());
    // The received object has a member Moose does not know: the patch must leave it alone.
    std::string object = moose_json("manfred", R"(,"futureField":"keep me")");
    Reply reply = co_await c.post("/mutate-moose", review("uid-mutate", "CREATE", object));
    EXPECT_EQ(reply.status, 200);
    json::Value response = reply.response();
    EXPECT_EQ(response.at("uid").as_string(), "uid-mutate");
    EXPECT_TRUE(response.at("allowed").as_bool());
    EXPECT_EQ(response.at("patchType").as_string(), "JSONPatch");
    EXPECT_EQ(json::serialize(response.at("warnings")), R"(["labelled"])");
    CO_ASSERT_TRUE(response.at("patch").is_string());  // base64, never a JSON array
    EXPECT_FALSE(response.at("patch").is_array());
    std::string bytes = base64_decode(response.at("patch").as_string());
    json::Value operations = json::parse(bytes);
    CO_ASSERT_TRUE(operations.is_array());

    json::Value patched = json::parse(object);
    apply_json_patch(patched, operations);  // as the API server does
    EXPECT_EQ(patched.at("metadata").at("labels").at("nps.gov/park").as_string(), "glacier");
    EXPECT_EQ(patched.at("spec").at("antlers").as_string(), "velvet");
    EXPECT_EQ(patched.at("spec").at("height").as_int64(), 50);
    EXPECT_EQ(patched.at("spec").at("futureField").as_string(), "keep me");
    EXPECT_EQ(server.stats().patched, 1u);

    // Nothing to change: allowed without a patch.
    std::string done = R"({"metadata":{"name":"m","labels":{"nps.gov/park":"glacier"}},"spec":{"height":1,"antlers":"big"}})";
    Reply unchanged = co_await c.post("/mutate-moose", review("uid-same", "UPDATE", done, done));
    EXPECT_TRUE(unchanged.response().at("allowed").as_bool());
    EXPECT_FALSE(unchanged.response().as_object().contains("patch")) << unchanged.body;
    // The mutating handler denies.
    Reply denied = co_await c.post("/mutate-moose", review("uid-neg", "CREATE", R"({"metadata":{"name":"m"},"spec":{"height":-1}})"));
    EXPECT_FALSE(denied.response().at("allowed").as_bool());
    EXPECT_EQ(denied.response().at("status").at("code").as_int64(), 422);
    EXPECT_FALSE(denied.response().as_object().contains("patch"));
    // No object (DELETE): admitted without calling the handler.
    Reply removed = co_await c.post("/mutate-moose", review("uid-del", "DELETE", "null", moose_json("m")));
    EXPECT_EQ(json::serialize(removed.response()), R"({"uid":"uid-del","allowed":true})");
    // A handler returning void admits with its changes.
    Reply grown = co_await c.post("/mutate-void", review("uid-void", "CREATE", moose_json("m")));
    json::Value ops = json::parse(base64_decode(grown.response().at("patch").as_string()));
    EXPECT_EQ(json::serialize(ops), R"([{"op":"replace","path":"/spec/height","value":51}])");
  });
}

TEST(WebhookServer, BadRequestsGetAStatus) {
  with_server([](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
    TestConnection c(io.get_executor(), test_tls().ca_pem);
    co_await c.connect(server.port());
    auto expect_status = [](const Reply& reply, int code, std::string_view reason, std::string_view in_message) {
      EXPECT_EQ(reply.status, code) << reply.body;
      json::Value status = reply.json();
      EXPECT_EQ(status.at("kind").as_string(), "Status");
      EXPECT_EQ(status.at("status").as_string(), "Failure");
      EXPECT_EQ(status.at("code").as_int64(), code);
      EXPECT_EQ(status.at("reason").as_string(), reason);
      std::string message(status.at("message").as_string());
      EXPECT_NE(message.find(in_message), std::string::npos) << message;
    };
    expect_status(co_await c.post("/allow", "this is not JSON"), 400, "BadRequest", "invalid AdmissionReview");
    expect_status(co_await c.post("/allow", R"({"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"}})"),
                  400, "BadRequest", "apiVersion");
    expect_status(co_await c.post("/allow", R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"u"}})"), 400,
                  "BadRequest", "kind AdmissionReview");
    expect_status(co_await c.post("/allow", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})"), 400,
                  "BadRequest", "no request");
    expect_status(co_await c.post("/allow", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{}})"), 400,
                  "BadRequest", "no uid");
    expect_status(co_await c.post("/allow", ""), 400, "BadRequest", "invalid AdmissionReview");
    expect_status(co_await c.post("/nowhere", review("u", "CREATE", moose_json("m"))), 404, "NotFound", "/nowhere");
    expect_status(co_await c.send(http::verb::get, "/allow", ""), 405, "MethodNotAllowed", "POST");
    // The connection survived every error.
    EXPECT_EQ((co_await c.post("/allow", review("u", "CREATE", moose_json("m")))).status, 200);
    EXPECT_EQ(server.stats().connections, 1u);
    EXPECT_EQ(server.stats().bad_requests, 8u);
  });
}

TEST(WebhookServer, OversizedReviewsAre413) {
  with_server(
      [](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
        TestConnection c(io.get_executor(), test_tls().ca_pem);
        co_await c.connect(server.port());
        std::string big = review("u", "CREATE", moose_json("m", R"(,"padding":")" + std::string(5000, 'x') + "\""));
        Reply reply = co_await c.post("/allow", big);
        EXPECT_EQ(reply.status, 413);
        EXPECT_EQ(reply.json().at("reason").as_string(), "RequestEntityTooLarge");
        EXPECT_FALSE(reply.keep_alive);
      },
      {.listen = "127.0.0.1:0", .max_body_bytes = 4096});
}

TEST(WebhookServer, HandlerFailuresDenyWith500) {
  with_server(
      [](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
        TestConnection c(io.get_executor(), test_tls().ca_pem);
        co_await c.connect(server.port());
        Reply thrown = co_await c.post("/throw", review("uid-throw", "CREATE", moose_json("m")));
        EXPECT_EQ(thrown.status, 200);
        json::Value response = thrown.response();
        EXPECT_EQ(response.at("uid").as_string(), "uid-throw");
        EXPECT_FALSE(response.at("allowed").as_bool());
        EXPECT_EQ(response.at("status").at("code").as_int64(), 500);
        EXPECT_EQ(response.at("status").at("message").as_string(), "the herd is lost");
        // A handler slower than handler_timeout (200 ms) is given up on.
        auto started = std::chrono::steady_clock::now();
        Reply slow = co_await c.post("/slow", review("uid-slow", "CREATE", R"({"spec":{"height":20000}})"));
        EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
        EXPECT_FALSE(slow.response().at("allowed").as_bool());
        EXPECT_EQ(slow.response().at("status").at("code").as_int64(), 500);
        EXPECT_NE(std::string(slow.response().at("status").at("message").as_string()).find("did not answer"),
                  std::string::npos);
        EXPECT_EQ(server.stats().handler_errors, 2u);
        // And the server goes on.
        EXPECT_TRUE((co_await c.post("/slow", review("u", "CREATE", R"({"spec":{"height":1}})"))).response().at("allowed").as_bool());
      },
      {.listen = "127.0.0.1:0", .handler_timeout = 200ms});
}

TEST(WebhookServer, KeepsConnectionsAliveAndServesThemConcurrently) {
  with_server([](WebhookServer& server, net::io_context& io) -> net::awaitable<void> {
    // Three reviews on one connection.
    {
      TestConnection c(io.get_executor(), test_tls().ca_pem);
      co_await c.connect(server.port());
      for (int i = 0; i < 3; ++i) {
        Reply reply = co_await c.post("/allow", review("k" + std::to_string(i), "CREATE", moose_json("m")));
        EXPECT_TRUE(reply.keep_alive);
        EXPECT_EQ(reply.response().at("uid").as_string(), "k" + std::to_string(i));
      }
      EXPECT_EQ(server.stats().connections, 1u);
    }
    // Eight connections, each waiting 300 ms in the handler: together well under 8 x 300 ms.
    constexpr int kClients = 8;
    int done = 0;
    runtime::Notify finished(io.get_executor());
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < kClients; ++i) {
      net::co_spawn(
          io,
          [&, i]() -> net::awaitable<void> {
            TestConnection c(io.get_executor(), test_tls().ca_pem);
            co_await c.connect(server.port());
            Reply reply = co_await c.post("/slow", review("c" + std::to_string(i), "CREATE", R"({"spec":{"height":300}})"));
            EXPECT_EQ(reply.response().at("uid").as_string(), "c" + std::to_string(i));
            EXPECT_TRUE(reply.response().at("allowed").as_bool());
          },
          [&](std::exception_ptr e) {
            if (e) ADD_FAILURE() << "a client failed";
            ++done;
            finished.notify_all();
          });
    }
    while (done < kClients) co_await finished.wait();
    auto elapsed = std::chrono::steady_clock::now() - started;
    EXPECT_LT(elapsed, 1500ms) << "reviews were not answered concurrently";
    EXPECT_EQ(server.stats().connections, 1u + kClients);
    EXPECT_EQ(server.stats().reviews, 3u + kClients);
  });
}

TEST(WebhookServer, StopClosesIdleConnectionsAndFinishesReviewsInProgress) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    WebhookServer server(io.get_executor(), test_tls(), {.listen = "127.0.0.1:0"});
    add_handlers(server);
    server.start();
    // An idle keep-alive connection (the default idle timeout is a minute).
    TestConnection idle(io.get_executor(), test_tls().ca_pem);
    co_await idle.connect(server.port());
    EXPECT_EQ((co_await idle.post("/allow", review("u", "CREATE", moose_json("m")))).status, 200);
    // A review in progress when stop() comes.
    TestConnection busy(io.get_executor(), test_tls().ca_pem);
    co_await busy.connect(server.port());
    std::optional<Reply> busy_reply;
    testing::Background request(io.get_executor(), post_into(busy, "/slow", review("in-flight", "CREATE", R"({"spec":{"height":300}})"),
                                                             busy_reply));
    co_await testing::pause(100ms);
    EXPECT_EQ(server.open_connections(), 2u);

    auto stopping = std::chrono::steady_clock::now();
    server.stop();
    server.stop();  // idempotent
    co_await server.join();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 2s);
    EXPECT_EQ(server.open_connections(), 0u);
    co_await request.join();
    CO_ASSERT_TRUE(busy_reply.has_value());
    EXPECT_EQ(busy_reply->status, 200);
    EXPECT_EQ(busy_reply->response().at("uid").as_string(), "in-flight");
    EXPECT_FALSE(busy_reply->keep_alive);  // answered with Connection: close
    EXPECT_TRUE(co_await idle.closed_by_server());
    EXPECT_TRUE(co_await busy.closed_by_server());
    // No longer listening.
    TestConnection late(io.get_executor(), test_tls().ca_pem);
    bool refused = false;
    try {
      co_await late.connect(server.port());
    } catch (const boost::system::system_error&) {
      refused = true;
    }
    EXPECT_TRUE(refused);
  });
  // run_async returned: the io_context ran out of work, so no server coroutine was left behind.
}

TEST(WebhookServer, RefusesUnusableTlsAndBadAddresses) {
  net::io_context io;
  EXPECT_THROW(WebhookServer(io.get_executor(), WebhookTls{"garbage", "garbage", ""}), InvalidArgument);
  WebhookTls mismatched = test_tls();
  mismatched.private_key_pem = WebhookTls::generate({.dns_names = {"x"}}).private_key_pem;
  EXPECT_THROW(WebhookServer(io.get_executor(), mismatched), InvalidArgument);
  WebhookServer server(io.get_executor(), test_tls(), {.listen = "localhost"});
  EXPECT_THROW(server.start(), InvalidArgument);
  EXPECT_THROW(server.admit("no-slash", [](const AdmissionRequest&) { return AdmissionResponse::allow(); }),
               InvalidArgument);
}

// ---- against kube-apiserver-lite: TLS from a Secret, configurations applied --------------------

class WebhookCluster : public testing::ServerSuite {};

TEST_F(WebhookCluster, ServesTheCertificateOfATlsSecret) {
  std::string ns = create_namespace("webhook-tls");
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto secrets = Api<Secret>::namespaced(client, ns);
    // A Secret made elsewhere (as cert-manager would): tls.crt, tls.key and ca.crt.
    WebhookTls made = WebhookTls::generate(WebhookHosts::service("moose-webhook", ns));
    co_await secrets.create({}, made.to_secret("external-tls", ns));
    WebhookTls loaded = co_await load_tls_secret(secrets, "external-tls");
    EXPECT_EQ(loaded, made);

    WebhookServer server(io.get_executor(), loaded, {.listen = "127.0.0.1:0"});
    add_handlers(server);
    server.start();
    TestConnection c(io.get_executor(), loaded.ca_pem);
    co_await c.connect(server.port(), "moose-webhook." + ns + ".svc");  // the Service's name
    Reply reply = co_await c.post("/validate-moose", review("from-secret", "CREATE", moose_json("moritz")));
    EXPECT_TRUE(reply.response().at("allowed").as_bool());
    server.stop();
    co_await server.join();

    // Without ca.crt, the certificate itself is what to trust (self-signed).
    Secret bare = made.to_secret("bare-tls", ns);
    bare.data->erase("ca.crt");
    co_await secrets.create({}, bare);
    EXPECT_EQ((co_await load_tls_secret(secrets, "bare-tls")).ca_pem, made.certificate_pem);
    Secret keyless;
    keyless.metadata.name = "not-tls";
    keyless.data.emplace()["tls.crt"] = ByteString{made.certificate_pem};
    co_await secrets.create({}, keyless);
    bool refused = false;
    try {
      co_await load_tls_secret(secrets, "not-tls");
    } catch (const InvalidArgument& e) {
      refused = std::string(e.what()).find("tls.key") != std::string::npos;
    }
    EXPECT_TRUE(refused);
  });
}

TEST_F(WebhookCluster, GeneratedCertificatesAreStoredAndReused) {
  std::string ns = create_namespace("webhook-gen");
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto secrets = Api<Secret>::namespaced(client, ns);
    WebhookTls first = co_await load_or_generate_tls_secret(secrets, "moose-webhook-tls", "moose-webhook");
    Secret stored = co_await secrets.get("moose-webhook-tls");
    EXPECT_EQ(stored.type, "kubernetes.io/tls");
    EXPECT_EQ(stored.data->at("tls.crt").bytes, first.certificate_pem);
    EXPECT_EQ(stored.data->at("tls.key").bytes, first.private_key_pem);
    EXPECT_EQ(stored.data->at("ca.crt").bytes, first.ca_pem);
    // A restart reuses it.
    WebhookTls second = co_await load_or_generate_tls_secret(secrets, "moose-webhook-tls", "moose-webhook");
    EXPECT_EQ(second, first);
    // Valid for every name of the Service, and for 127.0.0.1.
    WebhookServer server(io.get_executor(), second, {.listen = "127.0.0.1:0"});
    add_handlers(server);
    server.start();
    for (std::string host : {std::string("moose-webhook"), "moose-webhook." + ns, "moose-webhook." + ns + ".svc",
                             "moose-webhook." + ns + ".svc.cluster.local", std::string("localhost"), std::string("127.0.0.1")}) {
      TestConnection c(io.get_executor(), first.ca_pem);
      co_await c.connect(server.port(), host);
      EXPECT_EQ((co_await c.post("/allow", review("u", "CREATE", moose_json("m")))).status, 200) << host;
    }
    server.stop();
    co_await server.join();
  });
}

// The webhooks of the tests below: a validating and a mutating one for mooses.
std::vector<Webhook> moose_webhooks() {
  api::meta::v1::LabelSelector park;
  park.match_labels = std::map<std::string, std::string>{{"nps.gov/park", "glacier"}};
  return {
      {.name = "validate.mooses.animals.webhook-test.dev",
       .type = WebhookType::Validating,
       .path = "/validate-moose",
       .rules = {WebhookRule::of<Moose>({"CREATE", "UPDATE", "DELETE"})},
       .timeout_seconds = 5,
       .object_selector = park},
      {.name = "mutate.mooses.animals.webhook-test.dev",
       .type = WebhookType::Mutating,
       .path = "/mutate-moose",
       .rules = {WebhookRule::of<Moose>()},
       .failure_policy = "Ignore",
       .namespace_selector = park,
       .reinvocation_policy = "IfNeeded"},
  };
}

TEST_F(WebhookCluster, AppliesTheConfigurationsForAnOperatorOutsideTheCluster) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    WebhookTls tls = WebhookTls::generate({.ip_addresses = {"127.0.0.1"}});
    WebhookConfig webhook_config{.name = "moose-url-webhooks",
                                 .webhooks = moose_webhooks(),
                                 .endpoint = WebhookUrl{"https://127.0.0.1:18443/"},
                                 .field_manager = "moose-operator"};
    WebhookObjects applied = co_await apply_webhook_config(client, webhook_config, tls);
    EXPECT_FALSE(applied.service);
    EXPECT_FALSE(applied.secret);

    auto validating_api = Api<arv1::ValidatingWebhookConfiguration>::all(client);
    auto mutating_api = Api<arv1::MutatingWebhookConfiguration>::all(client);
    arv1::ValidatingWebhookConfiguration validating = co_await validating_api.get("moose-url-webhooks");
    arv1::MutatingWebhookConfiguration mutating = co_await mutating_api.get("moose-url-webhooks");
    CO_ASSERT_TRUE(validating.webhooks && validating.webhooks->size() == 1);
    CO_ASSERT_TRUE(mutating.webhooks && mutating.webhooks->size() == 1);
    const arv1::ValidatingWebhook& v = validating.webhooks->front();
    EXPECT_EQ(v.name, "validate.mooses.animals.webhook-test.dev");
    EXPECT_EQ(v.client_config.url, "https://127.0.0.1:18443/validate-moose");
    EXPECT_FALSE(v.client_config.service);
    CO_ASSERT_TRUE(v.client_config.ca_bundle.has_value());
    EXPECT_EQ(v.client_config.ca_bundle->bytes, tls.ca_pem);  // decoded from base64 by ByteString
    EXPECT_EQ(v.admission_review_versions, std::vector<std::string>{"v1"});
    EXPECT_EQ(v.side_effects, "None");
    EXPECT_EQ(v.failure_policy, "Fail");
    EXPECT_EQ(v.timeout_seconds, 5);
    EXPECT_EQ(v.object_selector->match_labels->at("nps.gov/park"), "glacier");
    CO_ASSERT_TRUE(v.rules && v.rules->size() == 1);
    const arv1::RuleWithOperations& rule = v.rules->front();
    EXPECT_EQ(rule.operations, (std::vector<std::string>{"CREATE", "UPDATE", "DELETE"}));
    EXPECT_EQ(rule.api_groups, std::vector<std::string>{"animals.webhook-test.dev"});
    EXPECT_EQ(rule.api_versions, std::vector<std::string>{"v1"});
    EXPECT_EQ(rule.resources, std::vector<std::string>{"mooses"});
    EXPECT_EQ(rule.scope, "Namespaced");
    const arv1::MutatingWebhook& m = mutating.webhooks->front();
    EXPECT_EQ(m.client_config.url, "https://127.0.0.1:18443/mutate-moose");
    EXPECT_EQ(m.client_config.ca_bundle->bytes, tls.ca_pem);
    EXPECT_EQ(m.failure_policy, "Ignore");
    EXPECT_EQ(m.reinvocation_policy, "IfNeeded");
    EXPECT_EQ(m.namespace_selector->match_labels->at("nps.gov/park"), "glacier");
    EXPECT_EQ(m.rules->front().operations, (std::vector<std::string>{"CREATE", "UPDATE"}));
    // Written by server-side apply, with the given field manager.
    CO_ASSERT_TRUE(validating.metadata.managed_fields.has_value());
    EXPECT_EQ(validating.metadata.managed_fields->front().manager, "moose-operator");
    EXPECT_EQ(validating.metadata.managed_fields->front().operation, "Apply");

    // Applying again changes nothing.
    co_await apply_webhook_config(client, webhook_config, tls);
    EXPECT_EQ((co_await validating_api.get("moose-url-webhooks")).metadata.resource_version,
              validating.metadata.resource_version);
    EXPECT_EQ((co_await mutating_api.get("moose-url-webhooks")).metadata.resource_version, mutating.metadata.resource_version);
    // A new CA (and port) replaces the old ones, even after someone else edited the bundle.
    co_await validating_api.patch("moose-url-webhooks", {},
                                  Patch::from_json(PatchType::Json, R"([{"op":"replace","path":"/webhooks/0/timeoutSeconds","value":7}])"));
    WebhookTls rotated = WebhookTls::generate({.ip_addresses = {"127.0.0.1"}});
    webhook_config.endpoint = WebhookUrl{"https://127.0.0.1:18444"};
    co_await apply_webhook_config(client, webhook_config, rotated);
    arv1::ValidatingWebhookConfiguration after = co_await validating_api.get("moose-url-webhooks");
    EXPECT_EQ(after.webhooks->front().client_config.ca_bundle->bytes, rotated.ca_pem);
    EXPECT_EQ(after.webhooks->front().client_config.url, "https://127.0.0.1:18444/validate-moose");
    EXPECT_EQ(after.webhooks->front().timeout_seconds, 5);  // force: the applied value wins

    co_await validating_api.remove("moose-url-webhooks");  // nothing listens on those ports
    co_await mutating_api.remove("moose-url-webhooks");
  });
}

TEST_F(WebhookCluster, AppliesServiceSecretAndConfigurationsOwnedByTheCrd) {
  std::string ns = create_namespace("webhook-svc");
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto crds = Api<api::apiextensions::v1::CustomResourceDefinition>::all(client);
    std::string crd_name = Moose::crd().metadata.name.value();
    auto crd = co_await crds.create({}, Moose::crd());
    co_await runtime::await_condition(crds, crd_name, runtime::conditions::is_crd_established, 10s);

    WebhookTls tls = co_await load_or_generate_tls_secret(Api<Secret>::namespaced(client, ns), "moose-webhook-tls",
                                                          "moose-webhook");
    WebhookConfig webhook_config{
        .name = "moose-svc-webhooks",
        .webhooks = moose_webhooks(),
        .endpoint = WebhookService{.namespace_ = ns,
                                   .name = "moose-webhook",
                                   .target_port = 9443,
                                   .pod_labels = {{"app", "moose-operator"}},
                                   .secret_name = "moose-webhook-tls"},
        .owner_crd = crd_name};
    WebhookObjects applied = co_await apply_webhook_config(client, webhook_config, tls);
    CO_ASSERT_TRUE(applied.service && applied.secret && applied.mutating && applied.validating);

    auto services = Api<Service>::namespaced(client, ns);
    Service service = co_await services.get("moose-webhook");
    EXPECT_EQ(service.spec->selector, (std::map<std::string, std::string>{{"app", "moose-operator"}}));
    CO_ASSERT_TRUE(service.spec->ports && service.spec->ports->size() == 1);
    EXPECT_EQ(service.spec->ports->front().port, 443);
    EXPECT_EQ(service.spec->ports->front().target_port, IntOrString(9443));
    Secret secret = co_await Api<Secret>::namespaced(client, ns).get("moose-webhook-tls");
    EXPECT_EQ(secret.type, "kubernetes.io/tls");
    EXPECT_EQ(WebhookTls::from_secret(secret), tls);

    auto validating_api = Api<arv1::ValidatingWebhookConfiguration>::all(client);
    auto mutating_api = Api<arv1::MutatingWebhookConfiguration>::all(client);
    arv1::ValidatingWebhookConfiguration validating = co_await validating_api.get("moose-svc-webhooks");
    const arv1::WebhookClientConfig& cc = validating.webhooks->front().client_config;
    EXPECT_FALSE(cc.url);
    CO_ASSERT_TRUE(cc.service.has_value());
    EXPECT_EQ(cc.service->namespace_, ns);
    EXPECT_EQ(cc.service->name, "moose-webhook");
    EXPECT_EQ(cc.service->port, 443);
    EXPECT_EQ(cc.service->path, "/validate-moose");
    EXPECT_EQ(cc.ca_bundle->bytes, tls.ca_pem);
    EXPECT_EQ((co_await mutating_api.get("moose-svc-webhooks")).webhooks->front().client_config.service->path,
              "/mutate-moose");
    for (const auto& refs : {validating.metadata.owner_references, service.metadata.owner_references,
                             secret.metadata.owner_references}) {
      CO_ASSERT_TRUE(refs && refs->size() == 1);
      EXPECT_EQ(refs->front().kind, "CustomResourceDefinition");
      EXPECT_EQ(refs->front().name, crd_name);
      EXPECT_EQ(refs->front().uid, crd.metadata.uid.value());
    }

    // Idempotent.
    WebhookObjects again = co_await apply_webhook_config(client, webhook_config, tls);
    EXPECT_EQ(again.validating->metadata.resource_version, validating.metadata.resource_version);
    EXPECT_EQ(again.service->metadata.resource_version, service.metadata.resource_version);
    EXPECT_EQ(again.secret->metadata.resource_version, secret.metadata.resource_version);

    // Deleting the CRD removes them all (garbage collection through the ownerReferences).
    co_await crds.remove(crd_name);
    EXPECT_TRUE(co_await testing::eventually([&]() -> net::awaitable<bool> {
      co_return !co_await validating_api.get_opt("moose-svc-webhooks") && !co_await mutating_api.get_opt("moose-svc-webhooks") &&
          !co_await services.get_opt("moose-webhook") &&
          !co_await Api<Secret>::namespaced(client, ns).get_opt("moose-webhook-tls");
    }));
  });
}

// The whole loop: the operator's server, certificate and configurations, and kube-apiserver-lite
// calling it for each write (service mode: without Endpoints the server calls 127.0.0.1 on the
// Service's numeric targetPort, verifying the certificate for NAME.NAMESPACE.svc).
TEST_F(WebhookCluster, TheApiServerCallsTheOperatorsWebhooks) {
  std::string ns = create_namespace("webhook-e2e");
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    auto crds = Api<api::apiextensions::v1::CustomResourceDefinition>::all(client);
    std::string crd_name = Moose::crd().metadata.name.value();
    if (!co_await crds.get_opt(crd_name)) co_await crds.create({}, Moose::crd());
    co_await runtime::await_condition(crds, crd_name, runtime::conditions::is_crd_established, 10s);

    WebhookTls tls = co_await load_or_generate_tls_secret(Api<Secret>::namespaced(client, ns), "moose-webhook-tls",
                                                          "moose-webhook");
    WebhookServer server(io.get_executor(), tls, {.listen = "127.0.0.1:0"});
    add_handlers(server);
    server.start();

    api::meta::v1::LabelSelector this_namespace;
    this_namespace.match_labels = std::map<std::string, std::string>{{"kubernetes.io/metadata.name", ns}};
    WebhookConfig webhook_config{
        .name = "moose-e2e-webhooks",
        .webhooks = {{.name = "mutate.mooses.animals.webhook-test.dev",
                      .type = WebhookType::Mutating,
                      .path = "/mutate-moose",
                      .rules = {WebhookRule::of<Moose>()},
                      .namespace_selector = this_namespace},
                     {.name = "validate.mooses.animals.webhook-test.dev",
                      .path = "/validate-moose",
                      .rules = {WebhookRule::of<Moose>({"CREATE", "UPDATE", "DELETE"})},
                      .namespace_selector = this_namespace}},
        .endpoint = WebhookService{.namespace_ = ns,
                                   .name = "moose-webhook",
                                   .target_port = server.port(),
                                   .pod_labels = {{"app", "moose-operator"}},
                                   .secret_name = "moose-webhook-tls"},
        .owner_crd = crd_name};
    co_await apply_webhook_config(client, webhook_config, tls);

    auto mooses = Api<Moose>::namespaced(client, ns);
    Moose bob;
    bob.metadata.name = "bob";
    bob.spec.height = 120;
    std::optional<ApiError> refused;
    try {
      co_await mooses.create({}, bob);
    } catch (const ApiError& e) {
      refused = e;
    }
    CO_ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->code(), 400);
    EXPECT_EQ(refused->message(),
              "admission webhook \"validate.mooses.animals.webhook-test.dev\" denied the request: "
              "Mooses may only have names starting with 'M'.");
    EXPECT_FALSE(co_await mooses.get_opt("bob"));

    // Mutated (the base64 JSON Patch applied by the API server), then validated.
    Moose manfred;
    manfred.metadata.name = "manfred";
    manfred.spec.height = 120;
    Moose created = co_await mooses.create({}, manfred);
    EXPECT_EQ(created.metadata.labels.value_or(std::map<std::string, std::string>{})["nps.gov/park"], "glacier");
    EXPECT_EQ(created.spec.antlers, "velvet");
    EXPECT_EQ(created.spec.height, 120);
    EXPECT_EQ((co_await mooses.get("manfred")).spec.antlers, "velvet");

    // Updates and deletes go through them too.
    co_await mooses.patch("manfred", {}, Patch::from_json(PatchType::Merge, R"({"spec":{"antlers":"large"}})"));
    EXPECT_EQ((co_await mooses.get("manfred")).spec.antlers, "large");
    co_await mooses.remove("manfred");
    EXPECT_GE(server.stats().patched, 1u);
    EXPECT_GE(server.stats().denied, 1u);
    EXPECT_GE(server.stats().reviews, 5u);  // bob (mutate + validate), manfred create (2), update (2), delete

    server.stop();
    co_await server.join();
    co_await crds.remove(crd_name);  // and with it, through the ownerReferences, the configurations
    EXPECT_TRUE(co_await testing::eventually([&]() -> net::awaitable<bool> {
      co_return !co_await Api<arv1::MutatingWebhookConfiguration>::all(client).get_opt("moose-e2e-webhooks");
    }));
  });
}

TEST_F(WebhookCluster, AMissingOwnerCrdIsAnError) {
  testing::run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), config());
    WebhookConfig webhook_config{.name = "orphan-webhooks",
                                 .webhooks = moose_webhooks(),
                                 .endpoint = WebhookUrl{"https://127.0.0.1:18443"},
                                 .owner_crd = "nothing.example.com"};
    bool not_found = false;
    try {
      co_await apply_webhook_config(client, webhook_config, test_tls());
    } catch (const ApiError& e) {
      not_found = e.is_not_found();
    }
    EXPECT_TRUE(not_found);
    EXPECT_FALSE(co_await Api<arv1::ValidatingWebhookConfiguration>::all(client).get_opt("orphan-webhooks"));
  });
}

}  // namespace
}  // namespace kube::fsm

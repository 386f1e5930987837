// Calls admission webhooks over HTTPS (Beast + OpenSSL, in admission.cc) on the server's I/O
// context without ever blocking it: the request waiting for its webhooks is suspended while other
// requests and watches go on (the webhook server may even be a client of this API server).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "apiserver/api.h"

namespace boost::asio {
class io_context;
}

namespace kube::apiserver {

struct Admission;

class WebhookClient {
 public:
  explicit WebhookClient(boost::asio::io_context& io);
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  /// Calls the webhooks of `admission->items` (per item: mutating ones in series, each seeing the
  /// previous one's patch; validating ones in parallel), each with its own deadline
  /// (timeoutSeconds). Then runs `done` on the I/O context: with nullopt when every call allowed
  /// (the results recorded with Admission::finish_round), else with the Status the request fails
  /// with (a denial; a failed call under failurePolicy Fail; an unusable reply).
  void run(std::shared_ptr<Admission> admission, std::function<void(std::optional<ApiResponse>)> done);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace kube::apiserver

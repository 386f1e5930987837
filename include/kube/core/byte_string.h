// kube::ByteString: binary data carried as base64 in JSON (Secret data, ConfigMap binaryData, CSRs).
// Holds the decoded bytes; encoding writes standard base64 with padding.
//
// Example:
//   secret.data.emplace()["password"] = kube::ByteString{"s3cret"};
//   std::string_view pw = secret.data->at("password").bytes;
#pragma once

#include <string>
#include <string_view>

#include "kube/core/json_fwd.h"

namespace kube {

/// Standard base64 (RFC 4648 section 4) with padding.
std::string base64_encode(std::string_view bytes);
/// Decodes standard base64; padding is optional. Throws InvalidArgument on malformed input.
std::string base64_decode(std::string_view text);

struct ByteString {
  std::string bytes;

  bool operator==(const ByteString&) const = default;
};

void read_json(json::Reader& in, ByteString& out);
void write_json(json::Writer& out, const ByteString& in);

}  // namespace kube

// Who is calling: static bearer tokens (kube-apiserver's --token-file CSV format) and client
// certificates signed by the server's CA (CN = user, O = groups).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "apiserver/api.h"

namespace kube::apiserver {

class TokenAuthenticator {
 public:
  /// Lines "token,user,uid[,"group1,group2"]"; blank lines and '#' comments ignored. Throws
  /// kube::Error naming the line for malformed input.
  void load_csv(std::string_view text);
  void add(std::string token, UserInfo user);
  /// The user of an "Authorization: Bearer ..." header value, or nullopt.
  std::optional<UserInfo> authenticate(std::string_view authorization_header) const;

 private:
  std::map<std::string, UserInfo, std::less<>> tokens_;
};

}  // namespace kube::apiserver

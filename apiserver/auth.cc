#include "apiserver/auth.h"

#include "kube/core/error.h"

namespace kube::apiserver {

namespace {

// One CSV record with double-quoted fields ("" is a quote inside quotes).
std::vector<std::string> parse_csv_line(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back().push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back().push_back(c);
    }
  }
  if (quoted) throw Error("unterminated quote");
  return fields;
}

}  // namespace

void TokenAuthenticator::load_csv(std::string_view text) {
  std::size_t line_number = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> fields;
    try {
      fields = parse_csv_line(line);
    } catch (const Error& e) {
      throw Error("token file line " + std::to_string(line_number) + ": " + e.what());
    }
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty()) {
      throw Error("token file line " + std::to_string(line_number) + ": expected token,user,uid[,\"groups\"]");
    }
    UserInfo user{fields[1], fields[2], {}};
    if (fields.size() > 3) {
      std::string_view groups = fields[3];
      while (!groups.empty()) {
        auto comma = groups.find(',');
        if (comma != 0) user.groups.emplace_back(groups.substr(0, comma));
        if (comma == std::string_view::npos) break;
        groups.remove_prefix(comma + 1);
      }
    }
    add(fields[0], std::move(user));
  }
}

void TokenAuthenticator::add(std::string token, UserInfo user) {
  user.groups.push_back("system:authenticated");
  tokens_[std::move(token)] = std::move(user);
}

std::optional<UserInfo> TokenAuthenticator::authenticate(std::string_view header) const {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.substr(0, kBearer.size()) != kBearer) return std::nullopt;
  std::string_view token = header.substr(kBearer.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  return it->second;
}

}  // namespace kube::apiserver

// Uses the installed headers and library: generated types, JSON, requests, selectors.
#include <iostream>

#include "kube/api/apps/v1.h"
#include "kube/core/request.h"
#include "kube/core/selector.h"

int main() {
  auto d = kube::json::decode<kube::api::apps::v1::Deployment>(
      R"({"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3}})");
  auto request = kube::Request::of<kube::api::apps::v1::Deployment>("prod").list({.label_selector = "app=web"});
  bool matches = kube::LabelSelector::parse("app=web").matches(kube::labels_of(d.metadata));
  std::cout << kube::name_of(d) << " " << *d.spec->replicas << " " << request.target << " " << matches << "\n";
  return kube::json::encode(d).find("\"replicas\":3") == std::string::npos;
}

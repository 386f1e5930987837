// The generated API types: coverage of the spec, naming, type mapping, docs, recursion.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <type_traits>

#include "kube/api/all.h"
#include "kube/core/builtin_resources.h"
#include "kube/core/dom.h"
#include "support/paths.h"

namespace kube {
namespace {

namespace core = api::core::v1;
namespace meta = api::meta::v1;
namespace ext = api::apiextensions::v1;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using testing::binary_dir;
using testing::source_dir;

// Type mapping rules, checked at compile time.
static_assert(std::is_same_v<decltype(core::Pod::metadata), meta::ObjectMeta>);  // kinds: always present
static_assert(std::is_same_v<decltype(core::Pod::spec), OptionalBox<core::PodSpec>>);
static_assert(std::is_same_v<decltype(core::PodSpec::containers), std::vector<core::Container>>);  // required
static_assert(std::is_same_v<decltype(core::Container::name), std::string>);                       // required
static_assert(std::is_same_v<decltype(core::Container::image), std::optional<std::string>>);
static_assert(std::is_same_v<decltype(core::ContainerPort::container_port), std::int32_t>);
static_assert(std::is_same_v<decltype(meta::ObjectMeta::generation), std::optional<std::int64_t>>);
static_assert(std::is_same_v<decltype(meta::ObjectMeta::labels), std::optional<std::map<std::string, std::string>>>);
static_assert(std::is_same_v<decltype(meta::ObjectMeta::creation_timestamp), std::optional<Time>>);
static_assert(std::is_same_v<decltype(meta::ManagedFieldsEntry::fields_v1), std::optional<json::Raw>>);
static_assert(std::is_same_v<decltype(core::ContainerPort::protocol), std::optional<std::string>>);
static_assert(std::is_same_v<decltype(core::HTTPGetAction::port), IntOrString>);
static_assert(std::is_same_v<decltype(core::ResourceRequirements::limits), std::optional<std::map<std::string, Quantity>>>);
static_assert(std::is_same_v<decltype(core::Secret::data), std::optional<std::map<std::string, ByteString>>>);
static_assert(std::is_same_v<decltype(api::apps::v1::ControllerRevision::data), std::optional<json::Raw>>);
static_assert(std::is_same_v<decltype(api::events::v1::Event::event_time), MicroTime>);
static_assert(std::is_same_v<decltype(ext::JSONSchemaProps::not_), OptionalBox<ext::JSONSchemaProps>>);  // recursion
// C++ keywords are renamed with a trailing underscore; camelCase becomes snake_case.
static_assert(std::is_same_v<decltype(meta::ObjectMeta::namespace_), std::optional<std::string>>);
static_assert(std::is_same_v<decltype(meta::ListMeta::continue_), std::optional<std::string>>);
static_assert(std::is_same_v<decltype(api::apps::v1::DeploymentSpec::template_), core::PodTemplateSpec>);
static_assert(std::is_same_v<decltype(meta::LabelSelectorRequirement::operator_), std::string>);
static_assert(std::is_same_v<decltype(ext::JSONSchemaProps::default_), std::optional<json::Raw>>);
static_assert(std::is_same_v<decltype(ext::JSONSchemaProps::ref), std::optional<std::string>>);  // "$ref"
static_assert(std::is_same_v<decltype(ext::JSONSchemaProps::x_kubernetes_int_or_string), std::optional<bool>>);
static_assert(std::is_same_v<decltype(ext::CustomResourceValidation::open_api_v3_schema), OptionalBox<ext::JSONSchemaProps>>);
static_assert(std::is_same_v<decltype(core::PodStatus::pod_ips), std::optional<std::vector<core::PodIP>>>);
static_assert(std::is_same_v<decltype(core::Container::stdin_once), std::optional<bool>>);
// Kinds know their group, version, kind, plural and scope.
static_assert(api::batch::v1::CronJob::plural == "cronjobs" && api::batch::v1::CronJob::scope == Scope::Namespaced);
static_assert(api::storage::v1::StorageClass::scope == Scope::Cluster);
static_assert(api::autoscaling::v2::HorizontalPodAutoscaler::api_version == "autoscaling/v2");

TEST(GeneratedTypes, EveryDefinitionOfTheSpecIsGenerated) {
  json::Value spec = json::parse(read_file(source_dir() / "api/swagger.json"));
  const auto& definitions = spec.at("definitions").as_object();
  int structs = 0, kinds = 0;
  std::map<std::string, std::string> headers;  // group-version path -> text
  for (const auto& def : definitions) {
    std::string name(def.key());
    if (!def.value().as_object().contains("properties")) continue;  // value types and free-form JSON
    std::string prefix = name.substr(0, name.rfind('.'));
    std::string type = name.substr(name.rfind('.') + 1);
    std::string path;
    if (prefix.rfind("io.k8s.api.", 0) == 0) {
      path = prefix.substr(11);
    } else {
      auto apis = prefix.find(".apis.");
      path = apis != std::string::npos ? prefix.substr(apis + 6) : prefix.substr(prefix.rfind(".pkg.") + 5);
    }
    std::replace(path.begin(), path.end(), '.', '/');
    auto& text = headers[path];
    if (text.empty()) text = read_file(binary_dir() / "generated/include/kube/api" / (path + ".h"));
    ASSERT_FALSE(text.empty()) << "no header for " << path;
    EXPECT_NE(text.find("struct " + type + " {"), std::string::npos) << name;
    ++structs;
    if (def.value().as_object().contains("x-kubernetes-group-version-kind")) ++kinds;
  }
  EXPECT_GT(structs, 650);
  EXPECT_GT(kinds, 150);
}

TEST(GeneratedTypes, EveryRestResourceOfTheSpecIsInTheTable) {
  json::Value spec = json::parse(read_file(source_dir() / "api/swagger.json"));
  std::set<std::string> expected;
  for (const auto& p : spec.at("paths").as_object()) {
    std::string path(p.key());
    if (path.find("/watch/") != std::string::npos || path.find('{') != std::string::npos) continue;
    // Collection endpoints with a list action: /api/v1/pods, /apis/apps/v1/deployments.
    const auto& item = p.value().as_object();
    const json::Value* action = item.contains("get") ? item.at("get").as_object().if_contains("x-kubernetes-action") : nullptr;
    if (!action || action->as_string() != "list") continue;
    expected.insert(path.substr(path.rfind('/') + 1));
  }
  std::set<std::string> actual;
  for (const auto& r : builtin_resources()) actual.insert(std::string(r.plural));
  for (const auto& plural : expected) EXPECT_TRUE(actual.count(plural)) << plural;
}

TEST(GeneratedTypes, DocsComeFromTheSpec) {
  std::string header = read_file(binary_dir() / "generated/include/kube/api/core/v1.h");
  EXPECT_NE(header.find("/// Pod is a collection of containers that can run on a host."), std::string::npos);
  std::string meta = read_file(binary_dir() / "generated/include/kube/api/meta/v1.h");
  EXPECT_NE(meta.find("/// Name must be unique within a namespace. Is required when creating resources,"), std::string::npos);
}

TEST(GeneratedTypes, RecursiveSchemasRoundTrip) {
  const char* crd = R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"widgets.example.com"},
    "spec":{"group":"example.com","names":{"kind":"Widget","plural":"widgets"},"scope":"Namespaced",
      "versions":[{"name":"v1","served":true,"storage":true,
        "schema":{"openAPIV3Schema":{"type":"object","properties":{
          "spec":{"type":"object","required":["size"],"properties":{
            "size":{"type":"integer","minimum":1,"default":3},
            "port":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
            "tags":{"type":"array","items":{"type":"string","enum":["a","b"]}},
            "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
            "nested":{"type":"object","not":{"required":["x"]},"additionalProperties":{"type":"string"}}}}}}},
        "additionalPrinterColumns":[{"name":"Size","type":"integer","jsonPath":".spec.size"}]}]}})";
  auto c = json::decode<ext::CustomResourceDefinition>(crd);
  const auto& schema = *c.spec.versions.at(0).schema->open_api_v3_schema;
  const auto& spec = schema.properties->at("spec");
  EXPECT_EQ(spec.properties->at("size").default_->text(), "3");
  EXPECT_EQ(spec.properties->at("size").minimum, 1.0);
  EXPECT_EQ(spec.properties->at("port").x_kubernetes_int_or_string, true);
  EXPECT_EQ(spec.properties->at("port").any_of->size(), 2u);
  EXPECT_EQ(spec.properties->at("tags").items->text(), R"({"type":"string","enum":["a","b"]})");
  EXPECT_TRUE(spec.properties->at("nested").not_);
  std::string out = json::encode(c);
  EXPECT_TRUE(json::equal(json::parse(out), json::parse(crd))) << out;
  EXPECT_EQ(json::decode<ext::CustomResourceDefinition>(out), c);
}

}  // namespace
}  // namespace kube

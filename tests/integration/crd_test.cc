// CustomResourceDefinitions: established at once, discovery updated, schema validation with
// causes, pruning, defaults, status subresource, and deletion of the instances with the CRD.
#include <gtest/gtest.h>

#include "kube/api/apiextensions/v1.h"
#include "kube/apiserver/server.h"
#include "kube/client/api.h"
#include "kube/client/discovery.h"
#include "kube/core/dom.h"
#include "kube/core/dynamic_object.h"
#include "support/async.h"

namespace kube {
namespace {

namespace net = boost::asio;
using api::apiextensions::v1::CustomResourceDefinition;
using testing::run_async;

constexpr const char* kCrd = R"({
  "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
  "metadata": {"name": "mooses.animals.com"},
  "spec": {"group": "animals.com", "scope": "Namespaced",
    "names": {"kind": "Moose", "plural": "mooses", "singular": "moose", "shortNames": ["mo"]},
    "versions": [{"name": "v1", "served": true, "storage": true,
      "subresources": {"status": {}},
      "additionalPrinterColumns": [{"name": "Phase", "type": "string", "jsonPath": ".status.phase"}],
      "schema": {"openAPIV3Schema": {"type": "object", "properties": {
        "spec": {"type": "object", "required": ["height"], "properties": {
          "height": {"type": "number", "minimum": 0},
          "antlers": {"type": "boolean"},
          "mode": {"type": "string", "enum": ["wild", "tame"], "default": "wild"}}},
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}}]}})";

json::Value moose(std::string name, std::string spec) {
  return json::parse(R"({"apiVersion":"animals.com/v1","kind":"Moose","metadata":{"name":")" + name +
                     R"("},"spec":)" + spec + "}");
}

TEST(Crd, Lifecycle) {
  apiserver::Server server({.listen = "127.0.0.1:0"});
  server.start();
  run_async([&](net::io_context& io) -> net::awaitable<void> {
    Client client(io.get_executor(), Config::from_kubeconfig_text(server.kubeconfig()));
    auto crds = Api<CustomResourceDefinition>::all(client);
    CustomResourceDefinition crd = co_await crds.create({}, json::decode<CustomResourceDefinition>(kCrd));
    bool established = false;
    for (const auto& c : crd.status->conditions.value_or(std::vector<api::apiextensions::v1::CustomResourceDefinitionCondition>{})) {
      if (c.type == "Established" && c.status == "True") established = true;
    }
    EXPECT_TRUE(established);

    Discovery discovery(client);
    co_await discovery.run();
    auto resolved = discovery.resolve_name("mo");
    EXPECT_TRUE(resolved.has_value());
    auto ar = ApiResource::from_gvk({"animals.com", "v1", "Moose"}, "mooses");
    auto mooses = Api<DynamicObject>::namespaced_with(client, "default", ar);

    // defaults applied, unknown fields pruned
    auto created = co_await mooses.create({}, json::from_dom<DynamicObject>(moose("manfred", R"({"height":2.1,"color":"brown"})")));
    EXPECT_EQ(created.data.at("spec").at("mode").as_string(), "wild");
    EXPECT_FALSE(created.data.at("spec").as_object().contains("color"));
    EXPECT_EQ(created.metadata.generation, 1);

    // schema violations: 422 with causes
    try {
      co_await mooses.create({}, json::from_dom<DynamicObject>(moose("bad", R"({"height":-1,"mode":"grumpy"})")));
      ADD_FAILURE() << "invalid moose accepted";
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_invalid()) << e.what();
      const auto& causes = e.status().details->causes;
      CO_ASSERT_TRUE(causes.has_value());
      std::set<std::string> fields;
      for (const auto& c : *causes) fields.insert(c.field.value_or(""));
      EXPECT_TRUE(fields.count("spec.height") || fields.count(".spec.height")) << e.what();
      EXPECT_TRUE(fields.count("spec.mode") || fields.count(".spec.mode")) << e.what();
    }
    // fieldValidation=Strict rejects unknown fields instead of pruning them
    try {
      co_await mooses.create({.field_validation = FieldValidation::Strict},
                             json::from_dom<DynamicObject>(moose("strict", R"({"height":1,"color":"x"})")));
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 400) << e.what();
      EXPECT_NE(e.message().find("unknown field \"spec.color\""), std::string_view::npos) << e.what();
    }

    // status subresource: the main resource ignores status, /status ignores the rest
    DynamicObject with_status = created;
    with_status.data["status"] = json::Object{{"phase", "Roaming"}};
    with_status.data["spec"].as_object()["height"] = 3.0;
    DynamicObject main_update = co_await mooses.replace("manfred", {}, with_status);
    EXPECT_FALSE(main_update.data.contains("status"));
    EXPECT_EQ(main_update.metadata.generation, 2);
    main_update.data["status"] = json::Object{{"phase", "Roaming"}};
    DynamicObject status_update = co_await mooses.replace_status("manfred", {}, main_update);
    EXPECT_EQ(status_update.data.at("status").at("phase").as_string(), "Roaming");
    EXPECT_EQ(status_update.metadata.generation, 2);

    // an update needs a resourceVersion for custom resources
    DynamicObject no_rv = status_update;
    no_rv.metadata.resource_version.reset();
    try {
      co_await mooses.replace("manfred", {}, no_rv);
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_invalid()) << e.what();
    }

    // deleting the CRD deletes its objects and its endpoints
    co_await crds.remove("mooses.animals.com");
    co_await discovery.run();
    EXPECT_FALSE(discovery.resolve_name("mo").has_value());
    try {
      co_await mooses.list();
      ADD_FAILURE();
    } catch (const ApiError& e) {
      EXPECT_TRUE(e.is_not_found()) << e.what();
    }
  });
  server.stop();
}

}  // namespace
}  // namespace kube

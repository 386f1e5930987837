// Tests for apiserver/managed_fields.h: FieldsV1 field sets, their shape from the real API spec,
// merging applied configurations, and Update tracking.
#include "apiserver/managed_fields.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "apiserver/resource_info.h"
#include "kube/core/dom.h"
#include "support/paths.h"

namespace {

using kube::apiserver::FieldSet;
using kube::apiserver::ResourceInfo;
using kube::apiserver::SchemaNode;
using kube::json::Value;

Value J(std::string_view text) { return kube::json::parse(text); }
std::string S(const Value& v) { return kube::json::serialize(v); }

class ManagedFieldsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::ifstream in(kube::testing::source_dir() / "api" / "swagger.json");
    std::stringstream text;
    text << in.rdbuf();
    spec_ = new Value(kube::json::parse(text.str()));
  }
  static void TearDownTestSuite() {
    delete spec_;
    spec_ = nullptr;
  }
  static const kube::json::Object& definitions() { return spec_->at("definitions").as_object(); }
  static ResourceInfo builtin(std::string group, std::string kind, std::string definition, bool has_status) {
    ResourceInfo r;
    r.group = std::move(group);
    r.version = "v1";
    r.kind = std::move(kind);
    r.definition = std::move(definition);
    r.has_status = has_status;
    return r;
  }
  static ResourceInfo pod() { return builtin("", "Pod", "io.k8s.api.core.v1.Pod", true); }
  static ResourceInfo config_map() { return builtin("", "ConfigMap", "io.k8s.api.core.v1.ConfigMap", false); }
  static std::string fields(const ResourceInfo& r, std::string_view object) {
    return S(kube::apiserver::fields_of(J(object), SchemaNode::of(r, definitions())).to_json());
  }

  static Value* spec_;
};
Value* ManagedFieldsTest::spec_ = nullptr;

TEST_F(ManagedFieldsTest, FieldsV1RoundTripAndSetAlgebra) {
  Value wire = J(R"({"f:data":{".":{},"f:a":{},"f:b":{}},"f:metadata":{"f:labels":{"f:x":{}}}})");
  FieldSet set = FieldSet::from_json(wire);
  EXPECT_EQ(S(set.to_json()), S(wire));
  FieldSet other = FieldSet::from_json(J(R"({"f:data":{"f:b":{},"f:c":{}}})"));
  EXPECT_EQ(S(set.intersect(other).to_json()), R"({"f:data":{"f:b":{}}})");
  FieldSet left = set;
  left.subtract(other);
  EXPECT_EQ(S(left.to_json()), R"({"f:data":{".":{},"f:a":{}},"f:metadata":{"f:labels":{"f:x":{}}}})");
  FieldSet both = left;
  both.unite(other);
  EXPECT_EQ(S(both.to_json()), R"({"f:data":{".":{},"f:a":{},"f:b":{},"f:c":{}},"f:metadata":{"f:labels":{"f:x":{}}}})");
  // Removing every child of a node that is itself in the set leaves the node as a leaf.
  FieldSet data = FieldSet::from_json(J(R"({"f:data":{".":{},"f:a":{}}})"));
  data.subtract(FieldSet::from_json(J(R"({"f:data":{"f:a":{}}})")));
  EXPECT_EQ(S(data.to_json()), R"({"f:data":{}})");
  EXPECT_THROW(FieldSet::from_json(J(R"({"x:bad":{}})")), std::invalid_argument);
  EXPECT_THROW(FieldSet::from_json(J(R"({"f:a":1})")), std::invalid_argument);
}

TEST_F(ManagedFieldsTest, ShapeFollowsTheSpec) {
  // Granular maps get ".", structs do not; containers are keyed by name, ports by
  // containerPort+protocol; args are atomic; finalizers are a set; LabelSelector is atomic.
  EXPECT_EQ(fields(pod(), R"({"metadata":{"labels":{"app":"web"},"finalizers":["a"]},
      "spec":{"containers":[{"name":"c","image":"i","args":["x","y"],
                             "ports":[{"containerPort":80,"protocol":"TCP"}]}]}})"),
            R"({"f:metadata":{"f:finalizers":{"v:\"a\"":{}},"f:labels":{".":{},"f:app":{}}},)"
            R"("f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:args":{},"f:image":{},"f:name":{},)"
            R"("f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}}}}}})");
  ResourceInfo deployment = builtin("apps", "Deployment", "io.k8s.api.apps.v1.Deployment", true);
  EXPECT_EQ(fields(deployment, R"({"spec":{"selector":{"matchLabels":{"a":"b"}}}})"),
            R"({"f:spec":{"f:selector":{}}})");
  // Empty structs and lists are fields themselves.
  EXPECT_EQ(fields(config_map(), R"({"data":{},"metadata":{"finalizers":[]}})"),
            R"({"f:data":{},"f:metadata":{"f:finalizers":{}}})");
}

TEST_F(ManagedFieldsTest, CustomResourceSchemas) {
  ResourceInfo widget;
  widget.group = "example.com";
  widget.version = "v1";
  widget.kind = "Widget";
  widget.schema = J(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
               "items":{"type":"object","properties":{"name":{"type":"string"},"v":{"type":"integer"}}}},
      "tags":{"type":"array","items":{"type":"string"}},
      "opts":{"type":"object","additionalProperties":{"type":"string"}},
      "sel":{"type":"object","x-kubernetes-map-type":"atomic","properties":{"a":{"type":"string"}}}}}}})");
  EXPECT_EQ(fields(widget, R"({"metadata":{"labels":{"l":"1"}},"spec":{"items":[{"name":"a","v":1}],"tags":["t"],
      "opts":{"k":"v"},"sel":{"a":"b"}}})"),
            R"({"f:metadata":{"f:labels":{".":{},"f:l":{}}},"f:spec":{"f:items":{"k:{\"name\":\"a\"}":{".":{},)"
            R"("f:name":{},"f:v":{}}},"f:opts":{".":{},"f:k":{}},"f:sel":{},"f:tags":{}}})");
}

TEST_F(ManagedFieldsTest, MergeAppliedConfiguration) {
  SchemaNode schema = SchemaNode::of(pod(), definitions());
  Value live = J(R"({"metadata":{"labels":{"a":"1"},"finalizers":["x"]},"spec":{"containers":[
      {"name":"app","image":"app:1","args":["p"]},{"name":"side","image":"s:1"}]}})");
  Value config = J(R"({"metadata":{"labels":{"b":"2"},"finalizers":["y","x"]},"spec":{"containers":[
      {"name":"new","image":"n:1"},{"name":"app","image":"app:2","args":["q","r"]}]}})");
  Value merged = kube::apiserver::merge_applied(&live, config, schema);
  EXPECT_EQ(S(merged), R"({"metadata":{"labels":{"a":"1","b":"2"},"finalizers":["x","y"]},"spec":{"containers":[)"
                       R"({"name":"app","image":"app:2","args":["q","r"]},{"name":"side","image":"s:1"},)"
                       R"({"name":"new","image":"n:1"}]}})");
}

TEST_F(ManagedFieldsTest, ChangedAndRemovedFields) {
  SchemaNode schema = SchemaNode::of(config_map(), definitions());
  Value before = J(R"({"data":{"a":"1","b":"2"}})");
  Value after = J(R"({"data":{"a":"1","b":"3","c":"4"}})");
  FieldSet set = kube::apiserver::fields_of(after, schema);
  EXPECT_EQ(S(kube::apiserver::changed_fields(set, before, after).to_json()), R"({"f:data":{"f:b":{},"f:c":{}}})");
  // Removal keeps what another manager still owns below a node.
  Value object = J(R"({"data":{"a":"1","b":"2"},"binaryData":{"x":"eA=="}})");
  FieldSet remove = FieldSet::from_json(J(R"({"f:data":{".":{},"f:a":{},"f:b":{}},"f:binaryData":{".":{},"f:x":{}}})"));
  FieldSet keep = FieldSet::from_json(J(R"({"f:data":{"f:b":{}}})"));
  kube::apiserver::remove_fields(object, remove, &keep);
  EXPECT_EQ(S(object), R"({"data":{"b":"2"}})");
  // List items by key and by value.
  Value pod = J(R"({"metadata":{"finalizers":["a","b"]},"spec":{"containers":[{"name":"x"},{"name":"y"}]}})");
  kube::apiserver::remove_fields(
      pod, FieldSet::from_json(J(R"({"f:metadata":{"f:finalizers":{"v:\"a\"":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"y\"}":{}}}})")),
      nullptr);
  EXPECT_EQ(S(pod), R"({"metadata":{"finalizers":["b"]},"spec":{"containers":[{"name":"x"}]}})");
}

TEST_F(ManagedFieldsTest, PathStrings) {
  using kube::apiserver::path_string;
  EXPECT_EQ(path_string({"f:spec", "f:containers", "k:{\"name\":\"c\"}", "f:image"}), R"(.spec.containers[name="c"].image)");
  EXPECT_EQ(path_string({"f:metadata", "f:finalizers", "v:\"x\""}), R"(.metadata.finalizers[="x"])");
  EXPECT_EQ(path_string({"f:data", "f:a.b"}), ".data.a.b");
}

TEST_F(ManagedFieldsTest, UpdateTracking) {
  ResourceInfo cm = config_map();
  Value object = J(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u"},"data":{"a":"1"}})");
  kube::apiserver::track_update(nullptr, object, cm, definitions(), "creator", "");
  const auto& entries = object.at("metadata").at("managedFields").as_array();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].at("manager").as_string(), "creator");
  EXPECT_EQ(entries[0].at("operation").as_string(), "Update");
  EXPECT_EQ(S(entries[0].at("fieldsV1")), R"({"f:data":{".":{},"f:a":{}}})");
  // Another manager changes a: it takes a over; the creator keeps only the map itself.
  Value old = object;
  object.at("data").as_object()["a"] = "2";
  kube::apiserver::track_update(&old, object, cm, definitions(), "editor", "");
  const auto& after = object.at("metadata").at("managedFields").as_array();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(S(after[0].at("fieldsV1")), R"({"f:data":{}})");
  EXPECT_EQ(S(after[1].at("fieldsV1")), R"({"f:data":{"f:a":{}}})");
  EXPECT_EQ(kube::apiserver::default_manager("kubectl/v1.32.4 (linux/amd64) kubernetes/abc"), "kubectl");
  EXPECT_EQ(kube::apiserver::default_manager("Python-urllib/3.11"), "Python-urllib");
  EXPECT_EQ(kube::apiserver::default_manager(""), "unknown");
}

}  // namespace

// Declarations kube/core/custom_resource.h must refuse at compile time, one per CASE_* macro
// (compiled by tests/support/expect_compile_errors.sh, which checks each error message). Without a
// CASE_* macro this file compiles: the cases differ from valid code only in what they test.
#include <cstdint>
#include <string>

#include "kube/core/custom_resource.h"

namespace cases {

struct Spec {
  std::int32_t a = 0;
  std::string b;
};
#ifdef CASE_DUPLICATE_NAME
KUBE_FIELDS(Spec, KUBE_FIELD(a), KUBE_FIELD(b).json_name("a"));
#else
KUBE_FIELDS(Spec, KUBE_FIELD(a), KUBE_FIELD(b).json_name("c"));
#endif

#ifdef CASE_NO_JSON
using Number = long long;
#else
using Number = std::int64_t;
#endif
struct Numbers {
  Number n = 0;
};
KUBE_FIELDS(Numbers, KUBE_FIELD(n));

struct Embeds {
  kube::api::meta::v1::LabelSelector selector;
};
KUBE_FIELDS(Embeds, KUBE_FIELD(selector));
#ifndef CASE_NO_SCHEMA
kube::derive::JSONSchemaProps kube_schema(kube::derive::Tag<Embeds>) { return kube::derive::schema_of_type("object"); }
#endif

#ifdef CASE_TOO_MANY_SHORT_NAMES
KUBE_CUSTOM_RESOURCE(Thing, Spec, kube::NoStatus, .group = "example.com", .version = "v1",
                     .short_names = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
                                     "q"});
#else
KUBE_CUSTOM_RESOURCE(Thing, Spec, kube::NoStatus, .group = "example.com", .version = "v1",
                     .short_names = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p"});
#endif

void use() {
  (void)kube::derive::schema_of<Numbers>();
  (void)kube::derive::schema_of<Embeds>();
  (void)Thing::crd();
}

}  // namespace cases

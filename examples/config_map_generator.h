// ConfigMapGenerator: the custom resource of the examples, declared from plain structs
// (crd_derive prints its CRD; configmapgen_controller reconciles it; crd_reflector caches it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kube/core/custom_resource.h"

namespace example {

/// How generated ConfigMaps get their data.
enum class Mode { Copy, Merge };
KUBE_ENUM(Mode, {Mode::Copy, "Copy"}, {Mode::Merge, "Merge"});

struct ConfigMapGeneratorSpec {
  std::map<std::string, std::string> content;
  std::optional<std::int32_t> replicas;
  Mode mode = Mode::Copy;
  std::optional<std::map<std::string, std::string>> labels;

  bool operator==(const ConfigMapGeneratorSpec&) const = default;
};
KUBE_FIELDS(ConfigMapGeneratorSpec,
            KUBE_FIELD(content).doc("Keys and values of every generated ConfigMap."),
            KUBE_FIELD(replicas).doc("How many ConfigMaps to generate.").minimum(0),
            KUBE_FIELD(mode).doc("Copy replaces the ConfigMaps' data; Merge keeps keys it does not set.").defaulted(),
            KUBE_FIELD(labels).doc("Labels of the generated ConfigMaps."));

struct GeneratorCondition {
  std::string type;
  std::string status;
  std::optional<std::string> message;

  bool operator==(const GeneratorCondition&) const = default;
};
KUBE_FIELDS(GeneratorCondition, KUBE_FIELD(type), KUBE_FIELD(status), KUBE_FIELD(message));

struct ConfigMapGeneratorStatus {
  std::optional<std::int32_t> replicas;
  std::optional<std::vector<std::string>> generated;
  std::optional<std::vector<GeneratorCondition>> conditions;

  bool operator==(const ConfigMapGeneratorStatus&) const = default;
};
KUBE_FIELDS(ConfigMapGeneratorStatus,
            KUBE_FIELD(replicas).doc("How many ConfigMaps exist."),
            KUBE_FIELD(generated).doc("Names of the generated ConfigMaps."),
            KUBE_FIELD(conditions));

KUBE_CUSTOM_RESOURCE(ConfigMapGenerator, ConfigMapGeneratorSpec, ConfigMapGeneratorStatus,
                     .group = "example.kube-cpp.dev",
                     .version = "v1",
                     .short_names = {"cmg"},
                     .categories = {"all"},
                     .printer_columns = {{.name = "Mode", .type = "string", .json_path = ".spec.mode"},
                                         {.name = "Replicas", .type = "integer", .json_path = ".spec.replicas"},
                                         {.name = "Ready", .type = "integer", .json_path = ".status.replicas"},
                                         {.name = "Age", .type = "date", .json_path = ".metadata.creationTimestamp"}},
                     .scale = kube::ScaleSubresource{.spec_replicas_path = ".spec.replicas",
                                                     .status_replicas_path = ".status.replicas"},
                     .description = "Generates ConfigMaps with the same content.");

}  // namespace example

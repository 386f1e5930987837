// The Moose custom resource (mooses.animals.com/v1), declared from plain structs: its CRD, with the
// Phase and Message printer columns, is derived from them (Moose::crd()). Shared by the operator
// and the demo driver.
#pragma once

#include <optional>
#include <string>

#include "kube/core/custom_resource.h"

namespace animals {

struct MooseSpec {
  std::optional<double> height;
  std::optional<double> weight;
  std::optional<bool> antlers;
  bool operator==(const MooseSpec&) const = default;
};
KUBE_FIELDS(MooseSpec, KUBE_FIELD(height).doc("Metres."), KUBE_FIELD(weight).doc("Kilograms."),
            KUBE_FIELD(antlers));

struct MooseStatus {
  std::optional<std::string> phase;
  std::optional<std::string> message;
  bool operator==(const MooseStatus&) const = default;
  static MooseStatus failed(std::string message) { return {"Failed", std::move(message)}; }
};
KUBE_FIELDS(MooseStatus, KUBE_FIELD(phase).doc("The moose's state."), KUBE_FIELD(message).doc("Moose details."));

KUBE_CUSTOM_RESOURCE(Moose, MooseSpec, MooseStatus, .group = "animals.com", .version = "v1",
                     .printer_columns = {{.name = "Phase", .type = "string", .json_path = ".status.phase",
                                          .description = "The moose's status."},
                                         {.name = "Message", .type = "string", .json_path = ".status.message",
                                          .description = "Moose details."}},
                     .description = "A moose of Glacier National Park.");

/// The label that puts a moose under the operator's care.
inline constexpr const char* kParkLabel = "nps.gov/park";
inline constexpr const char* kPark = "glacier";

}  // namespace animals

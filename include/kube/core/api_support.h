// Everything the generated Kubernetes API types (kube/api/<group>/<version>.h) build on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kube/core/byte_string.h"
#include "kube/core/int_or_string.h"
#include "kube/core/json.h"
#include "kube/core/optional_box.h"
#include "kube/core/quantity.h"
#include "kube/core/scope.h"
#include "kube/core/time.h"

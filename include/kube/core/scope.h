// Whether a Kubernetes resource lives in a namespace.
#pragma once

namespace kube {

enum class Scope { Namespaced, Cluster };

}  // namespace kube

#include "kube/runtime/wait.h"

#include <algorithm>

namespace kube::runtime::conditions {

namespace {

template <class Conditions>
bool condition_true(const Conditions& list, std::string_view type) {
  if (!list) return false;
  return std::any_of(list->begin(), list->end(), [&](const auto& c) { return c.type == type && c.status == "True"; });
}

}  // namespace

bool is_crd_established(const api::apiextensions::v1::CustomResourceDefinition* crd) {
  return crd && crd->status && condition_true(crd->status->conditions, "Established");
}

bool is_pod_running(const api::core::v1::Pod* pod) {
  return pod && pod->status && pod->status->phase == "Running";
}

bool is_job_completed(const api::batch::v1::Job* job) {
  return job && job->status && condition_true(job->status->conditions, "Complete");
}

bool is_job_failed(const api::batch::v1::Job* job) {
  return job && job->status && condition_true(job->status->conditions, "Failed");
}

}  // namespace kube::runtime::conditions

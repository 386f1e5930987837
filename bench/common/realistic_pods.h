// Realistic Pod JSON for benchmarks: tests/fixtures/pod-with-managed-fields.json (two containers
// with ports, env, mounts, probes and resources; three volumes; four conditions; two container
// statuses; managedFields of two managers) with names, uids, IPs and versions varied per pod.
#pragma once

#include <string>

namespace kube::bench {

/// Compact JSON of pod number `index` (deterministic).
std::string realistic_pod(int index);
/// A v1 PodList of `count` realistic pods, compact JSON.
std::string realistic_pod_list(int count);
/// Size of the managedFields part of realistic_pod(index), in bytes.
std::size_t managed_fields_bytes(int index);
/// Peak resident set size of this process so far, in MiB.
double peak_rss_mib();

}  // namespace kube::bench

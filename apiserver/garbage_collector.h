// The garbage collector (a controller, run in process like the namespace controller): deletes
// objects whose owners (metadata.ownerReferences, matched by uid) are all gone, and carries out
// the Foreground and Orphan deletion policies through the `foregroundDeletion` and `orphan`
// finalizers.
//
// It learns about objects from the store's durable events (Api::Impl::dispatch calls observe)
// and keeps a reverse index owner uid -> dependents. Work is queued and done by run(), which the
// Api calls after each request and after events that arrive outside a request, so a handler never
// sees the GC change objects under it. Owners are looked up live by their coordinates (apiVersion,
// kind, name; the dependent's namespace for namespaced owners) and compared by uid, as
// Kubernetes' collector does after its graph says an owner may be missing.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "apiserver/api.h"
#include "apiserver/store.h"
#include "kube/core/dom.h"

namespace kube::apiserver {

struct ResourceInfo;

/// DELETE's propagationPolicy after reading DeleteOptions ("" = not given: the default).
enum class Propagation { Default, Background, Foreground, Orphan };

/// The propagation policy of DeleteOptions (body merged with the query), including the legacy
/// `orphanDependents`. Throws ApiFailure (400/422) for bad values.
Propagation propagation_of(const json::Object& options);

class GarbageCollector {
 public:
  explicit GarbageCollector(Api::Impl& api);

  /// Indexes every stored object (after the store is opened) and checks those with owners.
  void bootstrap();
  /// A durable store event: updates the index and queues the work it implies.
  void observe(const StoreEvent& event);
  /// Does the queued work (re-entrant calls only queue).
  void run();

  /// DELETE of one object with a policy: Foreground and Orphan set deletionTimestamp and add their
  /// finalizer; Background/Default delete at once (finalizers respected). Returns the body object
  /// and the revision, like Api::Impl::delete_object.
  std::pair<std::string, std::uint64_t> delete_with_policy(const ResourceInfo& resource, const ObjectPtr& current,
                                                           Propagation policy, bool dry_run);

 private:
  struct OwnerRef {
    std::string api_version, kind, name, uid;
    bool block = false;
    bool operator==(const OwnerRef&) const = default;
  };
  enum class Work { Attempt, Owner };  // check a dependent / an owner being deleted

  static std::vector<OwnerRef> owners_in(const json::Value& object);
  void index_object(const std::string& key, std::vector<OwnerRef> refs);
  void queue(Work work, const std::string& key);
  void queue_owner_ref(const OwnerRef& ref, const std::string& dependent_key, const std::string& ns);
  const ResourceInfo* resource_of_key(std::string_view key) const;
  /// The key an owner reference points at (empty when its kind is unknown).
  std::string owner_key(const OwnerRef& ref, std::string_view dependent_ns, bool& unresolvable,
                        bool& invalid_scope) const;

  void attempt(const std::string& key);
  void process_owner(const std::string& key);
  /// Removes `finalizer` from the object at `key`; deletes it when none remain.
  void remove_finalizer(const std::string& key, std::string_view finalizer);
  /// Removes the ownerReferences with these uids from the object at `key`.
  void remove_owner_refs(const std::string& key, const std::set<std::string>& uids);

  Api::Impl& api_;
  std::unordered_map<std::string, std::set<std::string>> dependents_;  // owner uid -> dependent keys
  std::unordered_map<std::string, std::vector<OwnerRef>> owners_;      // dependent key -> its references
  std::deque<std::pair<Work, std::string>> queue_;
  std::set<std::pair<Work, std::string>> queued_;
  bool running_ = false;
};

}  // namespace kube::apiserver

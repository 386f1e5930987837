// kube::runtime::finalizer: run cleanup before an object is deleted, exactly once per deletion.
//
// A controller that owns something outside Kubernetes (or wants to see deletions at all) puts a
// finalizer on its objects. Then a DELETE only sets deletionTimestamp; the object stays until the
// controller has cleaned up and removed its finalizer. `finalizer()` does the bookkeeping:
//
//   not deleting, finalizer absent  -> add it (JSON patch), return await_change (the patch's own
//                                      event brings the object back, now with the finalizer)
//   not deleting, finalizer present -> on_event(Apply, object)
//   deleting, finalizer present     -> on_event(Cleanup, object); when it returns, remove the
//                                      finalizer (JSON patch) so the deletion completes
//   deleting, finalizer absent      -> nothing (someone else's finalizer holds the object)
//
// Both patches begin with a `test` operation, so a patch computed from a stale cache fails (422)
// instead of clobbering finalizers another controller changed meanwhile; the error goes to the
// controller's error policy and the reconcile is retried on fresh state.
//
// Example, inside a reconcile:
//   co_return co_await finalizer(api, "example.com/cleanup", object,
//       [&](FinalizerEvent event, std::shared_ptr<const Foo> foo) -> awaitable<Action> {
//         if (event == FinalizerEvent::Cleanup) co_await delete_external_thing(*foo);
//         else co_await ensure_external_thing(*foo);
//         co_return Action::await_change();
//       });
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kube/client/api.h"
#include "kube/runtime/controller.h"

namespace kube::runtime {

enum class FinalizerEvent {
  Apply,    // the object exists and carries our finalizer: reconcile it
  Cleanup,  // the object is being deleted: release what it holds
};

/// A JSON patch adding `finalizer` to `meta` (test + add).
Patch add_finalizer_patch(const ObjectMeta& meta, std::string_view finalizer);
/// A JSON patch removing `finalizer` from `meta` (test + remove). Requires has_finalizer().
Patch remove_finalizer_patch(const ObjectMeta& meta, std::string_view finalizer);

template <class K, class OnEvent>
boost::asio::awaitable<Action> finalizer(const Api<K>& api, std::string_view name, std::shared_ptr<const K> object,
                                         OnEvent on_event) {
  const ObjectMeta& meta = object->metadata;
  bool present = has_finalizer(meta, name);
  if (!is_being_deleted(meta)) {
    if (!present) {
      co_await api.patch(std::string(name_of(meta)), {}, add_finalizer_patch(meta, name));
      co_return Action::await_change();
    }
    co_return co_await on_event(FinalizerEvent::Apply, std::move(object));
  }
  if (!present) co_return Action::await_change();
  std::string object_name(name_of(meta));
  Patch remove = remove_finalizer_patch(meta, name);
  Action action = co_await on_event(FinalizerEvent::Cleanup, std::move(object));
  co_await api.patch(std::move(object_name), {}, std::move(remove));
  co_return action;
}

}  // namespace kube::runtime

// LIST (selectors, resourceVersion semantics, limit/continue from a consistent snapshot) and
// WATCH (initial events, resumption from history, bookmarks, streaming lists).
#include <boost/json/serialize.hpp>

#include <algorithm>

#include "apiserver/api_impl.h"
#include "apiserver/garbage_collector.h"
#include "apiserver/dom_util.h"
#include "apiserver/table.h"
#include "kube/core/byte_string.h"
#include "kube/core/error.h"
#include "kube/core/selector.h"

namespace kube::apiserver {

namespace {

constexpr std::size_t kMaxQueuedBytes = std::size_t{64} << 20;  // a watcher this far behind is closed

struct Filter {
  std::string prefix;
  LabelSelector labels;
  FieldSelector fields;

  bool matches(const ObjectPtr& o) const {
    if (!o || o->key.compare(0, prefix.size(), prefix) != 0) return false;
    if (!labels.matches(o->labels)) return false;
    return fields.matches([&](std::string_view f) -> std::optional<std::string> {
      for (const auto& [name, value] : o->fields) {
        if (name == f) return value;
      }
      return std::nullopt;
    });
  }
};

Filter make_filter(const ApiRequest& request, const Target& target, const Registry& registry) {
  const ResourceInfo& resource = *target.resource;
  Filter filter;
  filter.prefix = storage_prefix(resource.group, resource.plural, resource.namespaced ? target.ns : "");
  try {
    filter.labels = LabelSelector::parse(request.param("labelSelector").value_or(""));
  } catch (const InvalidArgument& e) {
    fail(400, "BadRequest", e.what());
  }
  try {
    filter.fields = FieldSelector::parse(request.param("fieldSelector").value_or(""));
  } catch (const InvalidArgument& e) {
    fail(400, "BadRequest", e.what());
  }
  auto supported = registry.selectable_fields(resource);
  for (const auto& r : filter.fields.requirements()) {
    if (std::find(supported.begin(), supported.end(), r.field) == supported.end()) {
      fail(400, "BadRequest", "field label not supported: " + r.field);
    }
  }
  return filter;
}

std::uint64_t parse_revision(const std::string& text) {
  std::uint64_t value = 0;
  if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
    fail(400, "BadRequest", "invalid resource version \"" + text + "\": must be a decimal integer");
  }
  for (char c : text) value = value * 10 + static_cast<std::uint64_t>(c - '0');
  return value;
}

[[noreturn]] void too_large(std::uint64_t requested, std::uint64_t current) {
  ApiResponse r = status_response(504, "Timeout",
                                  "Too large resource version: " + std::to_string(requested) +
                                      ", current: " + std::to_string(current),
                                  json::Object{{"causes", json::Array{cause("ResourceVersionTooLarge", "",
                                                                            "Too large resource version")}},
                                               {"retryAfterSeconds", 1}});
  r.headers.emplace_back("Retry-After", "1");
  throw ApiFailure{std::move(r)};
}

[[noreturn]] void invalid_params(const ResourceInfo& r, std::string_view field, std::string_view message) {
  json::Array causes{cause("FieldValueForbidden", field, message)};
  std::string text = std::string(field) + ": " + std::string(message);
  fail(422, "Invalid", "ListOptions.meta.k8s.io \"\" is invalid: " + text,
       json::Object{{"group", "meta.k8s.io"}, {"kind", "ListOptions"}, {"causes", causes}});
  (void)r;
}

std::string encode_continue(std::uint64_t revision, const std::string& key) {
  json::Object token{{"v", "meta.k8s.io/v1"}, {"rv", revision}, {"start", key}};
  return base64_encode(boost::json::serialize(token));
}

std::pair<std::uint64_t, std::string> decode_continue(const std::string& token) {
  try {
    json::Value v = json::parse(base64_decode(token));
    return {v.at("rv").to_number<std::uint64_t>(), to_std(v.at("start").as_string())};
  } catch (const std::exception&) {
    fail(400, "BadRequest", "continue key is not valid: it was not produced by this server");
  }
}

std::string metadata_only(const std::string& object_json) {
  json::Value object = json::parse(object_json);
  const json::Value* meta = find_path(object, {"metadata"});
  return boost::json::serialize(json::Object{{"kind", "PartialObjectMetadata"},
                                             {"apiVersion", "meta.k8s.io/v1"},
                                             {"metadata", meta ? *meta : json::Object{}}});
}

}  // namespace

std::optional<std::string> field_value(const json::Value& object, std::string_view path) {
  const json::Value* cur = &object;
  while (!path.empty()) {
    auto dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    if (!cur->is_object()) return std::nullopt;
    cur = cur->as_object().if_contains(bsv(part));
    if (!cur) return std::nullopt;
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  if (cur->is_string()) return to_std(cur->as_string());
  if (cur->is_bool()) return cur->as_bool() ? "true" : "false";
  if (cur->is_int64()) return std::to_string(cur->as_int64());
  if (cur->is_uint64()) return std::to_string(cur->as_uint64());
  return std::nullopt;
}

std::string Api::Impl::render(const ObjectPtr& object, const ResourceInfo& resource, Format format) const {
  if (format == Format::Metadata) return metadata_only(object->json);
  if (object->api_version == resource.api_version()) return object->json;
  json::Value dom = json::parse(object->json);  // stored through another version of the resource
  dom.as_object()["apiVersion"] = resource.api_version();
  return boost::json::serialize(dom);
}

std::string Api::Impl::render_table(const ResourceInfo& resource, const std::vector<ObjectPtr>& objects,
                                    bool definitions, std::string_view rv, std::string_view continue_token) const {
  std::vector<json::Value> doms;
  doms.reserve(objects.size());
  for (const auto& o : objects) doms.push_back(json::parse(o->json));
  std::vector<const json::Value*> pointers;
  for (const auto& d : doms) pointers.push_back(&d);
  TableOptions options;
  options.include_column_definitions = definitions;
  options.resource_version = std::string(rv);
  options.continue_token = std::string(continue_token);
  return boost::json::serialize(make_table(resource, pointers, options));
}

ApiResponse Api::Impl::list(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  if (resource.namespaced && !target.ns.empty()) check_namespace(resource, target.ns, false);
  Filter filter = make_filter(request, target, registry);
  auto rv_param = request.param("resourceVersion");
  auto match = request.param("resourceVersionMatch");
  auto continue_token = request.param("continue").value_or("");
  bool ok = true;
  if (auto initial = request.param("sendInitialEvents"); initial && parse_bool(*initial, ok) && ok) {
    invalid_params(resource, "sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for list");
  }
  if (match && !match->empty()) {
    if (*match != "NotOlderThan" && *match != "Exact") {
      invalid_params(resource, "resourceVersionMatch",
                     "Unsupported value: \"" + *match + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
    }
    if (!continue_token.empty()) {
      invalid_params(resource, "resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden when continue is provided");
    }
    if (!rv_param || rv_param->empty()) {
      invalid_params(resource, "resourceVersionMatch",
                     "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
    }
    if (*match == "Exact" && *rv_param == "0") {
      invalid_params(resource, "resourceVersionMatch",
                     "Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    }
  }
  std::uint64_t limit = 0;
  if (auto l = request.param("limit"); l && !l->empty()) limit = parse_revision(*l);
  std::uint64_t current = store.revision();
  std::uint64_t snapshot = current;
  std::string after;
  if (!continue_token.empty()) {
    if (rv_param && !rv_param->empty() && *rv_param != "0") {
      fail(400, "BadRequest", "specifying resource version is not allowed when using continue");
    }
    std::tie(snapshot, after) = decode_continue(continue_token);
    if (snapshot < store.compacted_revision()) {
      fail(410, "Expired",
           "The provided continue parameter is too old to display a consistent list result. You can start a new "
           "list without the continue parameter.");
    }
  } else if (rv_param && !rv_param->empty() && *rv_param != "0") {
    std::uint64_t requested = parse_revision(*rv_param);
    if (requested > current) too_large(requested, current);
    if (match && *match == "Exact") snapshot = requested;
  }
  std::vector<ObjectPtr> items;
  std::string next_continue;
  auto visit = [&](const ObjectPtr& o) {
    if (!filter.matches(o)) return true;
    if (limit && items.size() == limit) {
      next_continue = encode_continue(snapshot, items.back()->key);
      return false;
    }
    items.push_back(o);
    return true;
  };
  if (snapshot == current) {
    store.range(filter.prefix, after, visit);
  } else {
    store.range_at(snapshot, filter.prefix, after, visit);
  }
  ApiResponse response;
  response.after_revision = current;
  std::string rv_text = std::to_string(snapshot);
  Format format = negotiate(request.accept);
  if (format == Format::Table) {
    response.body = render_table(resource, items, true, rv_text, next_continue);
    return response;
  }
  std::string& body = response.body;
  if (format == Format::Metadata) {
    body = R"({"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":")";
  } else {
    body = "{\"kind\":\"" + resource.list_kind + "\",\"apiVersion\":\"" + resource.api_version() +
           R"(","metadata":{"resourceVersion":")";
  }
  body += rv_text;
  body += '"';
  if (!next_continue.empty()) body += ",\"continue\":\"" + next_continue + "\"";
  body += "},\"items\":[";
  bool stored_form = format == Format::Json && std::all_of(items.begin(), items.end(), [&](const ObjectPtr& o) {
                       return o->api_version == resource.api_version();
                     });
  if (stored_form) {
    response.items = std::move(items);  // written as stored, without a copy
    response.body_suffix = "]}";
    return response;
  }
  bool first = true;
  for (const auto& o : items) {
    if (!first) body.push_back(',');
    first = false;
    body += render(o, resource, format);
  }
  body += "]}";
  return response;
}

// ---- watch ----------------------------------------------------------------------------------------

// An ERROR event carrying 410 Expired: the client must relist.
std::shared_ptr<const std::string> expired_line(const std::string& message) {
  json::Value status = json::parse(status_response(410, "Expired", message).body);
  return std::make_shared<const std::string>("{\"type\":\"ERROR\",\"object\":" + boost::json::serialize(status) + "}\n");
}

class WatchImpl final : public Watch {
 public:
  WatchImpl(Api::Impl& api, const ResourceInfo& resource, Filter filter, Format format)
      : api_(api), resource_(resource), filter_(std::move(filter)), format_(format) {}

  void bookmark() override {
    if (!bookmarks || closed) return;
    push(bookmark_line(api_.store.durable_revision(), false));
  }

  void push(std::shared_ptr<const std::string> line) {
    if (closed) return;
    queued_ += line->size();
    lines.push_back(std::move(line));
    if (queued_ > kMaxQueuedBytes) {
      // Too slow a reader: end the stream, the client resumes from its last revision.
      lines.clear();
      closed = true;
    }
    if (wake) wake();
  }
  void consumed(std::size_t bytes) override { queued_ -= std::min(queued_, bytes); }

  std::shared_ptr<const std::string> event_line(std::string_view type, const ObjectPtr& object) {
    std::string line = "{\"type\":\"";
    line += type;
    line += "\",\"object\":";
    if (format_ == Format::Table) {
      line += api_.render_table(resource_, {object}, !sent_definitions_, std::to_string(object->revision), "");
      sent_definitions_ = true;
    } else {
      line += api_.render(object, resource_, format_);
    }
    line += "}\n";
    return std::make_shared<const std::string>(std::move(line));
  }

  std::shared_ptr<const std::string> bookmark_line(std::uint64_t revision, bool initial_events_end) {
    json::Object meta{{"resourceVersion", std::to_string(revision)}};
    if (initial_events_end) meta["annotations"] = json::Object{{"k8s.io/initial-events-end", "true"}};
    json::Object object{{"kind", format_ == Format::Metadata ? "PartialObjectMetadata" : resource_.kind},
                        {"apiVersion", format_ == Format::Metadata ? "meta.k8s.io/v1" : resource_.api_version()},
                        {"metadata", meta}};
    return std::make_shared<const std::string>("{\"type\":\"BOOKMARK\",\"object\":" + boost::json::serialize(object) +
                                               "}\n");
  }

  // A store event as this watcher sees it: a change that moves an object into or out of its
  // selection is an ADDED or DELETED.
  void on_event(const StoreEvent& event, std::shared_ptr<const std::string>& shared_line) {
    bool now = event.type != EventType::Deleted && filter_.matches(event.object);
    bool before = event.previous && filter_.matches(event.previous);
    if (event.type == EventType::Deleted) before = filter_.matches(event.object);
    std::string_view type;
    if (event.type == EventType::Deleted) {
      if (!before) return;
      type = "DELETED";
    } else if (now && before) {
      type = "MODIFIED";
    } else if (now) {
      type = "ADDED";
    } else if (before) {
      type = "DELETED";
    } else {
      return;
    }
    // Plain JSON watchers of the stored version share one rendered line per event and type.
    bool shareable = format_ == Format::Json && event.object->api_version == resource_.api_version() &&
                     type == (event.type == EventType::Added ? "ADDED" : event.type == EventType::Modified ? "MODIFIED" : "DELETED");
    if (shareable) {
      if (!shared_line) shared_line = event_line(type, event.object);
      push(shared_line);
    } else {
      push(event_line(type, event.object));
    }
  }

  const Filter& filter() const { return filter_; }
  Format format() const { return format_; }

 private:
  Api::Impl& api_;
  const ResourceInfo resource_;  // a copy: a CRD may be unregistered while the watch is open
  Filter filter_;
  Format format_;
  bool sent_definitions_ = false;
  std::size_t queued_ = 0;
};

ApiResult Api::Impl::watch(const ApiRequest& request, const Target& target) {
  const ResourceInfo& resource = *target.resource;
  if (resource.namespaced && !target.ns.empty()) check_namespace(resource, target.ns, false);
  Filter filter = make_filter(request, target, registry);
  Format format = negotiate(request.accept);
  bool ok = true;
  bool send_initial = false;
  if (auto p = request.param("sendInitialEvents")) {
    send_initial = parse_bool(*p, ok);
    if (!ok) fail(400, "BadRequest", "invalid value for sendInitialEvents: " + *p);
  }
  bool bookmarks = false;
  if (auto p = request.param("allowWatchBookmarks")) {
    bookmarks = parse_bool(*p, ok);
    if (!ok) fail(400, "BadRequest", "invalid value for allowWatchBookmarks: " + *p);
  }
  auto match = request.param("resourceVersionMatch");
  if (send_initial && (!match || *match != "NotOlderThan")) {
    invalid_params(resource, "resourceVersionMatch",
                   "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan");
  }
  if (!send_initial && match && !match->empty()) {
    invalid_params(resource, "resourceVersionMatch",
                   "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided");
  }
  std::uint64_t timeout = 1800;
  if (auto t = request.param("timeoutSeconds"); t && !t->empty()) timeout = parse_revision(*t);
  std::string rv = request.param("resourceVersion").value_or("");
  std::uint64_t current = store.revision();

  auto w = std::make_shared<WatchImpl>(*this, resource, std::move(filter), format);
  w->bookmarks = bookmarks;
  w->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout == 0 ? 1800 : timeout);
  w->after_revision = current;
  auto initial_state = [&] {
    store.range(w->filter().prefix, "", [&](const ObjectPtr& o) {
      if (w->filter().matches(o)) w->lines.push_back(w->event_line("ADDED", o));
      return true;
    });
  };
  if (send_initial || rv.empty() || rv == "0") {
    initial_state();
    if (send_initial && bookmarks) w->lines.push_back(w->bookmark_line(current, true));
  } else {
    std::uint64_t from = parse_revision(rv);
    if (from > current) too_large(from, current);
    if (from < store.compacted_revision()) {
      // The watch cache's answer: a 200 stream holding one ERROR event.
      w->lines.push_back(expired_line("too old resource version: " + std::to_string(from) + " (" +
                                      std::to_string(store.compacted_revision() + 1) + ")"));
      w->closed = true;
      return std::static_pointer_cast<Watch>(w);
    }
    store.events_after(from, w->filter().prefix, [&](const StoreEvent& e) {
      std::shared_ptr<const std::string> none;
      w->on_event(e, none);
    });
    // Events applied but not yet durable reach the watcher through dispatch() once durable.
  }
  watches.push_back(w);
  return std::static_pointer_cast<Watch>(w);
}

void Api::Impl::dispatch(const StoreEvent& event) {
  std::shared_ptr<const std::string> shared_line;
  gc->observe(event);
  for (auto it = watches.begin(); it != watches.end();) {
    auto w = it->lock();
    if (!w || w->closed) {
      it = watches.erase(it);
      continue;
    }
    w->on_event(event, shared_line);
    ++it;
  }
  // Namespaces being deleted advance as their contents go away. Deletions made while doing so
  // dispatch again: they only queue the namespace, the outermost call does the work.
  if (event.type == EventType::Deleted && !event.object->namespace_.empty() &&
      terminating_namespaces.count(event.object->namespace_)) {
    namespaces_to_check.insert(event.object->namespace_);
  }
  if (checking_namespaces) return;
  checking_namespaces = true;
  while (!namespaces_to_check.empty()) {
    std::string ns = *namespaces_to_check.begin();
    namespaces_to_check.erase(namespaces_to_check.begin());
    continue_namespace_deletion(ns);
  }
  checking_namespaces = false;
  if (handling == 0) gc->run();  // inside a request, it runs once the request is done
}

void Api::Impl::close_watches(bool expire) {
  for (auto& weak : watches) {
    if (auto w = weak.lock()) {
      if (expire && !w->closed) w->lines.push_back(expired_line("the watch expired (test hook): relist"));
      w->closed = true;
      if (w->wake) w->wake();
    }
  }
  watches.clear();
}

}  // namespace kube::apiserver

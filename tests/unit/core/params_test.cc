// Unit tests for kube/core/params.h: every params struct's defaults, presets, validate() and its
// serialization (query parameters as kube::Request emits them, DeleteOptions JSON), and kube::Patch.
// Designated initializers that leave members defaulted are how params are meant to be built;
// -Wextra's -Wmissing-field-initializers (GCC) would flag every one of them.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "support/expect.h"
#include "kube/core/params.h"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "kube/api/core/v1.h"
#include "kube/core/dom.h"
#include "kube/core/error.h"
#include "kube/core/request.h"

namespace {

using kube::DeleteParams;
using kube::FieldValidation;
using kube::InvalidArgument;
using kube::ListParams;
using kube::Patch;
using kube::PatchParams;
using kube::PatchType;
using kube::PostParams;
using kube::PropagationPolicy;
using kube::VersionMatch;
using kube::WatchParams;

// A request builder for a namespaced collection, used to look at how params serialize.
const kube::Request& pods() {
  static const kube::Request r("/api/v1/namespaces/ns/pods");
  return r;
}

using kube::testing::expect_invalid;

// ================================================================================================
// ListParams
// ================================================================================================

TEST(ListParams, DefaultIsEmptyAndValid) {
  ListParams lp;
  EXPECT_EQ(lp.label_selector, "");
  EXPECT_EQ(lp.field_selector, "");
  EXPECT_FALSE(lp.timeout_seconds.has_value());
  EXPECT_FALSE(lp.limit.has_value());
  EXPECT_EQ(lp.continue_token, "");
  EXPECT_FALSE(lp.resource_version.has_value());
  EXPECT_FALSE(lp.version_match.has_value());
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods");
}

TEST(ListParams, MatchAnyIsResourceVersionZeroNotOlderThan) {
  ListParams lp = ListParams::match_any();
  EXPECT_EQ(lp.resource_version, std::optional<std::string>("0"));
  EXPECT_EQ(lp.version_match, std::optional<VersionMatch>(VersionMatch::NotOlderThan));
  EXPECT_EQ(lp.label_selector, "");
  EXPECT_FALSE(lp.limit.has_value());
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods?resourceVersion=0&resourceVersionMatch=NotOlderThan");
}

TEST(ListParams, AllFieldsSerializeInFixedOrder) {
  ListParams lp{.label_selector = "app=web",
                .field_selector = "spec.nodeName=node-1",
                .timeout_seconds = 30,
                .limit = 500,
                .resource_version = "12345",
                .version_match = VersionMatch::Exact};
  EXPECT_EQ(pods().list(lp).target,
            "/api/v1/namespaces/ns/pods?fieldSelector=spec.nodeName%3Dnode-1&labelSelector=app%3Dweb&limit=500"
            "&resourceVersion=12345&resourceVersionMatch=Exact&timeoutSeconds=30");
}

TEST(ListParams, FieldSelectorComesBeforeLabelSelector) {
  ListParams lp{.label_selector = "app=myapp", .field_selector = "metadata.name=foo"};
  EXPECT_EQ(pods().list(lp).target,
            "/api/v1/namespaces/ns/pods?fieldSelector=metadata.name%3Dfoo&labelSelector=app%3Dmyapp");
}

TEST(ListParams, LimitAndContinueToken) {
  ListParams lp{.limit = 50, .continue_token = "1234"};
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods?limit=50&continue=1234");
}

TEST(ListParams, ContinueTokenIsEscaped) {
  ListParams lp{.limit = 10, .continue_token = "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ=="};
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods?limit=10&continue=eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ%3D%3D");
}

TEST(ListParams, LimitZeroIsSent) {
  EXPECT_EQ(pods().list({.limit = 0}).target, "/api/v1/namespaces/ns/pods?limit=0");
}

TEST(ListParams, LimitMaxUint32) {
  EXPECT_EQ(pods().list({.limit = 4294967295u}).target, "/api/v1/namespaces/ns/pods?limit=4294967295");
}

TEST(ListParams, ResourceVersionWithoutMatchIsSentAlone) {
  ListParams lp{.resource_version = "500"};
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods?resourceVersion=500");
}

TEST(ListParams, ExactMatchWithNonZeroResourceVersion) {
  ListParams lp{.resource_version = "500", .version_match = VersionMatch::Exact};
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods?resourceVersion=500&resourceVersionMatch=Exact");
}

TEST(ListParams, NotOlderThanWithNonZeroResourceVersion) {
  ListParams lp{.resource_version = "5", .version_match = VersionMatch::NotOlderThan};
  EXPECT_EQ(pods().list(lp).target, "/api/v1/namespaces/ns/pods?resourceVersion=5&resourceVersionMatch=NotOlderThan");
}

// Deliberate difference from kube-rs: a paged "any" list keeps resourceVersion=0.
TEST(ListParams, ResourceVersionZeroWithLimitIsSentAsGiven) {
  ListParams lp = ListParams::match_any();
  lp.limit = 50;
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().list(lp).target,
            "/api/v1/namespaces/ns/pods?limit=50&resourceVersion=0&resourceVersionMatch=NotOlderThan");
  EXPECT_EQ(pods().list({.limit = 50, .resource_version = "0"}).target,
            "/api/v1/namespaces/ns/pods?limit=50&resourceVersion=0");
}

TEST(ListParams, NonZeroResourceVersionWithLimitIsKept) {
  EXPECT_EQ(pods().list({.limit = 20, .resource_version = "5"}).target,
            "/api/v1/namespaces/ns/pods?limit=20&resourceVersion=5");
}

// Deliberate difference from kube-rs: timeoutSeconds is sent on list, last.
TEST(ListParams, TimeoutSecondsIsSentLast) {
  EXPECT_EQ(pods().list({.timeout_seconds = 10}).target, "/api/v1/namespaces/ns/pods?timeoutSeconds=10");
  EXPECT_EQ(pods().list({.label_selector = "a", .timeout_seconds = 0}).target,
            "/api/v1/namespaces/ns/pods?labelSelector=a&timeoutSeconds=0");
}

TEST(ListParams, ExactWithResourceVersionZeroIsInvalid) {
  ListParams lp{.resource_version = "0", .version_match = VersionMatch::Exact};
  expect_invalid([&] { lp.validate(); }, "Exact");
  EXPECT_THROW(pods().list(lp), InvalidArgument);
}

TEST(ListParams, VersionMatchWithoutResourceVersionIsInvalid) {
  for (VersionMatch vm : {VersionMatch::NotOlderThan, VersionMatch::Exact}) {
    ListParams lp{.version_match = vm};
    expect_invalid([&] { lp.validate(); }, "resource_version");
    EXPECT_THROW(pods().list(lp), InvalidArgument);
  }
}

// The API server rejects resourceVersionMatch with an empty resourceVersion ("resourceVersionMatch
// is forbidden unless resourceVersion is provided"), so validate() does too.
TEST(ListParams, VersionMatchWithEmptyResourceVersionIsInvalid) {
  for (VersionMatch vm : {VersionMatch::NotOlderThan, VersionMatch::Exact}) {
    ListParams lp{.resource_version = "", .version_match = vm};
    EXPECT_THROW(lp.validate(), InvalidArgument) << kube::to_string(vm);
    EXPECT_THROW(pods().list(lp), InvalidArgument) << kube::to_string(vm);
  }
}

// Deliberate difference from kube-rs: continue with resourceVersion/match is an error, not dropped.
TEST(ListParams, ContinueTokenWithResourceVersionIsInvalid) {
  ListParams lp{.limit = 50, .continue_token = "1234", .resource_version = "9999"};
  expect_invalid([&] { lp.validate(); }, "continue_token");
  EXPECT_THROW(pods().list(lp), InvalidArgument);
}

TEST(ListParams, ContinueTokenWithVersionMatchIsInvalid) {
  ListParams lp{.limit = 50, .continue_token = "1234", .resource_version = "9999", .version_match = VersionMatch::Exact};
  expect_invalid([&] { lp.validate(); }, "continue_token");
  ListParams any = ListParams::match_any();
  any.limit = 50;
  any.continue_token = "1234";
  EXPECT_THROW(any.validate(), InvalidArgument);
  EXPECT_THROW(pods().list(any), InvalidArgument);
}

TEST(ListParams, ValidLabelSelectorsPass) {
  for (const char* s : {"app=web", "app==web", "app!=web", "env in (development,sandbox)", "env notin (a,b)", "app",
                        "!canary", "app=web,tier!=db", "kubernetes.io/role=master", "replicas>2", "app="}) {
    ListParams lp{.label_selector = s};
    EXPECT_NO_THROW(lp.validate()) << s;
  }
}

TEST(ListParams, InvalidLabelSelectorsThrow) {
  for (const char* s : {"=web", "app in (a", "app in a,b)", "bad key=1", "app=-web-", "app=web,,", "a/b/c=d",
                        "app=" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
    ListParams lp{.label_selector = s};
    EXPECT_THROW(lp.validate(), InvalidArgument) << s;
    EXPECT_THROW(pods().list(lp), InvalidArgument) << s;
  }
}

TEST(ListParams, ValidFieldSelectorsPass) {
  for (const char* s : {"metadata.name=foo", "metadata.name==foo", "status.phase!=Failed",
                        "spec.nodeName=node-1,status.phase=Running", "metadata.name=pod\\=1", "metadata.name=a\\,b",
                        "metadata.name="}) {
    ListParams lp{.field_selector = s};
    EXPECT_NO_THROW(lp.validate()) << s;
  }
}

TEST(ListParams, InvalidFieldSelectorsThrow) {
  for (const char* s : {"metadata.name", "=foo", "metadata.name=pod=1", "metadata.name=a\\b", "metadata.name=a\\"}) {
    ListParams lp{.field_selector = s};
    EXPECT_THROW(lp.validate(), InvalidArgument) << s;
    EXPECT_THROW(pods().list(lp), InvalidArgument) << s;
  }
}

// ================================================================================================
// WatchParams
// ================================================================================================

TEST(WatchParams, Defaults) {
  WatchParams wp;
  EXPECT_EQ(wp.label_selector, "");
  EXPECT_EQ(wp.field_selector, "");
  EXPECT_EQ(wp.timeout_seconds, 290u);
  EXPECT_TRUE(wp.bookmarks);
  EXPECT_FALSE(wp.send_initial_events);
  EXPECT_NO_THROW(wp.validate());
  EXPECT_EQ(pods().watch(wp, "0").target,
            "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true&resourceVersion=0");
}

TEST(WatchParams, StreamingListPreset) {
  WatchParams wp = WatchParams::streaming_list();
  EXPECT_TRUE(wp.send_initial_events);
  EXPECT_TRUE(wp.bookmarks);
  EXPECT_EQ(wp.timeout_seconds, 290u);
  EXPECT_NO_THROW(wp.validate());
  EXPECT_EQ(pods().watch(wp, "").target,
            "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&allowWatchBookmarks=true"
            "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan");
}

TEST(WatchParams, SendInitialEventsWithoutBookmarksIsInvalid) {
  WatchParams wp{.bookmarks = false, .send_initial_events = true};
  expect_invalid([&] { wp.validate(); }, "bookmarks");
  EXPECT_THROW(pods().watch(wp, "0"), InvalidArgument);
}

// Deliberate difference from kube-rs: no client-side 295s limit.
TEST(WatchParams, LargeTimeoutIsAllowed) {
  for (std::uint32_t t : {0u, 294u, 295u, 100000u}) {
    WatchParams wp{.timeout_seconds = t};
    EXPECT_NO_THROW(wp.validate()) << t;
    EXPECT_EQ(pods().watch(wp, "1").target, "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=" +
                                                std::to_string(t) + "&allowWatchBookmarks=true&resourceVersion=1");
  }
}

TEST(WatchParams, SelectorsAndDisabledBookmarks) {
  WatchParams wp{.label_selector = "app=web", .field_selector = "metadata.name=pod\\=1", .bookmarks = false};
  EXPECT_EQ(pods().watch(wp, "0").target,
            "/api/v1/namespaces/ns/pods?watch=true&timeoutSeconds=290&fieldSelector=metadata.name%3Dpod%5C%3D1"
            "&labelSelector=app%3Dweb&resourceVersion=0");
}

TEST(WatchParams, InvalidSelectorsThrow) {
  EXPECT_THROW((WatchParams{.label_selector = "app in (a"}.validate()), InvalidArgument);
  EXPECT_THROW((WatchParams{.field_selector = "metadata.name"}.validate()), InvalidArgument);
  EXPECT_THROW(pods().watch({.label_selector = "=x"}, "0"), InvalidArgument);
  EXPECT_THROW(pods().watch({.field_selector = "a=b=c"}, "0"), InvalidArgument);
}

// ================================================================================================
// GetParams
// ================================================================================================

TEST(GetParams, DefaultSendsNoResourceVersion) {
  kube::GetParams gp;
  EXPECT_FALSE(gp.resource_version.has_value());
  EXPECT_EQ(pods().get("p", gp).target, "/api/v1/namespaces/ns/pods/p");
}

TEST(GetParams, AnyIsResourceVersionZero) {
  kube::GetParams gp = kube::GetParams::any();
  EXPECT_EQ(gp.resource_version, std::optional<std::string>("0"));
  EXPECT_EQ(pods().get("p", gp).target, "/api/v1/namespaces/ns/pods/p?resourceVersion=0");
  EXPECT_EQ(pods().get("p", {.resource_version = "665"}).target, "/api/v1/namespaces/ns/pods/p?resourceVersion=665");
}

// ================================================================================================
// PostParams
// ================================================================================================

TEST(PostParams, DefaultIsValidAndSendsNothing) {
  PostParams pp;
  EXPECT_FALSE(pp.dry_run);
  EXPECT_EQ(pp.field_manager, "");
  EXPECT_FALSE(pp.field_validation.has_value());
  EXPECT_NO_THROW(pp.validate());
  EXPECT_EQ(pods().create(pp, "{}").target, "/api/v1/namespaces/ns/pods");
}

TEST(PostParams, AllFieldsSerializeInOrder) {
  PostParams pp{.dry_run = true, .field_manager = "kubectl edit", .field_validation = FieldValidation::Strict};
  EXPECT_EQ(pods().create(pp, "{}").target,
            "/api/v1/namespaces/ns/pods?dryRun=All&fieldManager=kubectl+edit&fieldValidation=Strict");
}

TEST(PostParams, EachFieldValidationValue) {
  EXPECT_EQ(pods().create({.field_validation = FieldValidation::Strict}, "{}").target,
            "/api/v1/namespaces/ns/pods?fieldValidation=Strict");
  EXPECT_EQ(pods().create({.field_validation = FieldValidation::Warn}, "{}").target,
            "/api/v1/namespaces/ns/pods?fieldValidation=Warn");
  EXPECT_EQ(pods().create({.field_validation = FieldValidation::Ignore}, "{}").target,
            "/api/v1/namespaces/ns/pods?fieldValidation=Ignore");
}

TEST(PostParams, FieldManagerLengthLimit) {
  EXPECT_NO_THROW((PostParams{.field_manager = std::string(128, 'm')}.validate()));
  expect_invalid([] { PostParams{.field_manager = std::string(129, 'm')}.validate(); }, "128");
}

// ================================================================================================
// PatchParams
// ================================================================================================

TEST(PatchParams, ApplyPresetSetsOnlyFieldManager) {
  PatchParams pp = PatchParams::apply("my-controller");
  EXPECT_EQ(pp.field_manager, "my-controller");
  EXPECT_FALSE(pp.dry_run);
  EXPECT_FALSE(pp.force);
  EXPECT_FALSE(pp.field_validation.has_value());
  EXPECT_NO_THROW(pp.validate(PatchType::Apply));
}

TEST(PatchParams, DefaultIsValidForNonApplyPatches) {
  PatchParams pp;
  EXPECT_NO_THROW(pp.validate(PatchType::Merge));
  EXPECT_NO_THROW(pp.validate(PatchType::Strategic));
  EXPECT_NO_THROW(pp.validate(PatchType::Json));
}

TEST(PatchParams, ApplyWithoutFieldManagerIsInvalid) {
  expect_invalid([] { PatchParams{}.validate(PatchType::Apply); }, "field_manager");
  expect_invalid([] { PatchParams{.force = true}.validate(PatchType::Apply); }, "field_manager");
}

TEST(PatchParams, ForceOnlyWithApply) {
  PatchParams pp{.force = true, .field_manager = "m"};
  EXPECT_NO_THROW(pp.validate(PatchType::Apply));
  for (PatchType t : {PatchType::Merge, PatchType::Strategic, PatchType::Json}) {
    expect_invalid([&] { pp.validate(t); }, "force");
  }
}

TEST(PatchParams, FieldManagerLengthLimit) {
  EXPECT_NO_THROW((PatchParams{.field_manager = std::string(128, 'm')}.validate(PatchType::Apply)));
  for (PatchType t : {PatchType::Apply, PatchType::Merge, PatchType::Strategic, PatchType::Json}) {
    expect_invalid([&] { PatchParams{.field_manager = std::string(129, 'm')}.validate(t); }, "128");
  }
}

TEST(PatchParams, AllFieldsSerializeInOrder) {
  PatchParams pp{.dry_run = true, .force = true, .field_manager = "m", .field_validation = FieldValidation::Strict};
  kube::HttpRequest r = pods().patch("p", pp, Patch::from_json(PatchType::Apply, R"({"metadata":{}})"));
  EXPECT_EQ(r.target, "/api/v1/namespaces/ns/pods/p?dryRun=All&force=true&fieldManager=m&fieldValidation=Strict");
}

TEST(PatchParams, FieldValidationSerializesForAnyPatchType) {
  Patch merge = Patch::from_json(PatchType::Merge, "{}");
  EXPECT_EQ(pods().patch("p", {.field_validation = FieldValidation::Ignore}, merge).target,
            "/api/v1/namespaces/ns/pods/p?fieldValidation=Ignore");
  EXPECT_EQ(pods().patch("p", {.field_validation = FieldValidation::Warn}, merge).target,
            "/api/v1/namespaces/ns/pods/p?fieldValidation=Warn");
  EXPECT_EQ(pods().patch("p", {.field_validation = FieldValidation::Strict}, merge).target,
            "/api/v1/namespaces/ns/pods/p?fieldValidation=Strict");
}

TEST(PatchParams, DefaultSendsNoQuery) {
  EXPECT_EQ(pods().patch("p", {}, Patch::from_json(PatchType::Strategic, "{}")).target, "/api/v1/namespaces/ns/pods/p");
}

// ================================================================================================
// DeleteParams
// ================================================================================================

TEST(DeleteParams, DefaultSerializesToEmptyObject) {
  DeleteParams dp;
  EXPECT_TRUE(dp.is_default());
  EXPECT_NO_THROW(dp.validate());
  EXPECT_EQ(dp.to_json(), "{}");
}

TEST(DeleteParams, DryRunSerializesAsArray) {
  DeleteParams dp{.dry_run = true};
  EXPECT_FALSE(dp.is_default());
  EXPECT_EQ(dp.to_json(), R"({"dryRun":["All"]})");
}

TEST(DeleteParams, PropagationPolicyPresets) {
  EXPECT_EQ(DeleteParams::background().to_json(), R"({"propagationPolicy":"Background"})");
  EXPECT_EQ(DeleteParams::foreground().to_json(), R"({"propagationPolicy":"Foreground"})");
  EXPECT_EQ(DeleteParams::orphan().to_json(), R"({"propagationPolicy":"Orphan"})");
  EXPECT_EQ(DeleteParams::background().propagation_policy, std::optional(PropagationPolicy::Background));
  EXPECT_EQ(DeleteParams::foreground().propagation_policy, std::optional(PropagationPolicy::Foreground));
  EXPECT_EQ(DeleteParams::orphan().propagation_policy, std::optional(PropagationPolicy::Orphan));
  EXPECT_FALSE(DeleteParams::background().is_default());
}

TEST(DeleteParams, GracePeriodSeconds) {
  EXPECT_EQ((DeleteParams{.grace_period_seconds = 0}.to_json()), R"({"gracePeriodSeconds":0})");
  EXPECT_EQ((DeleteParams{.grace_period_seconds = 30}.to_json()), R"({"gracePeriodSeconds":30})");
  EXPECT_FALSE((DeleteParams{.grace_period_seconds = 0}.is_default()));
  EXPECT_NO_THROW((DeleteParams{.grace_period_seconds = 0}.validate()));
}

TEST(DeleteParams, NegativeGracePeriodIsInvalid) {
  expect_invalid([] { DeleteParams{.grace_period_seconds = -1}.validate(); }, "grace_period_seconds");
}

TEST(DeleteParams, Preconditions) {
  DeleteParams both{.preconditions = kube::Preconditions{.resource_version = "42", .uid = "abc-123"}};
  EXPECT_EQ(both.to_json(), R"({"preconditions":{"resourceVersion":"42","uid":"abc-123"}})");
  DeleteParams uid{.preconditions = kube::Preconditions{.uid = "abc"}};
  EXPECT_EQ(uid.to_json(), R"({"preconditions":{"uid":"abc"}})");
  DeleteParams rv{.preconditions = kube::Preconditions{.resource_version = "7"}};
  EXPECT_EQ(rv.to_json(), R"({"preconditions":{"resourceVersion":"7"}})");
  DeleteParams empty{.preconditions = kube::Preconditions{}};
  EXPECT_EQ(empty.to_json(), R"({"preconditions":{}})");
  EXPECT_FALSE(empty.is_default());
}

TEST(DeleteParams, AllFieldsInOrder) {
  DeleteParams dp{.dry_run = true,
                  .grace_period_seconds = 5,
                  .propagation_policy = PropagationPolicy::Foreground,
                  .preconditions = kube::Preconditions{.resource_version = "42", .uid = "u\"1"}};
  EXPECT_EQ(dp.to_json(),
            R"({"dryRun":["All"],"gracePeriodSeconds":5,"propagationPolicy":"Foreground",)"
            R"("preconditions":{"resourceVersion":"42","uid":"u\"1"}})");
  // It is valid JSON.
  EXPECT_TRUE(kube::json::parse(dp.to_json()).is_object());
}

// ================================================================================================
// LogParams
// ================================================================================================

TEST(LogParams, DefaultsAreValidAndSendNothing) {
  kube::LogParams lp;
  EXPECT_EQ(lp.container, "");
  EXPECT_FALSE(lp.follow);
  EXPECT_FALSE(lp.pretty);
  EXPECT_FALSE(lp.previous);
  EXPECT_FALSE(lp.timestamps);
  EXPECT_NO_THROW(lp.validate());
  EXPECT_EQ(pods().logs("mypod").target, "/api/v1/namespaces/ns/pods/mypod/log");
}

TEST(LogParams, AllParamsInOrder) {
  kube::LogParams lp{.container = "nginx",
                     .follow = true,
                     .limit_bytes = 10485760,
                     .pretty = true,
                     .previous = true,
                     .since_seconds = 3600,
                     .tail_lines = 4096,
                     .timestamps = true};
  EXPECT_EQ(pods().logs("mypod", lp).target,
            "/api/v1/namespaces/ns/pods/mypod/log?container=nginx&follow=true&limitBytes=10485760&pretty=true"
            "&previous=true&sinceSeconds=3600&tailLines=4096&timestamps=true");
}

TEST(LogParams, SinceTimeIsRfc3339UtcEscaped) {
  kube::LogParams lp{.since_time = kube::Time::parse("2023-10-19T13:14:26Z")};
  EXPECT_EQ(pods().logs("mypod", lp).target, "/api/v1/namespaces/ns/pods/mypod/log?sinceTime=2023-10-19T13%3A14%3A26Z");
}

TEST(LogParams, SinceTimeIsNormalisedToUtcWholeSeconds) {
  kube::LogParams offset{.since_time = kube::Time::parse("2023-10-19T15:14:26+02:00")};
  EXPECT_EQ(pods().logs("mypod", offset).target,
            "/api/v1/namespaces/ns/pods/mypod/log?sinceTime=2023-10-19T13%3A14%3A26Z");
  using namespace std::chrono;
  auto t = sys_days{year{2023} / 10 / 19} + hours{13} + minutes{14} + seconds{26} + milliseconds{700};
  kube::LogParams fraction{.since_time = kube::Time::from(t)};
  EXPECT_EQ(pods().logs("mypod", fraction).target,
            "/api/v1/namespaces/ns/pods/mypod/log?sinceTime=2023-10-19T13%3A14%3A26Z");
}

TEST(LogParams, SinceTimeBetweenPreviousAndTailLines) {
  kube::LogParams lp{.container = "c",
                     .previous = true,
                     .since_time = kube::Time::parse("2023-10-19T13:14:26Z"),
                     .tail_lines = 0};
  EXPECT_EQ(pods().logs("p", lp).target,
            "/api/v1/namespaces/ns/pods/p/log?container=c&previous=true&sinceTime=2023-10-19T13%3A14%3A26Z&tailLines=0");
}

TEST(LogParams, SinceSecondsAndSinceTimeAreExclusive) {
  kube::LogParams lp{.since_seconds = 10, .since_time = kube::Time::parse("2023-10-19T13:14:26Z")};
  expect_invalid([&] { lp.validate(); }, "since_seconds");
  EXPECT_THROW(pods().logs("p", lp), InvalidArgument);
}

TEST(LogParams, NumericLimits) {
  EXPECT_NO_THROW((kube::LogParams{.since_seconds = 1}.validate()));
  EXPECT_NO_THROW((kube::LogParams{.tail_lines = 0}.validate()));
  EXPECT_NO_THROW((kube::LogParams{.limit_bytes = 1}.validate()));
  expect_invalid([] { kube::LogParams{.since_seconds = 0}.validate(); }, "since_seconds");
  expect_invalid([] { kube::LogParams{.since_seconds = -5}.validate(); }, "since_seconds");
  expect_invalid([] { kube::LogParams{.tail_lines = -1}.validate(); }, "tail_lines");
  expect_invalid([] { kube::LogParams{.limit_bytes = 0}.validate(); }, "limit_bytes");
  EXPECT_THROW(pods().logs("p", {.tail_lines = -1}), InvalidArgument);
  EXPECT_THROW(pods().logs("p", {.limit_bytes = 0}), InvalidArgument);
}

// ================================================================================================
// AttachParams
// ================================================================================================

TEST(AttachParams, DefaultsAreStdoutAndStderr) {
  kube::AttachParams ap;
  EXPECT_EQ(ap.container, "");
  EXPECT_FALSE(ap.stdin);
  EXPECT_TRUE(ap.stdout);
  EXPECT_TRUE(ap.stderr);
  EXPECT_FALSE(ap.tty);
  EXPECT_NO_THROW(ap.validate());
}

TEST(AttachParams, NoStreamIsInvalid) {
  kube::AttachParams ap{.stdin = false, .stdout = false, .stderr = false};
  expect_invalid([&] { ap.validate(); }, "stdin, stdout or stderr");
  EXPECT_THROW(pods().attach("p", ap), InvalidArgument);
}

TEST(AttachParams, TtyWithStderrIsInvalid) {
  kube::AttachParams ap{.tty = true};
  expect_invalid([&] { ap.validate(); }, "tty");
  EXPECT_THROW(pods().attach("p", ap), InvalidArgument);
  const std::vector<std::string> cmd{"sh"};
  EXPECT_THROW(pods().exec("p", cmd, ap), InvalidArgument);
}

TEST(AttachParams, ValidCombinations) {
  EXPECT_NO_THROW((kube::AttachParams{.stdin = true, .stdout = true, .stderr = false, .tty = true}.validate()));
  EXPECT_NO_THROW((kube::AttachParams{.stdin = true, .stdout = false, .stderr = false}.validate()));
  EXPECT_NO_THROW((kube::AttachParams{.stdout = false, .stderr = true}.validate()));
  EXPECT_NO_THROW((kube::AttachParams{.stdout = true, .stderr = false}.validate()));
}

TEST(AttachParams, SerializationOrder) {
  kube::AttachParams ap{.container = "c", .stdin = true, .stdout = true, .stderr = false, .tty = true};
  EXPECT_EQ(pods().attach("p", ap).target, "/api/v1/namespaces/ns/pods/p/attach?stdin=true&stdout=true&tty=true&container=c");
}

// ================================================================================================
// EvictParams
// ================================================================================================

TEST(EvictParams, Defaults) {
  kube::EvictParams ep;
  EXPECT_FALSE(ep.delete_options.has_value());
  EXPECT_FALSE(ep.post_options.dry_run);
  EXPECT_EQ(ep.post_options.field_manager, "");
  EXPECT_EQ(pods().evict("p", ep).target, "/api/v1/namespaces/ns/pods/p/eviction");
}

TEST(EvictParams, PostOptionsAreValidatedAndSerialized) {
  kube::EvictParams ep{.post_options = {.dry_run = true, .field_manager = "drainer"}};
  EXPECT_EQ(pods().evict("p", ep).target, "/api/v1/namespaces/ns/pods/p/eviction?dryRun=All&fieldManager=drainer");
  EXPECT_THROW(pods().evict("p", {.post_options = {.field_manager = std::string(129, 'x')}}), InvalidArgument);
}

TEST(EvictParams, DeleteOptionsAreValidated) {
  EXPECT_THROW(pods().evict("p", {.delete_options = DeleteParams{.grace_period_seconds = -1}}), InvalidArgument);
}

// ================================================================================================
// Patch
// ================================================================================================

TEST(ParamsPatch, ContentTypes) {
  EXPECT_EQ(Patch::from_json(PatchType::Apply, "{}").content_type(), "application/apply-patch+yaml");
  EXPECT_EQ(Patch::from_json(PatchType::Json, "[]").content_type(), "application/json-patch+json");
  EXPECT_EQ(Patch::from_json(PatchType::Merge, "{}").content_type(), "application/merge-patch+json");
  EXPECT_EQ(Patch::from_json(PatchType::Strategic, "{}").content_type(), "application/strategic-merge-patch+json");
}

TEST(ParamsPatch, FromJsonKeepsTypeAndCompactsBody) {
  Patch p = Patch::from_json(PatchType::Merge, "  { \"spec\" : { \"replicas\" : 3 } }\n");
  EXPECT_EQ(p.type(), PatchType::Merge);
  EXPECT_EQ(p.body(), R"({"spec":{"replicas":3}})");
  Patch j = Patch::from_json(PatchType::Json, R"([ {"op":"remove","path":"/a"} ])");
  EXPECT_EQ(j.type(), PatchType::Json);
  EXPECT_EQ(j.body(), R"([{"op":"remove","path":"/a"}])");
}

TEST(ParamsPatch, FromJsonRejectsInvalidJson) {
  expect_invalid([] { Patch::from_json(PatchType::Merge, "{"); }, "not valid JSON");
  expect_invalid([] { Patch::from_json(PatchType::Merge, ""); }, "not valid JSON");
  expect_invalid([] { Patch::from_json(PatchType::Merge, "{} {}"); }, "not valid JSON");
  expect_invalid([] { Patch::from_json(PatchType::Json, "[1,]"); }, "not valid JSON");
}

TEST(ParamsPatch, JsonPatchMustBeAnArray) {
  for (const char* body : {"{}", "null", "1", "\"x\"", "true"}) {
    EXPECT_THROW(Patch::from_json(PatchType::Json, body), InvalidArgument) << body;
  }
  EXPECT_THROW(Patch::json_patch(kube::json::parse(R"({"op":"remove"})")), InvalidArgument);
}

TEST(ParamsPatch, ObjectPatchesMustBeObjects) {
  for (PatchType t : {PatchType::Apply, PatchType::Merge, PatchType::Strategic}) {
    for (const char* body : {"[]", "null", "1", "\"x\"", "false"}) {
      EXPECT_THROW(Patch::from_json(t, body), InvalidArgument) << body;
    }
  }
  EXPECT_THROW(Patch::merge(kube::json::parse("[1]")), InvalidArgument);
  EXPECT_THROW(Patch::strategic(std::vector<int>{1}), InvalidArgument);
  EXPECT_THROW(Patch::apply(std::string("x")), InvalidArgument);
}

TEST(ParamsPatch, TypedFactories) {
  kube::json::Value ops = kube::json::parse(R"([{"op":"replace","path":"/spec/replicas","value":3}])");
  Patch j = Patch::json_patch(ops);
  EXPECT_EQ(j.type(), PatchType::Json);
  EXPECT_EQ(j.body(), R"([{"op":"replace","path":"/spec/replicas","value":3}])");

  Patch m = Patch::merge(std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  EXPECT_EQ(m.type(), PatchType::Merge);
  EXPECT_EQ(m.body(), R"({"a":"1","b":"2"})");

  Patch s = Patch::strategic(kube::json::parse(R"({"spec":{"unschedulable":true}})"));
  EXPECT_EQ(s.type(), PatchType::Strategic);
  EXPECT_EQ(s.body(), R"({"spec":{"unschedulable":true}})");
}

TEST(ParamsPatch, ApplyOfGeneratedKindIncludesApiVersionAndKind) {
  kube::api::core::v1::Pod pod;
  pod.metadata.name = "web";
  pod.metadata.labels = std::map<std::string, std::string>{{"app", "web"}};
  Patch p = Patch::apply(pod);
  EXPECT_EQ(p.type(), PatchType::Apply);
  EXPECT_TRUE(kube::json::equal(kube::json::parse(p.body()),
                                kube::json::parse(R"({"apiVersion":"v1","kind":"Pod",)"
                                                  R"("metadata":{"name":"web","labels":{"app":"web"}}})")))
      << p.body();
}

// ================================================================================================
// to_string of the enums
// ================================================================================================

TEST(ParamsToString, Enums) {
  EXPECT_EQ(kube::to_string(VersionMatch::NotOlderThan), "NotOlderThan");
  EXPECT_EQ(kube::to_string(VersionMatch::Exact), "Exact");
  EXPECT_EQ(kube::to_string(FieldValidation::Strict), "Strict");
  EXPECT_EQ(kube::to_string(FieldValidation::Warn), "Warn");
  EXPECT_EQ(kube::to_string(FieldValidation::Ignore), "Ignore");
  EXPECT_EQ(kube::to_string(PropagationPolicy::Orphan), "Orphan");
  EXPECT_EQ(kube::to_string(PropagationPolicy::Background), "Background");
  EXPECT_EQ(kube::to_string(PropagationPolicy::Foreground), "Foreground");
}

}  // namespace

// Tests for kube/core/json_patch.h: JSON Patch (RFC 6902), JSON merge patch (RFC 7386) and JSON
// Pointer (RFC 6901).
#include "kube/core/json_patch.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "kube/core/dom.h"

namespace {

using kube::PatchError;
using kube::json::Value;

Value J(std::string_view text) { return kube::json::parse(text); }
std::string S(const Value& v) { return kube::json::serialize(v); }

// Applies `patch` to `doc` and expects `want`.
::testing::AssertionResult PatchGives(std::string_view doc_text, std::string_view patch_text,
                                      std::string_view want_text) {
  Value doc = J(doc_text);
  try {
    kube::apply_json_patch(doc, J(patch_text));
  } catch (const PatchError& e) {
    return ::testing::AssertionFailure() << "patch " << patch_text << " on " << doc_text << " threw: " << e.what();
  }
  Value want = J(want_text);
  if (!kube::json::equal(doc, want)) {
    return ::testing::AssertionFailure() << "patch " << patch_text << " on " << doc_text << " gave " << S(doc)
                                         << ", want " << S(want);
  }
  return ::testing::AssertionSuccess();
}

// Applies `patch` to `doc`, expecting PatchError and the document left unchanged.
::testing::AssertionResult PatchFails(std::string_view doc_text, std::string_view patch_text) {
  Value doc = J(doc_text);
  const Value original = doc;
  try {
    kube::apply_json_patch(doc, J(patch_text));
  } catch (const PatchError& e) {
    if (std::string(e.what()).empty()) return ::testing::AssertionFailure() << "empty PatchError message";
    if (!kube::json::equal(doc, original)) {
      return ::testing::AssertionFailure() << "failed patch " << patch_text << " modified the document to "
                                           << S(doc);
    }
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "patch " << patch_text << " on " << doc_text
                                       << " should fail, gave " << S(doc);
}

::testing::AssertionResult MergeGives(std::string_view doc_text, std::string_view patch_text,
                                      std::string_view want_text) {
  Value doc = J(doc_text);
  kube::apply_merge_patch(doc, J(patch_text));
  Value want = J(want_text);
  if (!kube::json::equal(doc, want)) {
    return ::testing::AssertionFailure() << "merge patch " << patch_text << " on " << doc_text << " gave " << S(doc)
                                         << ", want " << S(want);
  }
  return ::testing::AssertionSuccess();
}

// =================================================================================================
// RFC 6902 Appendix A
// =================================================================================================

TEST(JsonPatchRfc6902, A1AddingAnObjectMember) {
  EXPECT_TRUE(PatchGives(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])",
                         R"({"baz":"qux","foo":"bar"})"));
}

TEST(JsonPatchRfc6902, A2AddingAnArrayElement) {
  EXPECT_TRUE(PatchGives(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])",
                         R"({"foo":["bar","qux","baz"]})"));
}

TEST(JsonPatchRfc6902, A3RemovingAnObjectMember) {
  EXPECT_TRUE(PatchGives(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"));
}

TEST(JsonPatchRfc6902, A4RemovingAnArrayElement) {
  EXPECT_TRUE(PatchGives(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])",
                         R"({"foo":["bar","baz"]})"));
}

TEST(JsonPatchRfc6902, A5ReplacingAValue) {
  EXPECT_TRUE(PatchGives(R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])",
                         R"({"baz":"boo","foo":"bar"})"));
}

TEST(JsonPatchRfc6902, A6MovingAValue) {
  EXPECT_TRUE(PatchGives(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                         R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
                         R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"));
}

TEST(JsonPatchRfc6902, A7MovingAnArrayElement) {
  EXPECT_TRUE(PatchGives(R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
                         R"({"foo":["all","cows","eat","grass"]})"));
}

TEST(JsonPatchRfc6902, A8TestingAValueSuccess) {
  EXPECT_TRUE(PatchGives(R"({"baz":"qux","foo":["a",2,"c"]})",
                         R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
                         R"({"baz":"qux","foo":["a",2,"c"]})"));
}

TEST(JsonPatchRfc6902, A9TestingAValueError) {
  EXPECT_TRUE(PatchFails(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])"));
}

TEST(JsonPatchRfc6902, A10AddingANestedMemberObject) {
  EXPECT_TRUE(PatchGives(R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
                         R"({"foo":"bar","child":{"grandchild":{}}})"));
}

TEST(JsonPatchRfc6902, A11IgnoringUnrecognizedElements) {
  EXPECT_TRUE(PatchGives(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
                         R"({"foo":"bar","baz":"qux"})"));
}

TEST(JsonPatchRfc6902, A12AddingToANonexistentTarget) {
  EXPECT_TRUE(PatchFails(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])"));
}

TEST(JsonPatchRfc6902, A13InvalidJsonPatchDocument) {
  // An operation with "op" twice cannot be treated as an "add": it is an error, either when the
  // text is parsed or when the patch is applied. (Boost.JSON keeps the last duplicate, so this
  // reads as a "remove" of the missing /baz and fails when applied.)
  const std::string_view patch_text = R"([{"op":"add","path":"/baz","value":"qux","op":"remove"}])";
  Value doc = J(R"({"foo":"bar"})");
  const Value original = doc;
  bool rejected = false;
  try {
    Value patch = J(patch_text);
    kube::apply_json_patch(doc, patch);
  } catch (const kube::Error&) {
    rejected = true;
  }
  EXPECT_TRUE(rejected) << "gave " << S(doc);
  EXPECT_TRUE(kube::json::equal(doc, original)) << S(doc);
}

TEST(JsonPatchRfc6902, A14TildeEscapeOrdering) {
  EXPECT_TRUE(PatchGives(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])", R"({"/":9,"~1":10})"));
}

TEST(JsonPatchRfc6902, A15ComparingStringsAndNumbers) {
  EXPECT_TRUE(PatchFails(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])"));
}

TEST(JsonPatchRfc6902, A16AddingAnArrayValue) {
  EXPECT_TRUE(PatchGives(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
                         R"({"foo":["bar",["abc","def"]]})"));
}

// =================================================================================================
// Operations in detail
// =================================================================================================

TEST(JsonPatchAdd, ReplacesAnExistingMember) {
  EXPECT_TRUE(PatchGives(R"({"a":1,"b":2})", R"([{"op":"add","path":"/a","value":{"x":[1]}}])",
                         R"({"a":{"x":[1]},"b":2})"));
}

TEST(JsonPatchAdd, NullValueIsAValue) {
  EXPECT_TRUE(PatchGives(R"({})", R"([{"op":"add","path":"/a","value":null}])", R"({"a":null})"));
}

TEST(JsonPatchAdd, RootReplacesTheDocument) {
  EXPECT_TRUE(PatchGives(R"({"a":1})", R"([{"op":"add","path":"","value":[1,2]}])", R"([1,2])"));
}

TEST(JsonPatchAdd, EmptyAndDashKeysOnObjects) {
  EXPECT_TRUE(PatchGives(R"({})", R"([{"op":"add","path":"/","value":1}])", R"({"":1})"));
  // "-" only means "past the end" for arrays; on an object it is a member name.
  EXPECT_TRUE(PatchGives(R"({"a":1})", R"([{"op":"add","path":"/-","value":2}])", R"({"a":1,"-":2})"));
}

TEST(JsonPatchAdd, EscapedMemberNames) {
  EXPECT_TRUE(PatchGives(R"({})", R"([{"op":"add","path":"/a~1b","value":1},{"op":"add","path":"/m~0n","value":2}])",
                         R"({"a/b":1,"m~n":2})"));
}

TEST(JsonPatchAdd, IntoAScalarFails) {
  EXPECT_TRUE(PatchFails(R"({"a":"str"})", R"([{"op":"add","path":"/a/b","value":1}])"));
  EXPECT_TRUE(PatchFails(R"({"a":5})", R"([{"op":"add","path":"/a/0","value":1}])"));
  EXPECT_TRUE(PatchFails(R"({"a":null})", R"([{"op":"add","path":"/a/b","value":1}])"));
}

TEST(JsonPatchAdd, DeepNonexistentParentFails) {
  EXPECT_TRUE(PatchFails(R"({"a":{}})", R"([{"op":"add","path":"/a/b/c","value":1}])"));
}

TEST(JsonPatchRemove, MissingTargetFails) {
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"remove","path":"/b"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":{}})", R"([{"op":"remove","path":"/a/b"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":"s"})", R"([{"op":"remove","path":"/a/0"}])"));
}

TEST(JsonPatchRemove, NestedAndEscaped) {
  EXPECT_TRUE(PatchGives(R"({"a":{"b/c":1,"d":2}})", R"([{"op":"remove","path":"/a/b~1c"}])", R"({"a":{"d":2}})"));
  EXPECT_TRUE(PatchGives(R"({"a":[[1,2],[3]]})", R"([{"op":"remove","path":"/a/0/1"}])", R"({"a":[[1],[3]]})"));
}

TEST(JsonPatchReplace, TargetMustExist) {
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"replace","path":"/b","value":2}])"));
  EXPECT_TRUE(PatchFails(R"({"a":[1]})", R"([{"op":"replace","path":"/a/1","value":2}])"));
}

TEST(JsonPatchReplace, ArrayElementAndRoot) {
  EXPECT_TRUE(PatchGives(R"({"a":[1,2,3]})", R"([{"op":"replace","path":"/a/1","value":"x"}])",
                         R"({"a":[1,"x",3]})"));
  EXPECT_TRUE(PatchGives(R"({"a":1})", R"([{"op":"replace","path":"","value":"whole"}])", R"("whole")"));
  EXPECT_TRUE(PatchGives(R"({"a":1})", R"([{"op":"replace","path":"/a","value":null}])", R"({"a":null})"));
}

TEST(JsonPatchMove, IntoOwnChildFails) {
  EXPECT_TRUE(PatchFails(R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":[1]})", R"([{"op":"move","from":"/a","path":"/a/0"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"move","from":"","path":"/a"}])"));
}

TEST(JsonPatchMove, ToSiblingWithCommonPrefixIsAllowed) {
  // "/ab" starts with "/a" but is not inside it.
  EXPECT_TRUE(PatchGives(R"({"a":{"x":1}})", R"([{"op":"move","from":"/a","path":"/ab"}])", R"({"ab":{"x":1}})"));
}

TEST(JsonPatchMove, ToItselfIsANoOp) {
  EXPECT_TRUE(PatchGives(R"({"a":{"x":1},"b":2})", R"([{"op":"move","from":"/a","path":"/a"}])",
                         R"({"a":{"x":1},"b":2})"));
}

TEST(JsonPatchMove, ChildToParent) {
  EXPECT_TRUE(PatchGives(R"({"a":{"b":{"c":1}}})", R"([{"op":"move","from":"/a/b","path":"/a"}])",
                         R"({"a":{"c":1}})"));
}

TEST(JsonPatchMove, ReplacesExistingTarget) {
  EXPECT_TRUE(PatchGives(R"({"a":1,"b":2})", R"([{"op":"move","from":"/a","path":"/b"}])", R"({"b":1})"));
}

TEST(JsonPatchMove, BetweenArrays) {
  EXPECT_TRUE(PatchGives(R"({"a":[1,2],"b":[3]})", R"([{"op":"move","from":"/a/0","path":"/b/-"}])",
                         R"({"a":[2],"b":[3,1]})"));
}

TEST(JsonPatchMove, MissingSourceFails) {
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"move","from":"/x","path":"/b"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"move","path":"/b"}])"));
}

TEST(JsonPatchCopy, CopiesValues) {
  EXPECT_TRUE(PatchGives(R"({"a":{"b":[1,2]}})", R"([{"op":"copy","from":"/a","path":"/c"}])",
                         R"({"a":{"b":[1,2]},"c":{"b":[1,2]}})"));
  EXPECT_TRUE(PatchGives(R"({"a":[1,2]})", R"([{"op":"copy","from":"/a/1","path":"/a/0"}])", R"({"a":[2,1,2]})"));
  // Copying into its own child is fine: the copy is taken first.
  EXPECT_TRUE(PatchGives(R"({"a":{"x":1}})", R"([{"op":"copy","from":"/a","path":"/a/self"}])",
                         R"({"a":{"x":1,"self":{"x":1}}})"));
}

TEST(JsonPatchCopy, CopiesAreIndependent) {
  EXPECT_TRUE(PatchGives(R"({"a":{"x":1}})",
                         R"([{"op":"copy","from":"/a","path":"/b"},{"op":"replace","path":"/b/x","value":2}])",
                         R"({"a":{"x":1},"b":{"x":2}})"));
}

TEST(JsonPatchCopy, MissingSourceFails) {
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"copy","from":"/x","path":"/b"}])"));
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"copy","path":"/b"}])"));
}

TEST(JsonPatchTest, NumbersCompareByValue) {
  EXPECT_TRUE(PatchGives(R"({"a":1})", R"([{"op":"test","path":"/a","value":1.0}])", R"({"a":1})"));
  EXPECT_TRUE(PatchGives(R"({"a":1.0})", R"([{"op":"test","path":"/a","value":1}])", R"({"a":1.0})"));
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])"));
}

TEST(JsonPatchTest, StructuralComparison) {
  // Member order does not matter; array order does.
  EXPECT_TRUE(PatchGives(R"({"a":{"x":1,"y":[1,2]}})", R"([{"op":"test","path":"/a","value":{"y":[1,2],"x":1}}])",
                         R"({"a":{"x":1,"y":[1,2]}})"));
  EXPECT_TRUE(PatchFails(R"({"a":[1,2]})", R"([{"op":"test","path":"/a","value":[2,1]}])"));
  EXPECT_TRUE(PatchFails(R"({"a":{"x":1}})", R"([{"op":"test","path":"/a","value":{"x":1,"y":2}}])"));
  EXPECT_TRUE(PatchFails(R"({"a":null})", R"([{"op":"test","path":"/a","value":false}])"));
  EXPECT_TRUE(PatchFails(R"({"a":true})", R"([{"op":"test","path":"/a","value":1}])"));
  EXPECT_TRUE(PatchGives(R"({"a":null})", R"([{"op":"test","path":"/a","value":null}])", R"({"a":null})"));
  EXPECT_TRUE(PatchGives(R"({"a":1})", R"([{"op":"test","path":"","value":{"a":1}}])", R"({"a":1})"));
}

TEST(JsonPatchTest, MissingPathFails) {
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"test","path":"/b","value":null}])"));
  EXPECT_TRUE(PatchFails(R"({"a":[1]})", R"([{"op":"test","path":"/a/1","value":1}])"));
  EXPECT_TRUE(PatchFails(R"({"a":[1]})", R"([{"op":"test","path":"/a/-","value":1}])"));
}

TEST(JsonPatchMalformed, OperationShape) {
  EXPECT_TRUE(PatchFails(R"({})", R"({"op":"add","path":"/a","value":1})"));  // not an array
  EXPECT_TRUE(PatchFails(R"({})", R"("add")"));
  EXPECT_TRUE(PatchFails(R"({})", R"([1])"));                                       // op not an object
  EXPECT_TRUE(PatchFails(R"({})", R"([{"path":"/a","value":1}])"));               // no op
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"add","value":1}])"));                // no path
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"add","path":"/a"}])"));              // no value
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"replace","path":"/a"}])"));     // no value
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"test","path":"/a"}])"));        // no value
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"frobnicate","path":"/a","value":1}])"));
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"ADD","path":"/a","value":1}])"));    // case-sensitive
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":1,"path":"/a","value":1}])"));        // op not a string
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"add","path":1,"value":1}])"));       // path not a string
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"move","from":1,"path":"/b"}])"));
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"add","path":"a","value":1}])"));     // pointer without '/'
  EXPECT_TRUE(PatchFails(R"({})", R"([{"op":"add","path":"/a~2","value":1}])"));  // bad escape
}

TEST(JsonPatchMalformed, ErrorsNameTheProblem) {
  Value doc = J(R"({"a":1})");
  try {
    kube::apply_json_patch(doc, J(R"([{"op":"test","path":"/a","value":1},{"op":"remove","path":"/missing"}])"));
    ADD_FAILURE() << "expected PatchError";
  } catch (const PatchError& e) {
    EXPECT_NE(std::string(e.what()).find("/missing"), std::string::npos) << e.what();
  }
  try {
    kube::apply_json_patch(doc, J(R"([{"op":"frobnicate","path":"/a"}])"));
    ADD_FAILURE() << "expected PatchError";
  } catch (const PatchError& e) {
    EXPECT_NE(std::string(e.what()).find("frobnicate"), std::string::npos) << e.what();
  }
}

TEST(JsonPatchMalformed, PatchErrorIsAKubeError) {
  Value doc = J("{}");
  EXPECT_THROW(kube::apply_json_patch(doc, J("[{}]")), kube::Error);
}

TEST(JsonPatchApply, EmptyPatchIsANoOp) {
  EXPECT_TRUE(PatchGives(R"({"a":[1,{"b":2}]})", "[]", R"({"a":[1,{"b":2}]})"));
}

TEST(JsonPatchApply, OperationsApplyInSequence) {
  EXPECT_TRUE(PatchGives(R"({"spec":{"replicas":1}})",
                         R"([{"op":"test","path":"/spec/replicas","value":1},
                             {"op":"replace","path":"/spec/replicas","value":3},
                             {"op":"add","path":"/spec/template","value":{}},
                             {"op":"add","path":"/spec/template/labels","value":{"app":"web"}},
                             {"op":"test","path":"/spec/replicas","value":3},
                             {"op":"copy","from":"/spec/template/labels","path":"/metadata"},
                             {"op":"remove","path":"/spec/template"}])",
                         R"({"spec":{"replicas":3},"metadata":{"app":"web"}})"));
}

// =================================================================================================
// Atomicity
// =================================================================================================

TEST(JsonPatchAtomicity, FailingLastOperationLeavesDocumentUnchanged) {
  EXPECT_TRUE(PatchFails(R"({"a":1,"b":[1,2]})", R"([{"op":"add","path":"/c","value":3},
                                                     {"op":"remove","path":"/b/0"},
                                                     {"op":"replace","path":"/a","value":5},
                                                     {"op":"test","path":"/a","value":1}])"));
}

TEST(JsonPatchAtomicity, FailingMiddleOperationLeavesDocumentUnchanged) {
  EXPECT_TRUE(PatchFails(R"({"a":{"b":1}})", R"([{"op":"remove","path":"/a/b"},
                                                  {"op":"remove","path":"/a/b"},
                                                  {"op":"add","path":"/z","value":0}])"));
  EXPECT_TRUE(PatchFails(R"({"a":{"b":1}})", R"([{"op":"add","path":"","value":7},
                                                  {"op":"add","path":"/x","value":0}])"));
}

TEST(JsonPatchAtomicity, MalformedLaterOperationLeavesDocumentUnchanged) {
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"replace","path":"/a","value":2}, 42])"));
  EXPECT_TRUE(PatchFails(R"({"a":1})", R"([{"op":"replace","path":"/a","value":2},{"op":"nope","path":"/a"}])"));
}

// =================================================================================================
// Array index rules
// =================================================================================================

TEST(JsonPatchArrayIndex, DashAppends) {
  EXPECT_TRUE(PatchGives(R"([1,2])", R"([{"op":"add","path":"/-","value":3}])", R"([1,2,3])"));
  EXPECT_TRUE(PatchGives(R"({"a":[]})", R"([{"op":"add","path":"/a/-","value":1}])", R"({"a":[1]})"));
}

TEST(JsonPatchArrayIndex, AddAtSizeAppends) {
  EXPECT_TRUE(PatchGives(R"([1,2])", R"([{"op":"add","path":"/2","value":3}])", R"([1,2,3])"));
  EXPECT_TRUE(PatchGives(R"([1,2])", R"([{"op":"add","path":"/0","value":0}])", R"([0,1,2])"));
  EXPECT_TRUE(PatchGives(R"([])", R"([{"op":"add","path":"/0","value":0}])", R"([0])"));
}

TEST(JsonPatchArrayIndex, OutOfBounds) {
  EXPECT_TRUE(PatchFails(R"([1,2])", R"([{"op":"add","path":"/3","value":3}])"));
  EXPECT_TRUE(PatchFails(R"([1,2])", R"([{"op":"remove","path":"/2"}])"));
  EXPECT_TRUE(PatchFails(R"([1,2])", R"([{"op":"replace","path":"/2","value":0}])"));
  EXPECT_TRUE(PatchFails(R"([])", R"([{"op":"remove","path":"/0"}])"));
  EXPECT_TRUE(PatchFails(R"([1,2])", R"([{"op":"add","path":"/99999999999999999999999","value":0}])"));
}

TEST(JsonPatchArrayIndex, LeadingZerosSignsAndJunkAreInvalid) {
  for (std::string_view index : {"01", "00", "-1", "+1", " 1", "1 ", "1.0", "1e0", "a", "0x1", ""}) {
    std::string patch = R"([{"op":"replace","path":"/)" + std::string(index) + R"(","value":0}])";
    EXPECT_TRUE(PatchFails(R"([1,2,3])", patch)) << "index \"" << index << "\"";
    std::string add = R"([{"op":"add","path":"/)" + std::string(index) + R"(","value":0}])";
    EXPECT_TRUE(PatchFails(R"([1,2,3])", add)) << "index \"" << index << "\"";
  }
  EXPECT_TRUE(PatchGives(R"([1,2,3])", R"([{"op":"replace","path":"/0","value":0}])", R"([0,2,3])"));
}

TEST(JsonPatchArrayIndex, DashOnlyForAdd) {
  EXPECT_TRUE(PatchFails(R"([1])", R"([{"op":"remove","path":"/-"}])"));
  EXPECT_TRUE(PatchFails(R"([1])", R"([{"op":"replace","path":"/-","value":2}])"));
  EXPECT_TRUE(PatchFails(R"([1])", R"([{"op":"test","path":"/-","value":1}])"));
  EXPECT_TRUE(PatchFails(R"([1])", R"([{"op":"move","from":"/-","path":"/0"}])"));
  EXPECT_TRUE(PatchFails(R"([1])", R"([{"op":"copy","from":"/-","path":"/0"}])"));
  // "-" in the middle of a path names no element.
  EXPECT_TRUE(PatchFails(R"([[1]])", R"([{"op":"add","path":"/-/0","value":2}])"));
}

TEST(JsonPatchArrayIndex, NestedArrays) {
  EXPECT_TRUE(PatchGives(R"({"m":[[1,2],[3,4]]})", R"([{"op":"add","path":"/m/1/1","value":9}])",
                         R"({"m":[[1,2],[3,9,4]]})"));
  EXPECT_TRUE(PatchFails(R"({"m":[[1,2],[3,4]]})", R"([{"op":"add","path":"/m/2/0","value":9}])"));
}

// =================================================================================================
// JSON Pointer (RFC 6901)
// =================================================================================================

constexpr std::string_view kRfc6901Doc = R"({
  "foo": ["bar", "baz"],
  "": 0,
  "a/b": 1,
  "c%d": 2,
  "e^f": 3,
  "g|h": 4,
  "i\\j": 5,
  "k\"l": 6,
  " ": 7,
  "m~n": 8
})";

TEST(JsonPointer, Rfc6901Examples) {
  const Value doc = J(kRfc6901Doc);
  struct Case {
    std::string_view pointer;
    std::string_view want;
  };
  for (const Case& c : std::vector<Case>{{"/foo", R"(["bar","baz"])"},
                                         {"/foo/0", R"("bar")"},
                                         {"/", "0"},
                                         {"/a~1b", "1"},
                                         {"/c%d", "2"},
                                         {"/e^f", "3"},
                                         {"/g|h", "4"},
                                         {"/i\\j", "5"},
                                         {"/k\"l", "6"},
                                         {"/ ", "7"},
                                         {"/m~0n", "8"}}) {
    const Value* found = kube::find_json_pointer(doc, c.pointer);
    ASSERT_NE(found, nullptr) << c.pointer;
    EXPECT_TRUE(kube::json::equal(*found, J(c.want))) << c.pointer << " -> " << S(*found);
  }
  const Value* whole = kube::find_json_pointer(doc, "");
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(whole, &doc);
}

TEST(JsonPointer, Parse) {
  using Tokens = std::vector<std::string>;
  EXPECT_EQ(kube::parse_json_pointer(""), Tokens{});
  EXPECT_EQ(kube::parse_json_pointer("/"), Tokens{""});
  EXPECT_EQ(kube::parse_json_pointer("//"), (Tokens{"", ""}));
  EXPECT_EQ(kube::parse_json_pointer("/foo"), Tokens{"foo"});
  EXPECT_EQ(kube::parse_json_pointer("/foo/0"), (Tokens{"foo", "0"}));
  EXPECT_EQ(kube::parse_json_pointer("/a~1b"), Tokens{"a/b"});
  EXPECT_EQ(kube::parse_json_pointer("/m~0n"), Tokens{"m~n"});
  EXPECT_EQ(kube::parse_json_pointer("/a/"), (Tokens{"a", ""}));
  EXPECT_EQ(kube::parse_json_pointer("/ "), Tokens{" "});
  // "~01" is "~" followed by "1", never "/" (~1 is not decoded after ~0).
  EXPECT_EQ(kube::parse_json_pointer("/~01"), Tokens{"~1"});
  EXPECT_EQ(kube::parse_json_pointer("/~10"), Tokens{"/0"});
  EXPECT_EQ(kube::parse_json_pointer("/~0~1~0~1"), Tokens{"~/~/"});
  EXPECT_EQ(kube::parse_json_pointer("/~00"), Tokens{"~0"});
}

TEST(JsonPointer, ParseErrors) {
  for (std::string_view bad : {"a", "foo/bar", " /a", "/~", "/a~", "/~2", "/~a", "/a~/b", "#/a"}) {
    EXPECT_THROW(kube::parse_json_pointer(bad), PatchError) << bad;
  }
}

TEST(JsonPointer, EscapeToken) {
  EXPECT_EQ(kube::escape_json_pointer_token(""), "");
  EXPECT_EQ(kube::escape_json_pointer_token("plain"), "plain");
  EXPECT_EQ(kube::escape_json_pointer_token("a/b"), "a~1b");
  EXPECT_EQ(kube::escape_json_pointer_token("m~n"), "m~0n");
  EXPECT_EQ(kube::escape_json_pointer_token("~1"), "~01");
  EXPECT_EQ(kube::escape_json_pointer_token("/~"), "~1~0");
  for (std::string token : {"", "a/b", "m~n", "~1", "/~", "~~//", "x"}) {
    EXPECT_EQ(kube::parse_json_pointer("/" + kube::escape_json_pointer_token(token)), std::vector{token}) << token;
  }
}

TEST(JsonPointer, FindReturnsNullForMissingOrMalformed) {
  const Value doc = J(kRfc6901Doc);
  for (std::string_view pointer : {"/nope", "/foo/2", "/foo/-", "/foo/01", "/foo/bar", "/foo/0/x", "/a~1b/c",
                                   "foo", "/~2", "/a/b", "/m~n"}) {
    EXPECT_EQ(kube::find_json_pointer(doc, pointer), nullptr) << pointer;
  }
}

TEST(JsonPointer, FindReturnsTheElementItself) {
  const Value doc = J(R"({"a":{"b":[10,20]}})");
  const Value* found = kube::find_json_pointer(doc, "/a/b/1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found, &doc.as_object().at("a").as_object().at("b").as_array().at(1));
}

// =================================================================================================
// RFC 7386 merge patch (Appendix A)
// =================================================================================================

TEST(MergePatchRfc7386, AppendixA) {
  struct Case {
    std::string_view original, patch, result;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
           {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
           {R"({"a":"b"})", R"({"a":null})", R"({})"},
           {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
           {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
           {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
           {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
           {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
           {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
           {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
           {R"({"a":"foo"})", R"(null)", R"(null)"},
           {R"({"a":"foo"})", R"("bar")", R"("bar")"},
           {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
           {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
           {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
       }) {
    EXPECT_TRUE(MergeGives(c.original, c.patch, c.result));
  }
}

TEST(MergePatchRfc7386, RfcSection3Example) {
  EXPECT_TRUE(MergeGives(
      R"({"title":"Goodbye!","author":{"givenName":"John","familyName":"Doe"},"tags":["example","sample"],
          "content":"This will be unchanged"})",
      R"({"title":"Hello!","phoneNumber":"+01-123-456-7890","author":{"familyName":null},"tags":["example"]})",
      R"({"title":"Hello!","author":{"givenName":"John"},"tags":["example"],"content":"This will be unchanged",
          "phoneNumber":"+01-123-456-7890"})"));
}

TEST(MergePatchRfc7386, EmptyPatchIsANoOp) {
  EXPECT_TRUE(MergeGives(R"({"a":{"b":1},"c":[1]})", R"({})", R"({"a":{"b":1},"c":[1]})"));
}

TEST(MergePatchRfc7386, RemovingAMissingMemberIsANoOp) {
  EXPECT_TRUE(MergeGives(R"({"a":1})", R"({"x":null,"y":{"z":null}})", R"({"a":1,"y":{}})"));
}

TEST(MergePatchRfc7386, NullsInsideArraysAreKept) {
  EXPECT_TRUE(MergeGives(R"({"a":1})", R"({"a":[null,{"b":null}]})", R"({"a":[null,{"b":null}]})"));
}

TEST(MergePatchRfc7386, ScalarTargetBecomesObject) {
  EXPECT_TRUE(MergeGives(R"({"a":5})", R"({"a":{"b":1,"c":null}})", R"({"a":{"b":1}})"));
  EXPECT_TRUE(MergeGives(R"("text")", R"({"a":1})", R"({"a":1})"));
  EXPECT_TRUE(MergeGives(R"(null)", R"({"a":{"b":null}})", R"({"a":{}})"));
}

// =================================================================================================
// diff_json_patch / diff_merge_patch
// =================================================================================================

struct DiffCase {
  std::string_view from, to;
};

const std::vector<DiffCase>& DiffCases() {
  static const std::vector<DiffCase> cases = {
      {R"({})", R"({})"},
      {R"({"a":1})", R"({"a":1})"},
      {R"({"a":1})", R"({"a":2})"},
      {R"({"a":1})", R"({"a":1,"b":2})"},
      {R"({"a":1,"b":2})", R"({"b":2})"},
      {R"({"a":1,"b":2})", R"({})"},
      {R"({})", R"({"a":{"b":{"c":[1,2]}}})"},
      {R"({"spec":{"replicas":1,"template":{"metadata":{"labels":{"app":"web"}}}}})",
       R"({"spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"web","tier":"fe"}}}}})"},
      {R"({"a":{"b":{"c":1,"d":2},"e":3}})", R"({"a":{"b":{"c":5},"e":3,"f":{"g":true}}})"},
      // arrays that grow, shrink, become empty or start empty
      {R"({"a":[1,2]})", R"({"a":[1,2,3,4]})"},
      {R"({"a":[1,2,3,4]})", R"({"a":[1]})"},
      {R"({"a":[1,2,3]})", R"({"a":[]})"},
      {R"({"a":[]})", R"({"a":[1,2,3]})"},
      {R"({"a":[1,2,3]})", R"({"a":[3,2,1]})"},
      {R"({"a":[{"n":1},{"n":2},{"n":3}]})", R"({"a":[{"n":1,"x":true},{"n":5}]})"},
      {R"({"a":[[1,2],[3]]})", R"({"a":[[1],[3,4],[5]]})"},
      // type changes
      {R"({"a":{"b":1}})", R"({"a":[1]})"},
      {R"({"a":[1]})", R"({"a":{"0":1}})"},
      {R"({"a":1})", R"({"a":"1"})"},
      {R"({"a":"x"})", R"({"a":{"x":1}})"},
      {R"({"a":true})", R"({"a":false})"},
      {R"({"a":[1]})", R"({"a":"1"})"},
      {R"({"a":{"b":1}})", R"([1,2])"},
      {R"([1,2])", R"({"a":1})"},
      {R"(1)", R"("x")"},
      {R"(null)", R"({"a":1})"},
      {R"([1,[2]])", R"([1,[2,3],4])"},
      // member names that need escaping in pointers
      {R"({"a/b":1,"m~n":{"x/y":1},"~1":2})", R"({"a/b":2,"m~n":{"x/y":3,"~0":4}})"},
      {R"({"":1})", R"({"":{"":2}})"},
  };
  return cases;
}

TEST(JsonPatchDiff, RoundTrips) {
  for (const DiffCase& c : DiffCases()) {
    const Value from = J(c.from);
    const Value to = J(c.to);
    Value patch = kube::diff_json_patch(from, to);
    ASSERT_TRUE(patch.is_array()) << S(patch);
    Value doc = from;
    try {
      kube::apply_json_patch(doc, patch);
    } catch (const PatchError& e) {
      ADD_FAILURE() << "diff " << S(patch) << " from " << c.from << " does not apply: " << e.what();
      continue;
    }
    EXPECT_TRUE(kube::json::equal(doc, to)) << c.from << " -> " << c.to << ": patch " << S(patch) << " gave " << S(doc);
  }
}

TEST(JsonPatchDiff, IdenticalDocumentsGiveAnEmptyPatch) {
  EXPECT_TRUE(kube::json::equal(kube::diff_json_patch(J(R"({"a":[1,{"b":2}]})"), J(R"({"a":[1,{"b":2}]})")), J("[]")));
  // Numbers compare by value.
  EXPECT_TRUE(kube::json::equal(kube::diff_json_patch(J(R"({"a":1})"), J(R"({"a":1.0})")), J("[]")));
}

TEST(JsonPatchDiff, MinimalOperations) {
  EXPECT_TRUE(kube::json::equal(kube::diff_json_patch(J(R"({"a":1})"), J(R"({"a":1,"b":2})")),
                                J(R"([{"op":"add","path":"/b","value":2}])")));
  EXPECT_TRUE(kube::json::equal(kube::diff_json_patch(J(R"({"a":1,"b":2})"), J(R"({"a":1})")),
                                J(R"([{"op":"remove","path":"/b"}])")));
  EXPECT_TRUE(kube::json::equal(kube::diff_json_patch(J(R"({"a":{"b":1,"c":2}})"), J(R"({"a":{"b":1,"c":3}})")),
                                J(R"([{"op":"replace","path":"/a/c","value":3}])")));
  EXPECT_TRUE(kube::json::equal(kube::diff_json_patch(J(R"({"a/b":1})"), J(R"({"a/b":2})")),
                                J(R"([{"op":"replace","path":"/a~1b","value":2}])")));
}

TEST(JsonPatchDiff, ApplyingToADifferentDocumentCanFail) {
  // The diff carries no "test" guards, but paths that no longer exist make it fail atomically.
  Value patch = kube::diff_json_patch(J(R"({"a":{"b":1}})"), J(R"({"a":{"b":2}})"));
  Value other = J(R"({"x":1})");
  EXPECT_THROW(kube::apply_json_patch(other, patch), PatchError);
  EXPECT_TRUE(kube::json::equal(other, J(R"({"x":1})")));
}

TEST(MergePatchDiff, RoundTrips) {
  for (const DiffCase& c : DiffCases()) {
    const Value from = J(c.from);
    const Value to = J(c.to);
    Value patch = kube::diff_merge_patch(from, to);
    Value doc = from;
    kube::apply_merge_patch(doc, patch);
    EXPECT_TRUE(kube::json::equal(doc, to)) << c.from << " -> " << c.to << ": patch " << S(patch) << " gave " << S(doc);
  }
}

TEST(MergePatchDiff, MinimalPatches) {
  EXPECT_TRUE(kube::json::equal(kube::diff_merge_patch(J(R"({"a":1})"), J(R"({"a":1})")), J("{}")));
  EXPECT_TRUE(kube::json::equal(kube::diff_merge_patch(J(R"({"a":1,"b":2})"), J(R"({"a":1})")), J(R"({"b":null})")));
  EXPECT_TRUE(kube::json::equal(kube::diff_merge_patch(J(R"({"a":{"b":1,"c":2}})"), J(R"({"a":{"b":1,"c":3}})")),
                                J(R"({"a":{"c":3}})")));
  // Arrays are replaced whole.
  EXPECT_TRUE(kube::json::equal(kube::diff_merge_patch(J(R"({"a":[1,2,3],"b":1})"), J(R"({"a":[1,2],"b":1})")),
                                J(R"({"a":[1,2]})")));
  // A non-object target is the patch itself.
  EXPECT_TRUE(kube::json::equal(kube::diff_merge_patch(J(R"({"a":1})"), J(R"([1])")), J("[1]")));
}

}  // namespace

// Found by fuzz_patch: "0e999" read as NaN made a diff that could never replay (NaN != NaN), and
// would serialize as the non-JSON "NaN". Numbers that overflow are refused when parsed.
TEST(JsonDom, NumbersOutOfRangeAreRefused) {
  for (const char* text : {"[0e999]", "{\"a\":1e999}", "[-1e400]"}) {
    EXPECT_THROW(kube::json::parse(text), kube::json::DecodeError) << text;
  }
  kube::json::Value small = kube::json::parse("[0e-999,1e-400]");  // underflow is fine: zero
  EXPECT_EQ(small.as_array()[0].as_double(), 0.0);
  EXPECT_EQ(small.as_array()[1].as_double(), 0.0);
}

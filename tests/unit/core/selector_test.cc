// Tests for kube/core/selector.h: label and field selectors.
//
// The expected behaviour is the API server's (k8s.io/apimachinery pkg/labels, pkg/fields and
// pkg/util/validation).
#include "kube/core/selector.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "kube/core/error.h"

namespace kube {

// Readable gtest output for requirement mismatches.
void PrintTo(const LabelRequirement& r, std::ostream* os) { *os << "LabelRequirement{" << r.to_string() << "}"; }
void PrintTo(const FieldRequirement& r, std::ostream* os) {
  *os << "FieldRequirement{field=\"" << r.field << "\", " << (r.equals ? "==" : "!=") << ", value=\"" << r.value
      << "\"}";
}

}  // namespace kube

namespace {

using kube::FieldRequirement;
using kube::FieldSelector;
using kube::InvalidArgument;
using kube::LabelRequirement;
using kube::Labels;
using kube::LabelSelector;
using kube::SelectorOperator;

namespace meta = kube::api::meta::v1;

LabelRequirement Req(std::string key, SelectorOperator op, std::vector<std::string> values = {}) {
  return LabelRequirement{std::move(key), op, std::move(values)};
}

// Parses `text`, expecting InvalidArgument; returns the message ("" and a failure otherwise).
std::string LabelParseError(std::string_view text) {
  try {
    auto sel = LabelSelector::parse(text);
    ADD_FAILURE() << "expected InvalidArgument for label selector \"" << text << "\", parsed as \"" << sel.to_string()
                  << "\"";
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return {};
}

std::string FieldParseError(std::string_view text) {
  try {
    auto sel = FieldSelector::parse(text);
    ADD_FAILURE() << "expected InvalidArgument for field selector \"" << text << "\", parsed as \"" << sel.to_string()
                  << "\"";
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return {};
}

// Runs `fn`, expecting InvalidArgument; returns the message.
template <class F>
std::string InvalidMessage(F&& fn) {
  try {
    fn();
    ADD_FAILURE() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return {};
}

// =================================================================================================
// Label selector: parsing of every operator
// =================================================================================================

TEST(LabelSelectorParse, EqualsOperator) {
  auto sel = LabelSelector::parse("app=web");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("app", SelectorOperator::Equals, {"web"}));
  EXPECT_FALSE(sel.empty());
  EXPECT_EQ(sel.to_string(), "app=web");
}

TEST(LabelSelectorParse, DoubleEqualsIsEquals) {
  auto sel = LabelSelector::parse("app==web");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("app", SelectorOperator::Equals, {"web"}));
  EXPECT_EQ(sel, LabelSelector::parse("app=web"));
  // "==" is printed in its canonical single form.
  EXPECT_EQ(sel.to_string(), "app=web");
}

TEST(LabelSelectorParse, NotEqualsOperator) {
  auto sel = LabelSelector::parse("app!=web");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("app", SelectorOperator::NotEquals, {"web"}));
  EXPECT_EQ(sel.to_string(), "app!=web");
}

TEST(LabelSelectorParse, InOperator) {
  auto sel = LabelSelector::parse("tier in (frontend,edge)");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("tier", SelectorOperator::In, {"edge", "frontend"}));
  EXPECT_EQ(sel.to_string(), "tier in (edge,frontend)");
}

TEST(LabelSelectorParse, InWithSingleValue) {
  auto sel = LabelSelector::parse("tier in (web)");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("tier", SelectorOperator::In, {"web"}));
  EXPECT_EQ(sel.to_string(), "tier in (web)");
}

TEST(LabelSelectorParse, NotInOperator) {
  auto sel = LabelSelector::parse("env notin (prod,staging)");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("env", SelectorOperator::NotIn, {"prod", "staging"}));
  EXPECT_EQ(sel.to_string(), "env notin (prod,staging)");
}

TEST(LabelSelectorParse, ExistsOperator) {
  auto sel = LabelSelector::parse("canary");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("canary", SelectorOperator::Exists));
  EXPECT_EQ(sel.to_string(), "canary");
}

TEST(LabelSelectorParse, DoesNotExistOperator) {
  auto sel = LabelSelector::parse("!canary");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("canary", SelectorOperator::DoesNotExist));
  EXPECT_EQ(sel.to_string(), "!canary");
}

TEST(LabelSelectorParse, GreaterThanOperator) {
  auto sel = LabelSelector::parse("replicas>3");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("replicas", SelectorOperator::GreaterThan, {"3"}));
  EXPECT_EQ(sel.to_string(), "replicas>3");
}

TEST(LabelSelectorParse, LessThanOperator) {
  auto sel = LabelSelector::parse("replicas<10");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("replicas", SelectorOperator::LessThan, {"10"}));
  EXPECT_EQ(sel.to_string(), "replicas<10");
}

TEST(LabelSelectorParse, AllOperatorsTogether) {
  auto sel = LabelSelector::parse("a=1,b==2,c!=3,d in (4,5),e notin (6),f,!g,h>7,i<8");
  std::vector<LabelRequirement> want = {
      Req("a", SelectorOperator::Equals, {"1"}),     Req("b", SelectorOperator::Equals, {"2"}),
      Req("c", SelectorOperator::NotEquals, {"3"}),  Req("d", SelectorOperator::In, {"4", "5"}),
      Req("e", SelectorOperator::NotIn, {"6"}),      Req("f", SelectorOperator::Exists),
      Req("g", SelectorOperator::DoesNotExist),      Req("h", SelectorOperator::GreaterThan, {"7"}),
      Req("i", SelectorOperator::LessThan, {"8"}),
  };
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_EQ(sel.to_string(), "a=1,b=2,c!=3,d in (4,5),e notin (6),f,!g,h>7,i<8");
}

TEST(LabelSelectorParse, PrefixedKeys) {
  auto sel = LabelSelector::parse("app.kubernetes.io/name=web,!example.com/skip,k8s.io/Tier in (a)");
  ASSERT_EQ(sel.requirements().size(), 3u);
  EXPECT_EQ(sel.requirements()[0], Req("app.kubernetes.io/name", SelectorOperator::Equals, {"web"}));
  EXPECT_EQ(sel.requirements()[1], Req("example.com/skip", SelectorOperator::DoesNotExist));
  EXPECT_EQ(sel.requirements()[2], Req("k8s.io/Tier", SelectorOperator::In, {"a"}));
}

TEST(LabelSelectorParse, KeywordsAreValidValues) {
  // "in" and "notin" are ordinary identifiers in value position.
  EXPECT_EQ(LabelSelector::parse("a=in").requirements()[0], Req("a", SelectorOperator::Equals, {"in"}));
  EXPECT_EQ(LabelSelector::parse("a!=notin").requirements()[0], Req("a", SelectorOperator::NotEquals, {"notin"}));
  EXPECT_EQ(LabelSelector::parse("a in (x,y,notin, z,in)").requirements()[0],
            Req("a", SelectorOperator::In, {"in", "notin", "x", "y", "z"}));
}

// Kubernetes reads the key position in "Values" context, where the keywords "in" and "notin" are
// plain identifiers, so they are valid label keys ("notin=in" is one of k8s' own examples).
TEST(LabelSelectorParse, KeywordsAreValidKeys) {
  auto parse = [](std::string_view text) -> std::optional<LabelSelector> {
    try {
      return LabelSelector::parse(text);
    } catch (const InvalidArgument& e) {
      ADD_FAILURE() << "\"" << text << "\" should parse: " << e.what();
      return std::nullopt;
    }
  };
  if (auto sel = parse("notin=in")) {
    EXPECT_EQ(sel->requirements(), std::vector{Req("notin", SelectorOperator::Equals, {"in"})});
    EXPECT_TRUE(sel->matches(Labels{{"notin", "in"}}));
  }
  if (auto sel = parse("in")) {
    EXPECT_EQ(sel->requirements(), std::vector{Req("in", SelectorOperator::Exists)});
  }
  if (auto sel = parse("!notin")) {
    EXPECT_EQ(sel->requirements(), std::vector{Req("notin", SelectorOperator::DoesNotExist)});
  }
  if (auto sel = parse("in in (a,b)")) {
    EXPECT_EQ(sel->requirements(), std::vector{Req("in", SelectorOperator::In, {"a", "b"})});
  }
}

TEST(LabelSelectorParse, EmptyAndBlankSelectorsAreEmpty) {
  for (std::string_view text : {"", " ", "\t", "  \n\r\t "}) {
    auto sel = LabelSelector::parse(text);
    EXPECT_TRUE(sel.empty()) << "\"" << text << "\"";
    EXPECT_EQ(sel.to_string(), "");
    EXPECT_EQ(sel, LabelSelector());
    EXPECT_TRUE(sel.matches(Labels{}));
    EXPECT_TRUE(sel.matches(Labels{{"a", "b"}}));
  }
}

TEST(LabelSelectorParse, DuplicateKeysAreKept) {
  auto sel = LabelSelector::parse("x=a,x=b");
  ASSERT_EQ(sel.requirements().size(), 2u);
  EXPECT_EQ(sel.requirements()[0].key, "x");
  EXPECT_EQ(sel.requirements()[1].key, "x");
  EXPECT_FALSE(sel.matches(Labels{{"x", "a"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "b"}}));
}

// =================================================================================================
// Label selector: whitespace
// =================================================================================================

TEST(LabelSelectorWhitespace, AroundTokensIsIgnored) {
  EXPECT_EQ(LabelSelector::parse("  a = b  ,  c  ").to_string(), "a=b,c");
  EXPECT_EQ(LabelSelector::parse("a == b").to_string(), "a=b");
  EXPECT_EQ(LabelSelector::parse("a != b").to_string(), "a!=b");
  EXPECT_EQ(LabelSelector::parse("a > 1 , b < 2").to_string(), "a>1,b<2");
  EXPECT_EQ(LabelSelector::parse("! a").to_string(), "!a");
  EXPECT_EQ(LabelSelector::parse("a ").to_string(), "a");
}

TEST(LabelSelectorWhitespace, TabsNewlinesAndCarriageReturns) {
  EXPECT_EQ(LabelSelector::parse("x  notin\t\t(abc,def)").requirements()[0],
            Req("x", SelectorOperator::NotIn, {"abc", "def"}));
  EXPECT_EQ(LabelSelector::parse("a\tin\n(\r x ,\ty\n)\r\n").requirements()[0],
            Req("a", SelectorOperator::In, {"x", "y"}));
  EXPECT_EQ(LabelSelector::parse("a\n!=\r\nb,\t!c").to_string(), "a!=b,!c");
}

TEST(LabelSelectorWhitespace, ParenthesisNeedsNoSpace) {
  EXPECT_EQ(LabelSelector::parse("a in(x,y)").requirements()[0], Req("a", SelectorOperator::In, {"x", "y"}));
  EXPECT_EQ(LabelSelector::parse("a notin(x)").requirements()[0], Req("a", SelectorOperator::NotIn, {"x"}));
}

TEST(LabelSelectorWhitespace, SpaceSeparatesIdentifiers) {
  // "a b" is a key followed by a stray identifier, not a key with a space.
  LabelParseError("a b");
  LabelParseError("a=b c");
  LabelParseError("a in (x y)");
  LabelParseError("x nott in (y)");
}

// Kubernetes' lexer treats only ' ', '\t', '\r' and '\n' as whitespace; a form feed or vertical
// tab is part of an identifier, which then fails key/value validation.
TEST(LabelSelectorWhitespace, FormFeedAndVerticalTabAreNotWhitespace) {
  LabelParseError("a=b,\fc");
  LabelParseError("\va=b");
  LabelParseError("a=b\v");
}

// =================================================================================================
// Label selector: empty values
// =================================================================================================

TEST(LabelSelectorEmptyValues, ExactMatchWithEmptyValue) {
  auto sel = LabelSelector::parse("a=");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("a", SelectorOperator::Equals, {""}));
  EXPECT_EQ(sel.to_string(), "a=");
  EXPECT_TRUE(sel.matches(Labels{{"a", ""}}));
  EXPECT_FALSE(sel.matches(Labels{{"a", "x"}}));
  EXPECT_FALSE(sel.matches(Labels{}));  // the key must exist

  EXPECT_EQ(LabelSelector::parse("a==").requirements()[0], Req("a", SelectorOperator::Equals, {""}));
  EXPECT_EQ(LabelSelector::parse("a = ").requirements()[0], Req("a", SelectorOperator::Equals, {""}));
}

TEST(LabelSelectorEmptyValues, NotEqualsEmptyValue) {
  auto sel = LabelSelector::parse("a!=");
  ASSERT_EQ(sel.requirements().size(), 1u);
  EXPECT_EQ(sel.requirements()[0], Req("a", SelectorOperator::NotEquals, {""}));
  EXPECT_EQ(sel.to_string(), "a!=");
  EXPECT_FALSE(sel.matches(Labels{{"a", ""}}));
  EXPECT_TRUE(sel.matches(Labels{{"a", "x"}}));
  EXPECT_TRUE(sel.matches(Labels{}));
}

TEST(LabelSelectorEmptyValues, EmptyValueFollowedByMoreRequirements) {
  auto sel = LabelSelector::parse("a=,b");
  std::vector<LabelRequirement> want = {Req("a", SelectorOperator::Equals, {""}), Req("b", SelectorOperator::Exists)};
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_EQ(sel.to_string(), "a=,b");
}

TEST(LabelSelectorEmptyValues, SetWithEmptyMembers) {
  EXPECT_EQ(LabelSelector::parse("a in (x,)").requirements()[0], Req("a", SelectorOperator::In, {"", "x"}));
  EXPECT_EQ(LabelSelector::parse("a in (,x)").requirements()[0], Req("a", SelectorOperator::In, {"", "x"}));
  EXPECT_EQ(LabelSelector::parse("a in (, x)").requirements()[0], Req("a", SelectorOperator::In, {"", "x"}));
  EXPECT_EQ(LabelSelector::parse("a in (x,,y)").requirements()[0], Req("a", SelectorOperator::In, {"", "x", "y"}));
  EXPECT_EQ(LabelSelector::parse("a in (x,,,)").requirements()[0], Req("a", SelectorOperator::In, {"", "x"}));
  EXPECT_EQ(LabelSelector::parse("a in (x,,x,,x,)").requirements()[0], Req("a", SelectorOperator::In, {"", "x"}));
  EXPECT_EQ(LabelSelector::parse("a notin (x,)").requirements()[0], Req("a", SelectorOperator::NotIn, {"", "x"}));
  EXPECT_EQ(LabelSelector::parse("a in (,)").requirements()[0], Req("a", SelectorOperator::In, {""}));

  auto sel = LabelSelector::parse("a in (x,)");
  EXPECT_EQ(sel.to_string(), "a in (,x)");
  EXPECT_TRUE(sel.matches(Labels{{"a", ""}}));
  EXPECT_TRUE(sel.matches(Labels{{"a", "x"}}));
  EXPECT_FALSE(sel.matches(Labels{{"a", "y"}}));
  EXPECT_FALSE(sel.matches(Labels{}));
  EXPECT_EQ(LabelSelector::parse(sel.to_string()), sel);
}

// In Kubernetes an empty set "()" means the set {""}: "x in ()" parses as x in ("") and
// "x notin ( )" as x notin ("").
TEST(LabelSelectorEmptyValues, EmptyParenthesesMeanEmptyStringValue) {
  try {
    auto sel = LabelSelector::parse("x in ()");
    EXPECT_EQ(sel.requirements(), std::vector{Req("x", SelectorOperator::In, {""})});
    EXPECT_TRUE(sel.matches(Labels{{"x", ""}}));
    EXPECT_FALSE(sel.matches(Labels{{"x", "a"}}));
  } catch (const InvalidArgument& e) {
    ADD_FAILURE() << "\"x in ()\" should parse: " << e.what();
  }
  try {
    auto sel = LabelSelector::parse("x notin ( ),w");
    std::vector<LabelRequirement> want = {Req("w", SelectorOperator::Exists), Req("x", SelectorOperator::NotIn, {""})};
    EXPECT_EQ(sel.requirements(), want);
  } catch (const InvalidArgument& e) {
    ADD_FAILURE() << "\"x notin ( ),w\" should parse: " << e.what();
  }
}

// =================================================================================================
// Label selector: canonical text
// =================================================================================================

TEST(LabelSelectorToString, SortedByKey) {
  auto sel = LabelSelector::parse("z=1,a in (c,b,a,b),!m,k");
  EXPECT_EQ(sel.to_string(), "a in (a,b,c),k,!m,z=1");
  std::vector<std::string> keys;
  for (const auto& r : sel.requirements()) keys.push_back(r.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "k", "m", "z"}));
}

TEST(LabelSelectorToString, HeaderExample) {
  auto sel = LabelSelector::parse("app=web,tier in (frontend,edge),!canary");
  EXPECT_EQ(sel.to_string(), "app=web,!canary,tier in (edge,frontend)");
  EXPECT_TRUE(sel.matches(Labels{{"app", "web"}, {"tier", "edge"}}));
  EXPECT_FALSE(sel.matches(Labels{{"app", "web"}, {"tier", "edge"}, {"canary", "true"}}));
}

TEST(LabelSelectorToString, SetValuesSortedAndDeduplicated) {
  auto sel = LabelSelector::parse("a notin (z,y,x,y,z)");
  EXPECT_EQ(sel.requirements()[0].values, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(sel.to_string(), "a notin (x,y,z)");
  // Byte-wise order: upper case sorts before lower case, digits before letters.
  EXPECT_EQ(LabelSelector::parse("a in (b,B,1,a)").to_string(), "a in (1,B,a,b)");
}

TEST(LabelSelectorToString, NoSpacesAroundBinaryOperators) {
  EXPECT_EQ(LabelSelector::parse(" a  ==  b ").to_string(), "a=b");
  EXPECT_EQ(LabelSelector::parse("a  in  (  b  )").to_string(), "a in (b)");
}

TEST(LabelSelectorToString, RoundTrips) {
  for (std::string_view text : {"a=b", "a!=b", "a in (x,y)", "a notin (x)", "a", "!a", "a>1", "a<0", "a=",
                                "a in (,x)", "example.com/a=b,x in (1,2),!y,z>10"}) {
    SCOPED_TRACE(text);
    auto sel = LabelSelector::parse(text);
    EXPECT_EQ(LabelSelector::parse(sel.to_string()), sel);
    EXPECT_EQ(LabelSelector::parse(sel.to_string()).to_string(), sel.to_string());
  }
}

TEST(LabelSelectorToString, RequirementToString) {
  EXPECT_EQ(Req("a", SelectorOperator::Equals, {"b"}).to_string(), "a=b");
  EXPECT_EQ(Req("a", SelectorOperator::NotEquals, {"b"}).to_string(), "a!=b");
  EXPECT_EQ(Req("a", SelectorOperator::In, {"b", "c"}).to_string(), "a in (b,c)");
  EXPECT_EQ(Req("a", SelectorOperator::NotIn, {"b"}).to_string(), "a notin (b)");
  EXPECT_EQ(Req("a", SelectorOperator::Exists).to_string(), "a");
  EXPECT_EQ(Req("a", SelectorOperator::DoesNotExist).to_string(), "!a");
  EXPECT_EQ(Req("a", SelectorOperator::GreaterThan, {"1"}).to_string(), "a>1");
  EXPECT_EQ(Req("a", SelectorOperator::LessThan, {"2"}).to_string(), "a<2");
}

// =================================================================================================
// Label selector: matching
// =================================================================================================

TEST(LabelSelectorMatch, Equals) {
  auto sel = LabelSelector::parse("x=y");
  EXPECT_TRUE(sel.matches(Labels{{"x", "y"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "y"}, {"other", "z"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "z"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "Y"}}));  // case-sensitive
  EXPECT_FALSE(sel.matches(Labels{}));
}

TEST(LabelSelectorMatch, NotEqualsMatchesObjectsWithoutTheKey) {
  auto sel = LabelSelector::parse("x!=y");
  EXPECT_TRUE(sel.matches(Labels{}));
  EXPECT_TRUE(sel.matches(Labels{{"other", "y"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "z"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "y"}}));
}

TEST(LabelSelectorMatch, In) {
  auto sel = LabelSelector::parse("x in (a,b)");
  EXPECT_TRUE(sel.matches(Labels{{"x", "a"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "b"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "c"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", ""}}));
  EXPECT_FALSE(sel.matches(Labels{}));
}

TEST(LabelSelectorMatch, NotInMatchesObjectsWithoutTheKey) {
  auto sel = LabelSelector::parse("x notin (a,b)");
  EXPECT_TRUE(sel.matches(Labels{}));
  EXPECT_TRUE(sel.matches(Labels{{"y", "a"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "c"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "a"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "b"}}));
}

TEST(LabelSelectorMatch, ExistsAndDoesNotExist) {
  auto exists = LabelSelector::parse("x");
  EXPECT_TRUE(exists.matches(Labels{{"x", ""}}));
  EXPECT_TRUE(exists.matches(Labels{{"x", "z"}}));
  EXPECT_FALSE(exists.matches(Labels{{"y", "z"}}));
  EXPECT_FALSE(exists.matches(Labels{}));

  auto absent = LabelSelector::parse("!x");
  EXPECT_TRUE(absent.matches(Labels{{"y", "z"}}));
  EXPECT_TRUE(absent.matches(Labels{}));
  EXPECT_FALSE(absent.matches(Labels{{"x", ""}}));
  EXPECT_FALSE(absent.matches(Labels{{"x", "z"}}));
}

TEST(LabelSelectorMatch, GreaterThan) {
  auto sel = LabelSelector::parse("x>1");
  EXPECT_TRUE(sel.matches(Labels{{"x", "2"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "100"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "02"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "1"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "0"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "-5"}}));
  EXPECT_FALSE(sel.matches(Labels{}));
}

TEST(LabelSelectorMatch, LessThan) {
  auto sel = LabelSelector::parse("x<1");
  EXPECT_TRUE(sel.matches(Labels{{"x", "0"}}));
  EXPECT_TRUE(sel.matches(Labels{{"x", "-3"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "1"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "2"}}));
  EXPECT_FALSE(sel.matches(Labels{}));
}

TEST(LabelSelectorMatch, GreaterThanNeedsIntegerLabelValues) {
  auto sel = LabelSelector::parse("x>1");
  EXPECT_FALSE(sel.matches(Labels{{"x", "abc"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", ""}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "2.5"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "3a"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", " 3"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "0x10"}}));
  // Out of the int64 range.
  EXPECT_FALSE(sel.matches(Labels{{"x", "99999999999999999999"}}));
  EXPECT_FALSE(LabelSelector::parse("x<1").matches(Labels{{"x", "-99999999999999999999"}}));
}

TEST(LabelSelectorMatch, Int64Range) {
  EXPECT_TRUE(LabelSelector::parse("x>9223372036854775806").matches(Labels{{"x", "9223372036854775807"}}));
  EXPECT_FALSE(LabelSelector::parse("x>9223372036854775807").matches(Labels{{"x", "9223372036854775807"}}));
  EXPECT_TRUE(LabelSelector::parse("x<1").matches(Labels{{"x", "-9223372036854775808"}}));
}

// Kubernetes compares label values with strconv.ParseInt, which accepts a leading '+' ("+7" is
// 7). (Only reachable for labels that did not go through API validation.)
TEST(LabelSelectorMatch, GreaterThanAcceptsExplicitPlusSignInLabelValue) {
  EXPECT_TRUE(LabelSelector::parse("x>5").matches(Labels{{"x", "+7"}}));
}

TEST(LabelSelectorMatch, RequirementsAreAnded) {
  auto sel = LabelSelector::parse("x=y,z=w");
  EXPECT_TRUE(sel.matches(Labels{{"x", "y"}, {"z", "w"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "w"}, {"z", "w"}}));
  EXPECT_FALSE(sel.matches(Labels{{"x", "y"}}));

  auto ne = LabelSelector::parse("x!=y,z!=w");
  EXPECT_TRUE(ne.matches(Labels{{"x", "z"}, {"z", "a"}}));
  EXPECT_FALSE(ne.matches(Labels{{"x", "z"}, {"z", "w"}}));

  auto mixed = LabelSelector::parse("app=web,tier in (fe,be),!canary,version>2,env notin (prod)");
  EXPECT_TRUE(mixed.matches(Labels{{"app", "web"}, {"tier", "fe"}, {"version", "3"}}));
  EXPECT_TRUE(mixed.matches(Labels{{"app", "web"}, {"tier", "be"}, {"version", "10"}, {"env", "dev"}}));
  EXPECT_FALSE(mixed.matches(Labels{{"app", "web"}, {"tier", "fe"}, {"version", "3"}, {"env", "prod"}}));
  EXPECT_FALSE(mixed.matches(Labels{{"app", "web"}, {"tier", "fe"}, {"version", "2"}}));
  EXPECT_FALSE(mixed.matches(Labels{{"app", "web"}, {"tier", "fe"}, {"version", "3"}, {"canary", "1"}}));
  EXPECT_FALSE(mixed.matches(Labels{{"app", "web"}, {"tier", "db"}, {"version", "3"}}));
}

TEST(LabelSelectorMatch, OptionalLabels) {
  std::optional<Labels> none;
  EXPECT_TRUE(LabelSelector().matches(none));
  EXPECT_TRUE(LabelSelector::parse("!x").matches(none));
  EXPECT_TRUE(LabelSelector::parse("x!=y").matches(none));
  EXPECT_TRUE(LabelSelector::parse("x notin (y)").matches(none));
  EXPECT_FALSE(LabelSelector::parse("x").matches(none));
  EXPECT_FALSE(LabelSelector::parse("x=y").matches(none));

  std::optional<Labels> some = Labels{{"x", "y"}};
  EXPECT_TRUE(LabelSelector::parse("x=y").matches(some));
  EXPECT_FALSE(LabelSelector::parse("!x").matches(some));
}

TEST(LabelSelectorMatch, RequirementMatchesDirectly) {
  EXPECT_TRUE(Req("a", SelectorOperator::In, {"x", "y"}).matches(Labels{{"a", "y"}}));
  EXPECT_TRUE(Req("a", SelectorOperator::NotIn, {"x"}).matches(Labels{}));
  EXPECT_FALSE(Req("a", SelectorOperator::Exists).matches(Labels{}));
  EXPECT_TRUE(Req("a", SelectorOperator::LessThan, {"5"}).matches(Labels{{"a", "4"}}));
}

TEST(LabelSelectorMatch, EmptySelectorMatchesEverything) {
  LabelSelector sel;
  EXPECT_TRUE(sel.empty());
  EXPECT_EQ(sel.to_string(), "");
  EXPECT_TRUE(sel.matches(Labels{}));
  EXPECT_TRUE(sel.matches(Labels{{"a", "b"}}));
}

// =================================================================================================
// Label key and value validation
// =================================================================================================

TEST(LabelSelectorValidation, ValidKeys) {
  const std::string name63(63, 'a');
  // A prefix may be up to 253 characters: labels of 63 joined by dots (63*4+3 = 255 is too long,
  // so use 3 labels of 63 and one of 61: 63*3 + 61 + 3 = 253).
  const std::string prefix253 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                std::string(61, 'd');
  ASSERT_EQ(prefix253.size(), 253u);
  for (const std::string& key :
       {std::string("a"), std::string("A"), std::string("0"), std::string("a.b-c_d"), std::string("MyName"),
        std::string("123-abc"), std::string("my.name"), std::string("example.com/name"),
        std::string("app.kubernetes.io/name"), std::string("k8s.io/App_1"), std::string("a-b.c/d"),
        std::string("1.2.3/x"), name63, "example.com/" + name63, prefix253 + "/x"}) {
    EXPECT_EQ(kube::validate_label_key(key), "") << key;
    EXPECT_NO_THROW(LabelSelector::parse(key)) << key;
    EXPECT_NO_THROW(LabelSelector().exists(key)) << key;
  }
}

TEST(LabelSelectorValidation, InvalidKeys) {
  const std::string name64(64, 'a');
  const std::string prefix254 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                std::string(62, 'd');
  ASSERT_EQ(prefix254.size(), 254u);
  for (const std::string& key : {
           std::string(""),
           name64,                        // name part longer than 63
           "example.com/" + name64,       // ... also with a prefix
           prefix254 + "/x",              // prefix longer than 253
           std::string("/a"),             // empty prefix
           std::string("a/"),             // empty name
           std::string("a/b/c"),          // more than one '/'
           std::string("Example.com/a"),  // prefix must be lower case
           std::string("exa_mple.com/a"), // no '_' in a DNS subdomain
           std::string("-a.com/a"),       // DNS label starts with '-'
           std::string("a-.com/a"),       // DNS label ends with '-'
           std::string("a..com/a"),       // empty DNS label
           std::string(".a.com/a"),       //
           std::string("a.com./a"),       //
           std::string("-a"),             // name must start/end alphanumeric
           std::string("a-"),             //
           std::string("_a"),             //
           std::string("a_"),             //
           std::string(".a"),             //
           std::string("a."),             //
           std::string("a@b"),            // disallowed characters
           std::string("a:b"),            //
           std::string("a\xc3\xa9"),      // non-ASCII
       }) {
    EXPECT_NE(kube::validate_label_key(key), "") << "\"" << key << "\"";
    EXPECT_THROW(LabelSelector().exists(key), InvalidArgument) << "\"" << key << "\"";
  }
}

TEST(LabelSelectorValidation, KeyReasonsAreSpecific) {
  EXPECT_NE(kube::validate_label_key(std::string(64, 'a')).find("63"), std::string::npos)
      << kube::validate_label_key(std::string(64, 'a'));
  EXPECT_NE(kube::validate_label_key("/a").find("prefix"), std::string::npos) << kube::validate_label_key("/a");
  EXPECT_NE(kube::validate_label_key("Example.com/a").find("prefix"), std::string::npos);
  EXPECT_NE(kube::validate_label_key("a/").find("name"), std::string::npos);
  EXPECT_NE(kube::validate_label_key("a/b/c").find("/"), std::string::npos) << kube::validate_label_key("a/b/c");
}

TEST(LabelSelectorValidation, ValidValues) {
  for (const std::string& value : {std::string(""), std::string("a"), std::string("A-b_c.d"), std::string("12345"),
                                   std::string("MyValue"), std::string("my_value"), std::string(63, 'z')}) {
    EXPECT_EQ(kube::validate_label_value(value), "") << value;
    EXPECT_NO_THROW(LabelSelector().equals("k", value)) << value;
  }
}

TEST(LabelSelectorValidation, InvalidValues) {
  for (const std::string& value : {std::string(64, 'z'), std::string("-a"), std::string("a-"), std::string("_a"),
                                   std::string(".a"), std::string("a b"), std::string("a/b"), std::string("a=b"),
                                   std::string("a,b"), std::string("a:b"), std::string("-1")}) {
    EXPECT_NE(kube::validate_label_value(value), "") << "\"" << value << "\"";
    EXPECT_THROW(LabelSelector().equals("k", value), InvalidArgument) << "\"" << value << "\"";
  }
  EXPECT_NE(kube::validate_label_value(std::string(64, 'z')).find("63"), std::string::npos);
}

TEST(LabelSelectorValidation, ParseValidatesKeysAndValues) {
  EXPECT_NE(LabelParseError("-a=b").find("-a"), std::string::npos);
  EXPECT_NE(LabelParseError("a/b/c=d").find("a/b/c"), std::string::npos);
  EXPECT_NE(LabelParseError("Example.com/a").find("Example.com/a"), std::string::npos);
  EXPECT_NE(LabelParseError("!_x").find("_x"), std::string::npos);
  EXPECT_NE(LabelParseError("a=-b").find("-b"), std::string::npos);
  EXPECT_NE(LabelParseError("a!=b.").find("b."), std::string::npos);
  EXPECT_NE(LabelParseError("a in (x,-y)").find("-y"), std::string::npos);
  EXPECT_NE(LabelParseError("a notin (y_)").find("y_"), std::string::npos);
  EXPECT_NE(LabelParseError("a=" + std::string(64, 'v')).find("63"), std::string::npos);
  LabelParseError(std::string(64, 'k') + "=v");
  LabelParseError("a=b@c");
  EXPECT_NO_THROW(LabelSelector::parse("a=" + std::string(63, 'v')));
  EXPECT_NO_THROW(LabelSelector::parse(std::string(63, 'k') + "=v"));
}

// =================================================================================================
// Label selector: errors
// =================================================================================================

TEST(LabelSelectorErrors, MalformedSetExpressions) {
  LabelParseError("a in");
  LabelParseError("a in (");
  LabelParseError("a in (x");
  LabelParseError("a in (x,");
  LabelParseError("a notin(");
  LabelParseError("a in x");
  LabelParseError("a in (x))");
  LabelParseError("a in ((x))");
  LabelParseError("a in (xyz),");
  LabelParseError("a in (xyz)b notin (x)");
  LabelParseError("a in (x=y)");
  LabelParseError("a in (!x)");
  LabelParseError("a notin");
}

TEST(LabelSelectorErrors, MalformedExactMatch) {
  LabelParseError("a=b=c");   // the second '=' is where a ',' or the end should be
  LabelParseError("a==b==c");
  LabelParseError("a!=b!=c");
  LabelParseError("a===b");
  LabelParseError("a=!b");
  LabelParseError("a=(b)");
  LabelParseError("a=b)");
  LabelParseError("x=a||y=b");
  LabelParseError("a<=1");
  LabelParseError("a>=1");
}

TEST(LabelSelectorErrors, MalformedUnaryOperators) {
  LabelParseError("!a=b");  // '!' takes only a key
  LabelParseError("!a in (b)");
  LabelParseError("!a!=b");
  LabelParseError("!");
  LabelParseError("!!a");
  LabelParseError("a!");
  LabelParseError("a!b");
  LabelParseError("!(a)");
}

TEST(LabelSelectorErrors, MalformedCommas) {
  LabelParseError("a,,b");
  LabelParseError("a,");  // trailing comma
  LabelParseError("a=b, ");
  LabelParseError(",a");  // leading comma
  LabelParseError(",x,y");
  LabelParseError(",");
}

TEST(LabelSelectorErrors, MalformedStructure) {
  LabelParseError("(");
  LabelParseError(")");
  LabelParseError("a (");
  LabelParseError("a (b)");
  LabelParseError("=a");
  LabelParseError("=");
  LabelParseError("in (a)");  // "in" as key followed by "(" is no operator
  LabelParseError("a > ");
  LabelParseError("a <");
}

TEST(LabelSelectorErrors, GreaterLessThanNeedIntegers) {
  EXPECT_NE(LabelParseError("x>y").find("integer"), std::string::npos) << LabelParseError("x>y");
  LabelParseError("x<y");
  LabelParseError("x>1.5");
  LabelParseError("x>1e3");
  LabelParseError("x>0x10");
  LabelParseError("x>99999999999999999999");  // out of int64 range
  LabelParseError("x>");
  LabelParseError("x>,y");
  LabelParseError("x>+1");
  EXPECT_NO_THROW(LabelSelector::parse("x>0"));
  EXPECT_NO_THROW(LabelSelector::parse("x<9223372036854775807"));
  EXPECT_NO_THROW(LabelSelector::parse("x>01"));
}

// Kubernetes validates the values of Gt/Lt requirements as label values as well as integers, so a
// negative bound ("-1" starts with '-') is rejected.
TEST(LabelSelectorErrors, NegativeIntegerBoundIsNotAValidLabelValue) {
  LabelParseError("x>-1");
  LabelParseError("x<-5");
}

TEST(LabelSelectorErrors, MessagesAreUseful) {
  // Syntax errors name the selector and what was expected.
  std::string msg = LabelParseError("a in (x");
  EXPECT_NE(msg.find("a in (x"), std::string::npos) << msg;
  EXPECT_NE(msg.find("')'"), std::string::npos) << msg;

  msg = LabelParseError("a,,b");
  EXPECT_NE(msg.find("a,,b"), std::string::npos) << msg;

  msg = LabelParseError("a=b=c");
  EXPECT_NE(msg.find("a=b=c"), std::string::npos) << msg;
  EXPECT_NE(msg.find("','"), std::string::npos) << msg;

  msg = LabelParseError("!a=b");
  EXPECT_NE(msg.find("!a=b"), std::string::npos) << msg;

  msg = LabelParseError("a,");
  EXPECT_NE(msg.find("a,"), std::string::npos) << msg;
  EXPECT_NE(msg.find("end"), std::string::npos) << msg;

  // Validation errors name the offending key or value.
  msg = LabelParseError("a/b/c");
  EXPECT_NE(msg.find("a/b/c"), std::string::npos) << msg;
}

// =================================================================================================
// LabelSelector::from_labels and LabelSelector::from (meta/v1)
// =================================================================================================

TEST(LabelSelectorFromLabels, ExactMatchPerLabel) {
  auto sel = LabelSelector::from_labels(Labels{{"tier", "fe"}, {"app", "web"}});
  std::vector<LabelRequirement> want = {Req("app", SelectorOperator::Equals, {"web"}),
                                        Req("tier", SelectorOperator::Equals, {"fe"})};
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_EQ(sel.to_string(), "app=web,tier=fe");
  EXPECT_EQ(sel, LabelSelector::parse("tier=fe,app=web"));
  EXPECT_TRUE(sel.matches(Labels{{"app", "web"}, {"tier", "fe"}, {"extra", "x"}}));
  EXPECT_FALSE(sel.matches(Labels{{"app", "web"}}));
}

TEST(LabelSelectorFromLabels, EmptyLabelsSelectEverything) {
  auto sel = LabelSelector::from_labels(Labels{});
  EXPECT_TRUE(sel.empty());
  EXPECT_TRUE(sel.matches(Labels{{"a", "b"}}));
}

TEST(LabelSelectorFromLabels, EmptyValueIsAllowed) {
  auto sel = LabelSelector::from_labels(Labels{{"a", ""}});
  EXPECT_EQ(sel.to_string(), "a=");
  EXPECT_TRUE(sel.matches(Labels{{"a", ""}}));
  EXPECT_FALSE(sel.matches(Labels{}));
}

TEST(LabelSelectorFromLabels, InvalidLabelsThrow) {
  EXPECT_THROW(LabelSelector::from_labels(Labels{{"bad key", "v"}}), InvalidArgument);
  EXPECT_THROW(LabelSelector::from_labels(Labels{{"k", "bad value"}}), InvalidArgument);
}

meta::LabelSelectorRequirement Expr(std::string key, std::string op,
                                    std::optional<std::vector<std::string>> values = std::nullopt) {
  meta::LabelSelectorRequirement r;
  r.key = std::move(key);
  r.operator_ = std::move(op);
  r.values = std::move(values);
  return r;
}

TEST(LabelSelectorFromApi, MatchLabelsAndExpressions) {
  meta::LabelSelector api;
  api.match_labels = std::map<std::string, std::string>{{"app", "web"}};
  api.match_expressions = std::vector<meta::LabelSelectorRequirement>{
      Expr("tier", "In", std::vector<std::string>{"b", "a", "b"}),
      Expr("env", "NotIn", std::vector<std::string>{"prod"}),
      Expr("canary", "DoesNotExist"),
      Expr("x", "Exists"),
  };
  auto sel = LabelSelector::from(api);
  EXPECT_EQ(sel.to_string(), "app=web,!canary,env notin (prod),tier in (a,b),x");
  std::vector<LabelRequirement> want = {
      Req("app", SelectorOperator::Equals, {"web"}), Req("canary", SelectorOperator::DoesNotExist),
      Req("env", SelectorOperator::NotIn, {"prod"}), Req("tier", SelectorOperator::In, {"a", "b"}),
      Req("x", SelectorOperator::Exists),
  };
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_TRUE(sel.matches(Labels{{"app", "web"}, {"tier", "a"}, {"x", ""}}));
  EXPECT_FALSE(sel.matches(Labels{{"app", "web"}, {"tier", "a"}}));
  EXPECT_FALSE(sel.matches(Labels{{"app", "web"}, {"tier", "a"}, {"x", ""}, {"env", "prod"}}));
  EXPECT_FALSE(sel.matches(Labels{{"app", "web"}, {"tier", "a"}, {"x", ""}, {"canary", "1"}}));
}

TEST(LabelSelectorFromApi, EmptyExistsValuesAreAccepted) {
  meta::LabelSelector api;
  api.match_expressions = std::vector<meta::LabelSelectorRequirement>{
      Expr("x", "Exists", std::vector<std::string>{}), Expr("y", "DoesNotExist", std::vector<std::string>{})};
  EXPECT_EQ(LabelSelector::from(api).to_string(), "x,!y");
}

TEST(LabelSelectorFromApi, EmptySelectorMatchesEverything) {
  meta::LabelSelector api;
  auto sel = LabelSelector::from(api);
  EXPECT_TRUE(sel.empty());
  EXPECT_TRUE(sel.matches(Labels{{"a", "b"}}));

  api.match_labels = std::map<std::string, std::string>{};
  api.match_expressions = std::vector<meta::LabelSelectorRequirement>{};
  EXPECT_TRUE(LabelSelector::from(api).empty());
}

TEST(LabelSelectorFromApi, InvalidOperator) {
  for (std::string op : {"Equals", "in", "exists", "", "Gt", "Lt", "=", "!="}) {
    meta::LabelSelector api;
    api.match_expressions = std::vector<meta::LabelSelectorRequirement>{Expr("x", op, std::vector<std::string>{"1"})};
    std::string msg = InvalidMessage([&] { LabelSelector::from(api); });
    if (!op.empty()) {
      EXPECT_NE(msg.find(op), std::string::npos) << "op \"" << op << "\": " << msg;
    }
  }
}

TEST(LabelSelectorFromApi, InvalidValueCounts) {
  auto with = [](meta::LabelSelectorRequirement r) {
    meta::LabelSelector api;
    api.match_expressions = std::vector<meta::LabelSelectorRequirement>{std::move(r)};
    return api;
  };
  EXPECT_THROW(LabelSelector::from(with(Expr("x", "In"))), InvalidArgument);
  EXPECT_THROW(LabelSelector::from(with(Expr("x", "In", std::vector<std::string>{}))), InvalidArgument);
  EXPECT_THROW(LabelSelector::from(with(Expr("x", "NotIn"))), InvalidArgument);
  EXPECT_THROW(LabelSelector::from(with(Expr("x", "Exists", std::vector<std::string>{"a"}))), InvalidArgument);
  EXPECT_THROW(LabelSelector::from(with(Expr("x", "DoesNotExist", std::vector<std::string>{"a"}))),
               InvalidArgument);
}

TEST(LabelSelectorFromApi, InvalidKeysAndValues) {
  meta::LabelSelector bad_label;
  bad_label.match_labels = std::map<std::string, std::string>{{"a/b/c", "x"}};
  EXPECT_THROW(LabelSelector::from(bad_label), InvalidArgument);

  meta::LabelSelector bad_value;
  bad_value.match_labels = std::map<std::string, std::string>{{"a", "-x"}};
  EXPECT_THROW(LabelSelector::from(bad_value), InvalidArgument);

  meta::LabelSelector bad_expr_key;
  bad_expr_key.match_expressions =
      std::vector<meta::LabelSelectorRequirement>{Expr("_x", "In", std::vector<std::string>{"a"})};
  EXPECT_THROW(LabelSelector::from(bad_expr_key), InvalidArgument);

  meta::LabelSelector bad_expr_value;
  bad_expr_value.match_expressions =
      std::vector<meta::LabelSelectorRequirement>{Expr("x", "NotIn", std::vector<std::string>{"a b"})};
  EXPECT_THROW(LabelSelector::from(bad_expr_value), InvalidArgument);
}

// =================================================================================================
// Label selector builders
// =================================================================================================

TEST(LabelSelectorBuilder, ChainsAndSortsByKey) {
  LabelSelector sel;
  LabelSelector& same = sel.equals("app", "web")
                            .not_equals("tier", "db")
                            .in("env", {"b", "a", "a"})
                            .not_in("zone", {"z2", "z1"})
                            .exists("x")
                            .does_not_exist("canary");
  EXPECT_EQ(&same, &sel);
  EXPECT_EQ(sel.to_string(), "app=web,!canary,env in (a,b),tier!=db,x,zone notin (z1,z2)");
  EXPECT_EQ(sel, LabelSelector::parse(sel.to_string()));
  EXPECT_EQ(sel.requirements()[2], Req("env", SelectorOperator::In, {"a", "b"}));
}

TEST(LabelSelectorBuilder, MatchesLikeParsed) {
  LabelSelector built;
  built.in("tier", {"fe", "be"}).not_equals("env", "prod");
  auto parsed = LabelSelector::parse("tier in (be,fe),env!=prod");
  EXPECT_EQ(built, parsed);
  EXPECT_TRUE(built.matches(Labels{{"tier", "fe"}}));
  EXPECT_FALSE(built.matches(Labels{{"tier", "fe"}, {"env", "prod"}}));
}

TEST(LabelSelectorBuilder, ValidatesArguments) {
  EXPECT_THROW(LabelSelector().equals("", "v"), InvalidArgument);
  EXPECT_THROW(LabelSelector().equals("k", "v v"), InvalidArgument);
  EXPECT_THROW(LabelSelector().not_equals("-k", "v"), InvalidArgument);
  EXPECT_THROW(LabelSelector().in("k", {}), InvalidArgument);
  EXPECT_THROW(LabelSelector().not_in("k", {}), InvalidArgument);
  EXPECT_THROW(LabelSelector().in("k", {"ok", "not ok"}), InvalidArgument);
  EXPECT_THROW(LabelSelector().exists("a/b/c"), InvalidArgument);
  EXPECT_THROW(LabelSelector().does_not_exist(std::string(64, 'a')), InvalidArgument);
  EXPECT_NO_THROW(LabelSelector().in("k", {""}));
  EXPECT_NO_THROW(LabelSelector().equals("k", ""));
}

TEST(LabelSelectorBuilder, FailedBuilderLeavesSelectorUnchanged) {
  LabelSelector sel;
  sel.equals("a", "b");
  EXPECT_THROW(sel.in("c", {}), InvalidArgument);
  EXPECT_EQ(sel.to_string(), "a=b");
}

// =================================================================================================
// Field selectors
// =================================================================================================

using FieldMap = std::map<std::string, std::string>;

auto Lookup(const FieldMap& fields) {
  return [&fields](std::string_view field) -> std::optional<std::string> {
    auto it = fields.find(std::string(field));
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
}

TEST(FieldSelectorParse, EqualsAndNotEquals) {
  auto sel = FieldSelector::parse("spec.nodeName=node-1,status.phase!=Failed");
  std::vector<FieldRequirement> want = {FieldRequirement{"spec.nodeName", true, "node-1"},
                                        FieldRequirement{"status.phase", false, "Failed"}};
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_EQ(sel.to_string(), "spec.nodeName=node-1,status.phase!=Failed");
  EXPECT_FALSE(sel.empty());
}

TEST(FieldSelectorParse, DoubleEqualsIsEquals) {
  auto sel = FieldSelector::parse("metadata.name==foo");
  EXPECT_EQ(sel.requirements(), (std::vector{FieldRequirement{"metadata.name", true, "foo"}}));
  EXPECT_EQ(sel.to_string(), "metadata.name=foo");
  EXPECT_EQ(sel, FieldSelector::parse("metadata.name=foo"));
}

TEST(FieldSelectorParse, EmptySelector) {
  auto sel = FieldSelector::parse("");
  EXPECT_TRUE(sel.empty());
  EXPECT_EQ(sel.to_string(), "");
  EXPECT_EQ(sel, FieldSelector());
  FieldMap none;
  EXPECT_TRUE(sel.matches(Lookup(none)));
}

TEST(FieldSelectorParse, EmptyTermsAreSkipped) {
  EXPECT_EQ(FieldSelector::parse("a=b,,c=d").requirements().size(), 2u);
  EXPECT_EQ(FieldSelector::parse("a=b,").requirements().size(), 1u);
  EXPECT_EQ(FieldSelector::parse(",a=b").requirements().size(), 1u);
  EXPECT_TRUE(FieldSelector::parse(",").empty());
}

TEST(FieldSelectorParse, EmptyValue) {
  auto sel = FieldSelector::parse("spec.nodeName=");
  EXPECT_EQ(sel.requirements(), (std::vector{FieldRequirement{"spec.nodeName", true, ""}}));
  EXPECT_EQ(sel.to_string(), "spec.nodeName=");
  EXPECT_EQ(FieldSelector::parse("a!=").requirements(), (std::vector{FieldRequirement{"a", false, ""}}));
}

TEST(FieldSelectorParse, ValuesMayContainOtherCharacters) {
  auto sel = FieldSelector::parse("a=x y!z/(w)~");
  EXPECT_EQ(sel.requirements(), (std::vector{FieldRequirement{"a", true, "x y!z/(w)~"}}));
}

TEST(FieldSelectorParse, LeftmostOperatorWins) {
  EXPECT_EQ(FieldSelector::parse("a!=b").requirements(), (std::vector{FieldRequirement{"a", false, "b"}}));
  EXPECT_EQ(FieldSelector::parse("a==b").requirements(), (std::vector{FieldRequirement{"a", true, "b"}}));
  // '=' at index 1 comes before the '!' at index 2: the value is "!b".
  EXPECT_EQ(FieldSelector::parse("a=!b").requirements(), (std::vector{FieldRequirement{"a", true, "!b"}}));
  // "!=" at index 1: the value "=b" has an unescaped '='.
  FieldParseError("a!==b");
  // '=' at index 1: the value "b!=c" has an unescaped '='.
  FieldParseError("a=b!=c");
  // "==" at index 1, then "=c" remains in the value.
  FieldParseError("a==b=c");
  // A '!' not followed by '=' is no operator.
  EXPECT_EQ(FieldSelector::parse("a=b!c").requirements(), (std::vector{FieldRequirement{"a", true, "b!c"}}));
}

// Kubernetes looks for the leftmost operator without regard to escapes (escapes only apply to
// values), so in `a\=b=c` the '=' at index 2 splits the term into field `a\` and value `b=c`,
// which is rejected for its unescaped '=' (and `a\` is no valid field name either).
TEST(FieldSelectorParse, EscapesDoNotProtectOperatorsInTheFieldName) {
  FieldParseError(R"(a\=b=c)");
}

// Kubernetes does not trim field selectors: " a = b " has field " a " (which the server then rejects
// as unsupported). kube rejects such field names when parsing, and keeps values untrimmed.
TEST(FieldSelectorParse, WhitespaceIsNotTrimmed) {
  FieldParseError(" a = b ");
  EXPECT_EQ(FieldSelector::parse("a= b ").requirements(), (std::vector{FieldRequirement{"a", true, " b "}}));
}

TEST(FieldSelectorEscaping, ParseUnescapesValues) {
  auto sel = FieldSelector::parse(R"(a=x\,y\=z\\w)");
  EXPECT_EQ(sel.requirements(), (std::vector{FieldRequirement{"a", true, R"(x,y=z\w)"}}));
  EXPECT_EQ(sel.to_string(), R"(a=x\,y\=z\\w)");

  EXPECT_EQ(FieldSelector::parse(R"(a=\\)").requirements(), (std::vector{FieldRequirement{"a", true, R"(\)"}}));
  EXPECT_EQ(FieldSelector::parse(R"(a=\=b)").requirements(), (std::vector{FieldRequirement{"a", true, "=b"}}));
  EXPECT_EQ(FieldSelector::parse(R"(a!=\,)").requirements(), (std::vector{FieldRequirement{"a", false, ","}}));
}

TEST(FieldSelectorEscaping, EscapedCommaDoesNotSplitTerms) {
  auto sel = FieldSelector::parse(R"(a=b\,c\=d,e=f)");
  std::vector<FieldRequirement> want = {FieldRequirement{"a", true, "b,c=d"}, FieldRequirement{"e", true, "f"}};
  EXPECT_EQ(sel.requirements(), want);
  // With only the comma escaped, "c=d" leaves an unescaped '=' in the first value.
  FieldParseError(R"(a=b\,c=d,e=f)");
}

TEST(FieldSelectorEscaping, EscapedBackslashBeforeComma) {
  // `\\` is an escaped backslash, so the following ',' separates terms.
  auto sel = FieldSelector::parse(R"(a=b\\,c=d)");
  std::vector<FieldRequirement> want = {FieldRequirement{"a", true, R"(b\)"}, FieldRequirement{"c", true, "d"}};
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_EQ(sel.to_string(), R"(a=b\\,c=d)");
}

TEST(FieldSelectorEscaping, ToStringEscapesBuiltValues) {
  FieldSelector sel;
  sel.equals("metadata.name", R"(a,b=c\d)").not_equals("spec.x", "=");
  EXPECT_EQ(sel.to_string(), R"(metadata.name=a\,b\=c\\d,spec.x!=\=)");
  EXPECT_EQ(FieldSelector::parse(sel.to_string()), sel);
  EXPECT_EQ((FieldRequirement{"f", true, ","}.to_string()), R"(f=\,)");
  EXPECT_EQ((FieldRequirement{"f", false, R"(\)"}.to_string()), R"(f!=\\)");
}

TEST(FieldSelectorEscaping, RoundTrips) {
  for (std::string value : {"", "plain", ",", "=", R"(\)", R"(\\,,==)", "a,b", R"(x\y)", "trailing\\"}) {
    FieldSelector sel;
    sel.equals("f", value).not_equals("g", value);
    auto back = FieldSelector::parse(sel.to_string());
    EXPECT_EQ(back, sel) << "value \"" << value << "\" printed as " << sel.to_string();
  }
}

TEST(FieldSelectorErrors, UnescapedSpecialCharactersInValues) {
  EXPECT_NE(FieldParseError("a=b=c").find("="), std::string::npos);
  FieldParseError("a=b,c");  // "c" has no operator
  FieldParseError("a!=b=c");
  // "a==" is not an error: field "a", operator "==", empty value.
  EXPECT_EQ(FieldSelector::parse("a==").requirements(), (std::vector{FieldRequirement{"a", true, ""}}));
}

TEST(FieldSelectorErrors, Malformed) {
  std::string msg = FieldParseError("ab");
  EXPECT_NE(msg.find("ab"), std::string::npos) << msg;
  FieldParseError("a=b,c");
  FieldParseError("a");
  FieldParseError("a<b");
  FieldParseError("a>b");
  FieldParseError("!a");
}

TEST(FieldSelectorErrors, InvalidEscapes) {
  std::string msg = FieldParseError(R"(a=b\x)");
  EXPECT_NE(msg.find(R"(\x)"), std::string::npos) << msg;
  FieldParseError(R"(a=\n)");
  FieldParseError(R"(a=b\)");  // trailing backslash
  FieldParseError(R"(a=\)");
}

TEST(FieldSelectorBuilder, ChainsInOrderGiven) {
  FieldSelector sel;
  FieldSelector& same = sel.equals("status.phase", "Running").not_equals("spec.nodeName", "");
  EXPECT_EQ(&same, &sel);
  std::vector<FieldRequirement> want = {FieldRequirement{"status.phase", true, "Running"},
                                        FieldRequirement{"spec.nodeName", false, ""}};
  EXPECT_EQ(sel.requirements(), want);
  EXPECT_EQ(sel.to_string(), "status.phase=Running,spec.nodeName!=");
}

TEST(FieldSelectorBuilder, EmptyFieldNameThrows) {
  EXPECT_THROW(FieldSelector().equals("", "x"), InvalidArgument);
  EXPECT_THROW(FieldSelector().not_equals("", "x"), InvalidArgument);
}

TEST(FieldSelectorMatch, WithLookup) {
  FieldMap pod = {{"metadata.name", "web-1"}, {"spec.nodeName", "node-1"}, {"status.phase", "Running"}};
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=node-1").matches(Lookup(pod)));
  EXPECT_FALSE(FieldSelector::parse("spec.nodeName=node-2").matches(Lookup(pod)));
  EXPECT_TRUE(FieldSelector::parse("status.phase!=Failed").matches(Lookup(pod)));
  EXPECT_FALSE(FieldSelector::parse("status.phase!=Running").matches(Lookup(pod)));
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=node-1,status.phase!=Failed").matches(Lookup(pod)));
  EXPECT_FALSE(FieldSelector::parse("spec.nodeName=node-1,status.phase!=Running").matches(Lookup(pod)));
  EXPECT_TRUE(FieldSelector::parse("metadata.name==web-1").matches(Lookup(pod)));
  EXPECT_TRUE(FieldSelector().matches(Lookup(pod)));
}

TEST(FieldSelectorMatch, EscapedValuesCompareUnescaped) {
  FieldMap obj = {{"metadata.name", "a,b=c"}};
  EXPECT_TRUE(FieldSelector::parse(R"(metadata.name=a\,b\=c)").matches(Lookup(obj)));
}

TEST(FieldSelectorMatch, LookupIsCalledWithFieldNames) {
  std::vector<std::string> asked;
  auto lookup = [&](std::string_view field) -> std::optional<std::string> {
    asked.emplace_back(field);
    return std::string("v");
  };
  EXPECT_TRUE(FieldSelector::parse("a=v,b!=w").matches(lookup));
  EXPECT_EQ(asked, (std::vector<std::string>{"a", "b"}));
}

// Kubernetes matches field selectors against a fields.Set whose Get returns "" for a field the
// object does not have, so `f!=x` matches an object without `f` and `f=` (empty value) too.
TEST(FieldSelectorMatch, MissingFieldReadsAsEmptyString) {
  FieldMap obj = {{"metadata.name", "web-1"}};
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName!=node-1").matches(Lookup(obj)));
  EXPECT_TRUE(FieldSelector::parse("spec.nodeName=").matches(Lookup(obj)));
  EXPECT_FALSE(FieldSelector::parse("spec.nodeName=node-1").matches(Lookup(obj)));
  EXPECT_FALSE(FieldSelector::parse("spec.nodeName!=").matches(Lookup(obj)));
}

TEST(FieldSelectorRequiredValue, EqualsTermsOnly) {
  auto sel = FieldSelector::parse("metadata.name=foo,spec.nodeName!=bar,metadata.namespace==ns");
  EXPECT_EQ(sel.required_value("metadata.name"), std::optional<std::string>("foo"));
  EXPECT_EQ(sel.required_value("metadata.namespace"), std::optional<std::string>("ns"));
  EXPECT_EQ(sel.required_value("spec.nodeName"), std::nullopt);
  EXPECT_EQ(sel.required_value("status.phase"), std::nullopt);
  EXPECT_EQ(FieldSelector().required_value("metadata.name"), std::nullopt);
}

TEST(FieldSelectorRequiredValue, UnescapedAndEmptyValues) {
  EXPECT_EQ(FieldSelector::parse(R"(metadata.name=a\,b)").required_value("metadata.name"),
            std::optional<std::string>("a,b"));
  EXPECT_EQ(FieldSelector::parse("metadata.name=").required_value("metadata.name"), std::optional<std::string>(""));
}

}  // namespace

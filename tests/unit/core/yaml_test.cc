#include "kube/core/yaml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "kube/core/error.h"

namespace {

using kube::json::Value;
namespace yaml = kube::yaml;

Value J(std::string_view json) { return kube::json::parse(json); }

// Same value and same JSON kinds (1 is not 1.0, "1" is not 1).
::testing::AssertionResult same(const Value& actual, const Value& expected) {
  bool kinds_match = true;
  auto walk = [&](auto&& self, const Value& a, const Value& b) -> void {
    bool a_int = a.is_int64() || a.is_uint64(), b_int = b.is_int64() || b.is_uint64();
    if (a.kind() != b.kind() && !(a_int && b_int)) {
      kinds_match = false;
      return;
    }
    if (a.is_object() && b.is_object()) {
      for (const auto& [k, v] : a.get_object())
        if (const Value* w = b.get_object().if_contains(k)) self(self, v, *w);
    } else if (a.is_array() && b.is_array() && a.get_array().size() == b.get_array().size()) {
      for (std::size_t i = 0; i < a.get_array().size(); ++i) self(self, a.get_array()[i], b.get_array()[i]);
    }
  };
  walk(walk, actual, expected);
  if (kinds_match && kube::json::equal(actual, expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << kube::json::serialize(actual) << ", want "
                                       << kube::json::serialize(expected);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The reason of the DecodeError that parsing `text` throws ("" if it does not throw).
std::string parse_error(std::string_view text) {
  try {
    yaml::parse_all(text);
  } catch (const kube::json::DecodeError& e) {
    return e.reason();
  }
  return "";
}

// ---- documents ----------------------------------------------------------------------------------

TEST(YamlParse, Kubeconfig) {
  constexpr std::string_view kText = R"(apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://127.0.0.1:6443
  name: local
contexts:
- context:
    cluster: local
    user: admin
    namespace: default
  name: admin@local
current-context: admin@local
preferences: {}
users:
- name: admin
  user:
    client-certificate-data: LS0tCg==
    client-key-data: LS0tCg==
)";
  EXPECT_TRUE(same(yaml::parse(kText), J(R"({
    "apiVersion": "v1", "kind": "Config",
    "clusters": [{"cluster": {"certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
                              "server": "https://127.0.0.1:6443"}, "name": "local"}],
    "contexts": [{"context": {"cluster": "local", "user": "admin", "namespace": "default"}, "name": "admin@local"}],
    "current-context": "admin@local",
    "preferences": {},
    "users": [{"name": "admin", "user": {"client-certificate-data": "LS0tCg==", "client-key-data": "LS0tCg=="}}]
  })")));
}

TEST(YamlParse, KubeconfigWithExecPluginAndFlowStyle) {
  constexpr std::string_view kText = R"(
apiVersion: v1
kind: Config
users:
  - name: eks
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1beta1
        command: aws
        args: ["eks", "get-token", "--cluster-name", prod]
        env: null
        interactiveMode: IfAvailable
        provideClusterInfo: false
)";
  Value v = yaml::parse(kText);
  const auto& exec = v.at("users").at(0).at("user").at("exec");
  EXPECT_TRUE(same(exec.at("args"), J(R"(["eks","get-token","--cluster-name","prod"])")));
  EXPECT_TRUE(exec.at("env").is_null());
  EXPECT_EQ(exec.at("provideClusterInfo"), Value(false));
}

TEST(YamlParse, MooseManifests) {
  const auto dir = std::filesystem::path("/work/shared/reference/moose");
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    SCOPED_TRACE(entry.path().string());
    std::vector<Value> docs = yaml::parse_all(read_file(entry.path()));
    ASSERT_EQ(docs.size(), 1u);
    ASSERT_TRUE(docs[0].is_object());
    EXPECT_TRUE(docs[0].at("apiVersion").is_string());
    EXPECT_TRUE(docs[0].at("metadata").at("name").is_string());
  }
  EXPECT_GE(count, 4);

  Value crd = yaml::parse(read_file(dir / "moose.yaml"));
  EXPECT_EQ(crd.at("kind"), Value("CustomResourceDefinition"));
  const auto& version = crd.at("spec").at("versions").at(0);
  EXPECT_EQ(version.at("served"), Value(true));
  EXPECT_TRUE(same(version.at("subresources"), J(R"({"status": {}})")));
  // A plain scalar with a trailing space before the line break loses it.
  EXPECT_EQ(version.at("additionalPrinterColumns").at(0).at("description"), Value("The moose's status."));
  EXPECT_TRUE(same(crd.at("spec").at("names").at("shortNames"), J("[]")));
  EXPECT_TRUE(same(version.at("schema").at("openAPIV3Schema").at("properties").at("spec"), J(R"({
    "type": "object",
    "properties": {"height": {"type": "number"}, "weight": {"type": "number"}, "antlers": {"type": "boolean"}}
  })")));

  Value melissa = yaml::parse(read_file(dir / "melissa.yaml"));
  EXPECT_TRUE(same(melissa, J(R"({
    "apiVersion": "animals.com/v1", "kind": "Moose",
    "metadata": {"name": "melissa", "labels": {"nps.gov/park": "glacier"}},
    "spec": {"height": 1.8, "weight": 550, "antlers": false}
  })")));
}

TEST(YamlParse, MultipleDocumentsSkipEmptyOnes) {
  constexpr std::string_view kText = R"(---
# nothing here
---
a: 1
---
---
- x
...
---
b: 2
---
)";
  std::vector<Value> docs = yaml::parse_all(kText);
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_TRUE(same(docs[0], J(R"({"a":1})")));
  EXPECT_TRUE(same(docs[1], J(R"(["x"])")));
  EXPECT_TRUE(same(docs[2], J(R"({"b":2})")));

  EXPECT_TRUE(yaml::parse_all("").empty());
  EXPECT_TRUE(yaml::parse_all("# only a comment\n").empty());
  EXPECT_TRUE(yaml::parse_all("---\n---\n").empty());
  // An explicit null is a document, unlike an empty one.
  ASSERT_EQ(yaml::parse_all("null\n").size(), 1u);
}

TEST(YamlParse, ExactlyOneDocument) {
  EXPECT_THROW(yaml::parse(""), kube::json::DecodeError);
  EXPECT_THROW(yaml::parse("a: 1\n---\nb: 2\n"), kube::json::DecodeError);
  EXPECT_TRUE(same(yaml::parse("---\na: 1\n"), J(R"({"a":1})")));
  EXPECT_TRUE(same(yaml::parse("42"), J("42")));
}

// ---- scalars ------------------------------------------------------------------------------------

TEST(YamlParse, CoreSchemaScalars) {
  struct Case {
    std::string_view yaml;
    std::string_view json;
  };
  const Case cases[] = {
      {"1", "1"},
      {"\"1\"", "\"1\""},
      {"'1'", "\"1\""},
      {"true", "true"},
      {"True", "true"},
      {"FALSE", "false"},
      {"\"true\"", "\"true\""},
      {"yes", "\"yes\""},  // YAML 1.2: only true/false are booleans
      {"on", "\"on\""},
      {"tRUE", "\"tRUE\""},
      {"~", "null"},
      {"null", "null"},
      {"Null", "null"},
      {"NULL", "null"},
      {"nUll", "\"nUll\""},
      {"'~'", "\"~\""},
      {"010", "10"},  // decimal in YAML 1.2 (not octal)
      {"0o10", "8"},
      {"0x1F", "31"},
      {"0x1f", "31"},
      {"0X1F", "\"0X1F\""},
      {"-0x1F", "\"-0x1F\""},
      {"+12", "12"},
      {"-12", "-12"},
      {"-0", "0"},
      {"1e3", "1000.0"},
      {"1E-2", "0.01"},
      {".5", "0.5"},
      {"-.5", "-0.5"},
      {"+.5e1", "5.0"},
      {"5.", "5.0"},
      {"1.5", "1.5"},
      {"1_000", "\"1_000\""},
      {"1.2.3", "\"1.2.3\""},
      {"1e", "\"1e\""},
      {".", "\".\""},
      {"9223372036854775807", "9223372036854775807"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"18446744073709551615", "18446744073709551615"},
      {"18446744073709551616", "18446744073709551616.0"},
      {"12:30", "\"12:30\""},
      {"2024-01-02", "\"2024-01-02\""},
      {"10Gi", "\"10Gi\""},
      {"a b  c", "\"a b  c\""},
      {"'it''s'", "\"it's\""},
      {R"("tab\there \u00e9 \x41")", R"("tab\there é A")"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.yaml));
    EXPECT_TRUE(same(yaml::parse(std::string("v: ") + std::string(c.yaml)).at("v"), J(c.json)));
  }
  EXPECT_TRUE(yaml::parse("v: 9223372036854775807").at("v").is_int64());
  EXPECT_TRUE(yaml::parse("v: 18446744073709551615").at("v").is_uint64());
  EXPECT_TRUE(yaml::parse("v:").at("v").is_null());
  EXPECT_TRUE(yaml::parse("v: ''").at("v").is_string());
}

TEST(YamlParse, ExplicitTags) {
  EXPECT_TRUE(same(yaml::parse("v: !!str 1").at("v"), J("\"1\"")));
  EXPECT_TRUE(same(yaml::parse("v: !!str true").at("v"), J("\"true\"")));
  EXPECT_TRUE(same(yaml::parse("v: !!str").at("v"), J("\"\"")));
  EXPECT_TRUE(same(yaml::parse("v: !!int \"42\"").at("v"), J("42")));
  EXPECT_TRUE(same(yaml::parse("v: !!float 1").at("v"), J("1.0")));
  EXPECT_TRUE(same(yaml::parse("v: !!float '2.5'").at("v"), J("2.5")));
  EXPECT_TRUE(same(yaml::parse("v: !!bool 'true'").at("v"), J("true")));
  EXPECT_TRUE(same(yaml::parse("v: !!null ''").at("v"), J("null")));
  EXPECT_TRUE(same(yaml::parse("v: ! 12").at("v"), J("\"12\"")));
  EXPECT_TRUE(same(yaml::parse("%TAG !e! tag:yaml.org,2002:\n---\nv: !e!str 7\n").at("v"), J("\"7\"")));
  EXPECT_TRUE(same(yaml::parse("v: !<tag:yaml.org,2002:str> 7").at("v"), J("\"7\"")));
  // Application tags are ignored.
  EXPECT_TRUE(same(yaml::parse("v: !custom 7").at("v"), J("7")));
  EXPECT_TRUE(same(yaml::parse("v: !!map {a: 1}").at("v"), J(R"({"a":1})")));

  EXPECT_NE(parse_error("v: !!int abc").find("invalid !!int value \"abc\""), std::string::npos);
  EXPECT_NE(parse_error("v: !!bool yes").find("invalid !!bool"), std::string::npos);
  EXPECT_NE(parse_error("v: !!float x").find("invalid !!float"), std::string::npos);
  EXPECT_NE(parse_error("v: !!str {a: 1}").find("tag !!str on a mapping"), std::string::npos);
}

TEST(YamlParse, InfinityAndNaNAreErrors) {
  for (std::string_view text : {"v: .inf", "v: -.Inf", "v: .NaN", "v: 1e999", "v: !!float .nan"}) {
    SCOPED_TRACE(std::string(text));
    std::string reason = parse_error(text);
    EXPECT_NE(reason.find("YAML: line 1, column 4:"), std::string::npos) << reason;
    EXPECT_NE(reason.find("not a finite number"), std::string::npos) << reason;
  }
  EXPECT_TRUE(same(yaml::parse("v: 1e-999").at("v"), J("0.0")));  // underflow is just zero
  EXPECT_TRUE(same(yaml::parse("v: '.inf'").at("v"), J("\".inf\"")));
  EXPECT_TRUE(same(yaml::parse("v: .infinity").at("v"), J("\".infinity\"")));
}

TEST(YamlParse, BlockScalars) {
  constexpr std::string_view kText = "literal: |\n"
                                     "  line one\n"
                                     "    indented\n"
                                     "\n"
                                     "  last\n"
                                     "folded: >\n"
                                     "  folded\n"
                                     "  text\n"
                                     "\n"
                                     "  para\n"
                                     "strip: |-\n"
                                     "  no newline\n"
                                     "keep: |+\n"
                                     "  kept\n"
                                     "\n"
                                     "indicator: |2\n"
                                     "    leading spaces\n"
                                     "  normal\n"
                                     "number: |\n"
                                     "  123\n"
                                     "folded_strip: >-\n"
                                     "  true\n"
                                     "list:\n"
                                     "- |1-\n"
                                     "   x\n"
                                     "end: 1\n";
  Value v = yaml::parse(kText);
  EXPECT_EQ(v.at("literal"), Value("line one\n  indented\n\nlast\n"));
  EXPECT_EQ(v.at("folded"), Value("folded text\npara\n"));
  EXPECT_EQ(v.at("strip"), Value("no newline"));
  EXPECT_EQ(v.at("keep"), Value("kept\n\n"));
  EXPECT_EQ(v.at("indicator"), Value("  leading spaces\nnormal\n"));
  EXPECT_EQ(v.at("number"), Value("123\n"));
  EXPECT_EQ(v.at("folded_strip"), Value("true"));
  EXPECT_EQ(v.at("list").at(0), Value("  x"));
  EXPECT_EQ(v.at("end"), Value(1));
}

TEST(YamlParse, AnchorsAndAliases) {
  constexpr std::string_view kText = R"(
base: &labels
  app: web
  tier: front
copy: *labels
port: &p 8080
ports: [*p, *p]
names: &n [a, b]
again: *n
shadow: &p "redefined"
after: *p
)";
  Value v = yaml::parse(kText);
  EXPECT_TRUE(same(v.at("copy"), J(R"({"app":"web","tier":"front"})")));
  EXPECT_TRUE(same(v.at("ports"), J("[8080, 8080]")));
  EXPECT_TRUE(same(v.at("again"), J(R"(["a","b"])")));
  EXPECT_TRUE(same(v.at("after"), J("\"redefined\"")));
  // An alias as a key takes the anchored scalar's text.
  EXPECT_TRUE(same(yaml::parse("k: &k name\n*k : 1\n"), J(R"({"k":"name","name":1})")));
}

TEST(YamlParse, AliasErrors) {
  EXPECT_NE(parse_error("a: *nope\n").find("unknown anchor \"nope\""), std::string::npos);
  // A node cannot contain an alias to itself (JSON has no cycles).
  EXPECT_NE(parse_error("a: &x\n  b: *x\n").find("unknown anchor \"x\""), std::string::npos);
  // Anchors do not carry over to the next document.
  EXPECT_NE(parse_error("a: &x 1\n---\nb: *x\n").find("unknown anchor"), std::string::npos);
  EXPECT_NE(parse_error("a: &a {x: 1}\n<<: *a\n").find("merge keys (<<) are not supported"), std::string::npos);
  EXPECT_TRUE(same(yaml::parse("'<<': 1"), J(R"({"<<":1})")));

  // "Billion laughs": each level multiplies the size tenfold; expansion is capped instead of
  // exhausting memory.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" +
            prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n";
  }
  EXPECT_NE(parse_error(bomb).find("aliases expand to too many nodes"), std::string::npos);
}

TEST(YamlParse, KeysBecomeStrings) {
  EXPECT_TRUE(same(yaml::parse("1: a\ntrue: b\n0x10: c\n1.5: d\n\"2\": e\nFalse: f\n"),
                   J(R"({"1":"a","true":"b","16":"c","1.5":"d","2":"e","false":"f"})")));
  EXPECT_NE(parse_error("~: x\n").find("mapping key is null"), std::string::npos);
  EXPECT_NE(parse_error("? [a, b]\n: x\n").find("mapping keys must be scalars"), std::string::npos);
  EXPECT_NE(parse_error("? {a: b}\n: x\n").find("mapping keys must be scalars"), std::string::npos);
  EXPECT_NE(parse_error("a: 1\nb: 2\na: 3\n").find("line 3, column 1: duplicate mapping key \"a\""),
            std::string::npos);
  // Distinct YAML keys with the same JSON key also collide.
  EXPECT_NE(parse_error("1: a\n\"1\": b\n").find("duplicate mapping key \"1\""), std::string::npos);
}

TEST(YamlParse, MalformedInputReportsPosition) {
  struct Case {
    std::string_view text;
    std::string_view expected;
  };
  const Case cases[] = {
      {"a: b: c\n", "YAML: line 1, column 5: mapping values are not allowed in this context"},
      {"a: 1\nb: [1, 2\nc: 3\n", "YAML: line 3, column"},
      {"a:\n  - x\n - y\n", "YAML: line 3, column 2:"},
      {"a: \"unterminated\n", "YAML: line 2, column 1: found unexpected end of stream"},
      {"key: value\n\tbad: tab\n", "YAML: line 2, column 1:"},
      {"a: 1\nb: @x\n", "YAML: line 2, column 4:"},
      {"a: [1, 2]]\n", "YAML: line 1, column 10:"},
      {"a: 1\n\xff\n", "YAML: line 2, column 1: invalid leading UTF-8 octet"},
      {"a: &x 1\nb: *y\n", "YAML: line 2, column 4: unknown anchor \"y\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.text));
    std::string reason = parse_error(c.text);
    EXPECT_TRUE(reason.starts_with(c.expected)) << reason;
  }
  // The exception is a kube::Error too.
  EXPECT_THROW(yaml::parse("a: b: c"), kube::Error);
}

TEST(YamlParse, LineEndingsBomAndComments) {
  EXPECT_TRUE(same(yaml::parse("a: 1\r\nb:\r\n  - x # comment\r\n"), J(R"({"a":1,"b":["x"]})")));
  EXPECT_TRUE(same(yaml::parse("\xEF\xBB\xBF" "a: 1\n"), J(R"({"a":1})")));
  EXPECT_TRUE(same(yaml::parse("# head\na: 'x # not a comment' # comment\n"), J(R"({"a":"x # not a comment"})")));
  EXPECT_TRUE(same(yaml::parse("{a: [1, {b: c}], 'd': \"e\"}"), J(R"({"a":[1,{"b":"c"}],"d":"e"})")));
}

TEST(YamlParse, DeepNestingIsRejected) {
  std::string deep(5000, '[');
  EXPECT_NE(parse_error(deep).find("nesting too deep"), std::string::npos);
}

// ---- emit ---------------------------------------------------------------------------------------

TEST(YamlEmit, BlockStyleLikeKubectl) {
  Value v = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}],
                                        "args":["-v","--port=80"]}],
                         "tolerations":[],"nodeSelector":{}}})");
  EXPECT_EQ(yaml::emit(v),
            "apiVersion: v1\n"
            "kind: Pod\n"
            "metadata:\n"
            "  name: web\n"
            "  labels:\n"
            "    app: web\n"
            "spec:\n"
            "  containers:\n"
            "  - name: nginx\n"
            "    image: nginx:1.27\n"
            "    ports:\n"
            "    - containerPort: 80\n"
            "    args:\n"
            "    - -v\n"
            "    - --port=80\n"
            "  tolerations: []\n"
            "  nodeSelector: {}\n");
  EXPECT_EQ(yaml::emit(J("[[1, 2], [], {}, {\"a\": [3]}]")), "- - 1\n  - 2\n- []\n- {}\n- a:\n  - 3\n");
  EXPECT_EQ(yaml::emit(J("\"plain\"")), "plain\n");
  EXPECT_EQ(yaml::emit(J("{}")), "{}\n");
  EXPECT_EQ(yaml::emit(J("null")), "null\n");
}

TEST(YamlEmit, QuotesStringsThatWouldReadAsOtherTypes) {
  EXPECT_EQ(yaml::emit(J(R"({"a":"1","b":1,"c":"true","d":true,"e":"","f":"~","g":"null","h":null})")),
            "a: \"1\"\nb: 1\nc: \"true\"\nd: true\ne: \"\"\nf: \"~\"\ng: \"null\"\nh: null\n");
  EXPECT_EQ(yaml::emit(J(R"({"x": 1.0, "y": 0.5, "z": 1e21})")), "x: 1.0\n\"y\": 0.5\nz: 1e+21\n");  // y is a YAML 1.1 boolean
  for (std::string_view s : {"yes", "No", "on", "OFF", "y", "010", "0x1F", "1e3", ".5", "1_000", "12:30",
                             "2024-01-02", "2024-01-02T03:04:05Z", "2001-12-14t21:59:43.10-05:00", "a: b", "a #b", "#c", "- x", "-", "? x", ":x:", "x:", "*ref", "&a",
                             "!tag", "|", ">", "'q'", "\"q\"", "%x", "@x", "`x", "[x]", "{x}", ",x", " lead",
                             "trail ", "---", "...", "<<", ".inf", "-.INF", ".NaN"}) {
    std::string out = yaml::emit(Value(s));
    EXPECT_EQ(out.front(), '"') << s << " -> " << out;
  }
  for (std::string_view s : {"nginx:1.27", "-v", "web-1", "10Gi", "a:b", "a#b", "x?", "café", "hello world",
                             "http://x/y?z=1", "Yes!", ".infinity"}) {
    EXPECT_EQ(yaml::emit(Value(s)), std::string(s) + "\n") << s;
  }
}

TEST(YamlEmit, MultiLineStringsUseLiteralBlocks) {
  EXPECT_EQ(yaml::emit(J(R"({"script":"echo hi\nexit 0\n"})")), "script: |\n  echo hi\n  exit 0\n");
  EXPECT_EQ(yaml::emit(J(R"({"a":"x\ny"})")), "a: |-\n  x\n  y\n");
  EXPECT_EQ(yaml::emit(J(R"({"a":"x\n\n"})")), "a: |+\n  x\n\n");
  EXPECT_EQ(yaml::emit(J(R"({"a":["  indented\nnot"]})")), "a:\n- |2-\n    indented\n  not\n");
  // Text a literal block cannot hold exactly is double-quoted.
  EXPECT_EQ(yaml::emit(J(R"({"a":"trailing \nspace"})")), "a: \"trailing \\nspace\"\n");
  EXPECT_EQ(yaml::emit(J(R"({"a":"\n"})")), "a: \"\\n\"\n");
}

Value tricky_strings() {
  Value v = J(R"([
    "", " ", "  two", "1", "-1", "+1", "1.5", "1e3", ".5", "0o17", "0x1F", "010", "true", "False", "yes", "no",
    "null", "~", "Null", ".inf", "-.inf", ".nan", "#", "# c", "a #b", "a: b", "a:", ":", "-", "- ", "?", "? a",
    "*", "&", "!", "|", ">", "%", "@", "`", "'", "\"", "\\", "[", "]", "{", "}", ",", "a,b", "a[0]", "<<", "=",
    "---", "...", "--- a", "a\tb", "\t", "tab\t", "line\nbreak", "\nleading", "trailing\n", "\n\n", "x\n\n\n",
    "  indented\nblock\n", "a\n  b\n", "cr\r\nlf", "nul\u0000x", "bell\u0007", "del\u007f", "nel\u0085x",
    "ls\u2028ps\u2029", "bom\ufeff", "nbsp\u00a0", "é", "日本語", "emoji 😀", "\ud83d\ude00\n😀",
    "12:30:45", "2001-12-14t21:59:43.10-05:00", "0b101", "1_000", "+.5", "-.5e-3", "0.", "00", "-0",
    "9223372036854775808", "very long line that goes on and on and on and on and on and on and on and on",
    "key: value\nother: 1", "- item\n- item", "{a: 1}", "[1, 2]", "&anchor x", "*alias", "!!str x", "? q: 1"
  ])");
  return v;
}

TEST(YamlEmit, RoundTripsTrickyStrings) {
  Value strings = tricky_strings();
  for (const Value& s : strings.get_array()) {
    SCOPED_TRACE(kube::json::serialize(s));
    // As a value, a sequence item and a key.
    kube::json::Object doc_object;
    doc_object["value"] = s;
    doc_object["list"] = kube::json::Array{s, s};
    doc_object["nested"] = kube::json::Object{{"k", s}};
    doc_object[s.get_string()] = s;
    Value doc = std::move(doc_object);
    std::string text = yaml::emit(doc);
    EXPECT_TRUE(same(yaml::parse(text), doc)) << text;
    EXPECT_TRUE(same(yaml::parse(yaml::emit(s)), s)) << yaml::emit(s);
  }
}

TEST(YamlEmit, RoundTripsValues) {
  const char* values[] = {
      "null", "true", "false", "0", "-1", "9223372036854775807", "-9223372036854775808", "18446744073709551615",
      "0.1", "-2.5e-8", "1e300", "1.0", "[]", "{}", "[[]]", "[{}]", "{\"a\":{}}", "{\"a\":[]}", "[[[1]]]",
      R"([{"a":[{"b":[[1,{"c":null}]]}]}])",
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","annotations":{"a/b":"1","x":"true"}},
          "data":{"script.sh":"#!/bin/sh\necho \"hi\"\n","empty":"","json":"{\"k\": [1, 2]}"}})",
  };
  for (const char* text : values) {
    SCOPED_TRACE(text);
    Value v = J(text);
    std::string out = yaml::emit(v);
    EXPECT_TRUE(same(yaml::parse(out), v)) << out;
  }
  Value moose = yaml::parse_all(read_file("/work/shared/reference/moose/moose.yaml")).at(0);
  EXPECT_TRUE(same(yaml::parse(yaml::emit(moose)), moose));
}

TEST(YamlEmit, LongKeysUseExplicitForm) {
  std::string key(1500, 'k');
  Value v = {{key, {{"a", 1}}}, {"list", {1}}, {"x" + std::string(1200, ' ') + "y", {1, 2}}};
  std::string out = yaml::emit(v);
  EXPECT_NE(out.find("? \"" + key + "\"\n:\n"), std::string::npos) << out.substr(0, 100);
  EXPECT_TRUE(same(yaml::parse(out), v)) << out;
}

TEST(YamlEmit, RejectsInvalidUtf8) {
  EXPECT_THROW(yaml::emit(Value(std::string_view("bad \xff byte"))), kube::InvalidArgument);
}

TEST(YamlEmit, NonFiniteNumbersUseYamlSpelling) {
  EXPECT_EQ(yaml::emit(Value(INFINITY)), ".inf\n");
  EXPECT_EQ(yaml::emit(Value(-INFINITY)), "-.inf\n");
  EXPECT_EQ(yaml::emit(Value(NAN)), ".nan\n");
}

// Random documents built from awkward pieces always read back as written.
TEST(YamlEmit, RandomRoundTrip) {
  std::mt19937 rng(12345);
  const std::vector<std::string> pieces = {"a", "Z", "0", "1", " ", "  ", "-", "?", ":", ": ", "#", " #", "\n", "\t",
                                           "\r", "'", "\"", "\\", "{", "}", "[", "]", ",", "&", "*", "!", "|", ">",
                                           "%", "@", "`", ".", "e", "x", "true", "null", "~", "é", "\u2028", "\x7f",
                                           std::string(1, '\0'), "---", "...", "<<", "0x", "0o", "inf", "yes"};
  auto random_string = [&] {
    std::string s;
    for (int n = std::uniform_int_distribution<int>(0, 5)(rng); n > 0; --n)
      s += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
    return s;
  };
  auto random_value = [&](auto&& self, int depth) -> Value {
    switch (std::uniform_int_distribution<int>(0, depth > 3 ? 4 : 6)(rng)) {
      case 0: return nullptr;
      case 1: return std::uniform_int_distribution<int>(0, 1)(rng) == 1;
      case 2: return std::uniform_int_distribution<std::int64_t>(INT64_MIN, INT64_MAX)(rng);
      case 3: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
      case 4: return Value(random_string());
      case 5: {
        kube::json::Array a;
        for (int n = std::uniform_int_distribution<int>(0, 3)(rng); n > 0; --n) a.push_back(self(self, depth + 1));
        return a;
      }
      default: {
        kube::json::Object o;
        for (int n = std::uniform_int_distribution<int>(0, 3)(rng); n > 0; --n) o[random_string()] = self(self, depth + 1);
        return o;
      }
    }
  };
  for (int i = 0; i < 3000; ++i) {
    Value v = random_value(random_value, 0);
    std::string text = yaml::emit(v);
    Value back;
    try {
      back = yaml::parse(text);
    } catch (const kube::json::DecodeError& e) {
      ADD_FAILURE() << e.what() << "\n" << text;
      break;
    }
    if (!same(back, v)) {
      ADD_FAILURE() << same(back, v).message() << "\n" << text;
      break;
    }
  }
}

}  // namespace

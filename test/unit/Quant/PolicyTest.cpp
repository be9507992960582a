//===- PolicyTest.cpp - Bit-width policy files ----------------------------===//

#include "cim/Quant/Policy.h"

#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

using namespace mlir::cim::quant;

namespace {

/// The error of parsing `text`, as "line:column: message".
std::string errorOf(const std::string &text) {
  PolicyError error;
  if (parsePolicy(text, error))
    return "parsed";
  return std::to_string(error.line) + ":" + std::to_string(error.column) +
         ": " + error.message;
}

TEST(PolicyTest, ParsesNamesIndicesAndPositions) {
  PolicyError error;
  std::optional<BitwidthPolicy> policy = parsePolicy(R"({"layers": [
  {"name": "conv1", "wbits": 8, "abits": 8},
    {"index": 3, "wbits": 2}, {"index": 0, "abits": 16}
]})",
                                                     error);
  ASSERT_TRUE(policy) << error.message;
  ASSERT_EQ(policy->layers.size(), 3u);
  const PolicyEntry &a = policy->layers[0], &b = policy->layers[1],
                    &c = policy->layers[2];
  EXPECT_EQ(a.name, "conv1");
  EXPECT_FALSE(a.index);
  EXPECT_EQ(a.wbits, 8u);
  EXPECT_EQ(a.abits, 8u);
  EXPECT_EQ(a.line, 2u);
  EXPECT_EQ(a.column, 3u);
  EXPECT_EQ(b.index, 3);
  EXPECT_EQ(b.wbits, 2u);
  EXPECT_FALSE(b.abits);
  EXPECT_EQ(b.line, 3u);
  EXPECT_EQ(b.column, 5u);
  EXPECT_EQ(c.abits, 16u);
  EXPECT_EQ(c.line, 3u);
  EXPECT_EQ(c.column, 31u);
}

TEST(PolicyTest, EmptyPolicy) {
  PolicyError error;
  std::optional<BitwidthPolicy> policy =
      parsePolicy(R"({"layers": []})", error);
  ASSERT_TRUE(policy);
  EXPECT_TRUE(policy->layers.empty());
}

TEST(PolicyTest, MalformedJsonHasLineAndColumn) {
  EXPECT_EQ(errorOf("{\"layers\": [\n  {\"name\": \"a\" \"wbits\": 4}\n]}"),
            "2:16: malformed JSON: Expected , or } after object property");
  EXPECT_EQ(errorOf(""), "1:1: malformed JSON: Unexpected EOF");
}

TEST(PolicyTest, StructureErrors) {
  EXPECT_EQ(errorOf("[1]"),
            "1:1: a policy is a JSON object with a \"layers\" array");
  EXPECT_EQ(errorOf(R"({"layer": []})"),
            "0:0: unknown key 'layer' (expected \"layers\")");
  EXPECT_EQ(errorOf(R"({})"), "0:0: a policy needs a \"layers\" array");
  EXPECT_EQ(errorOf(R"({"layers": [4]})"),
            "1:13: layers[0]: an entry must be an object, got 4");
}

TEST(PolicyTest, EntryErrors) {
  EXPECT_EQ(errorOf(R"({"layers": [{"name": "a", "wbit": 4}]})"),
            "1:13: layers[0]: unknown key 'wbit' (expected name, index, "
            "wbits, abits)");
  EXPECT_EQ(errorOf(R"({"layers": [{"wbits": 4}]})"),
            "1:13: layers[0]: needs a name or an index");
  EXPECT_EQ(errorOf(R"({"layers": [{"name": "a", "index": 0, "wbits": 4}]})"),
            "1:13: layers[0]: give a name or an index, not both");
  EXPECT_EQ(errorOf(R"({"layers": [{"name": 3, "wbits": 4}]})"),
            "1:13: layers[0]: name must be a non-empty string, got 3");
  EXPECT_EQ(errorOf(R"({"layers": [{"name": "", "wbits": 4}]})"),
            "1:13: layers[0]: name must be a non-empty string, got \"\"");
  EXPECT_EQ(errorOf(R"({"layers": [{"index": -1, "wbits": 4}]})"),
            "1:13: layers[0]: index must be a non-negative integer, got -1");
  EXPECT_EQ(errorOf(R"({"layers": [{"index": 1.5, "wbits": 4}]})"),
            "1:13: layers[0]: index must be a non-negative integer, got 1.5");
  EXPECT_EQ(errorOf(R"({"layers": [{"index": 0}]})"),
            "1:13: layers[0]: sets neither wbits nor abits");
}

TEST(PolicyTest, BitsOutsideTheRange) {
  EXPECT_EQ(
      errorOf(
          R"({"layers": [{"index": 0, "wbits": 4}, {"index": 1, "wbits": 17}]})"),
      "1:39: layers[1]: wbits must be an integer in 1..16, got 17");
  EXPECT_EQ(errorOf(R"({"layers": [{"index": 0, "abits": 0}]})"),
            "1:13: layers[0]: abits must be an integer in 1..16, got 0");
  EXPECT_EQ(errorOf(R"({"layers": [{"index": 0, "wbits": 4.5}]})"),
            "1:13: layers[0]: wbits must be an integer in 1..16, got 4.5");
  EXPECT_EQ(errorOf(R"({"layers": [{"index": 0, "wbits": "8"}]})"),
            "1:13: layers[0]: wbits must be an integer in 1..16, got \"8\"");
}

TEST(PolicyTest, PositionsSkipStringsAndNesting) {
  // Brackets and commas inside strings and nested values do not count.
  PolicyError error;
  std::optional<BitwidthPolicy> policy =
      parsePolicy("{\"layers\": [{\"name\": \"a,[{\\\"\", \"wbits\": 4},\n"
                  "{\"name\": \"b\", \"abits\": 2}]}",
                  error);
  ASSERT_TRUE(policy) << error.message;
  EXPECT_EQ(policy->layers[0].name, "a,[{\"");
  EXPECT_EQ(policy->layers[1].line, 2u);
  EXPECT_EQ(policy->layers[1].column, 1u);
}

TEST(PolicyTest, WrittenPoliciesReadBack) {
  BitwidthPolicy policy;
  PolicyEntry a, b;
  a.name = "conv1";
  a.wbits = 8;
  a.abits = 8;
  b.index = 2;
  b.wbits = 4;
  policy.layers = {a, b};
  std::string text;
  llvm::raw_string_ostream os(text);
  writePolicy(policy, os);
  PolicyError error;
  std::optional<BitwidthPolicy> back = parsePolicy(os.str(), error);
  ASSERT_TRUE(back) << error.message << "\n" << text;
  ASSERT_EQ(back->layers.size(), 2u);
  EXPECT_EQ(back->layers[0].name, "conv1");
  EXPECT_EQ(back->layers[0].abits, 8u);
  EXPECT_EQ(back->layers[1].index, 2);
  EXPECT_EQ(back->layers[1].wbits, 4u);
  EXPECT_FALSE(back->layers[1].abits);
}

} // namespace

#include "common/utf8.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace augsweep {
namespace {

using ::testing::HasSubstr;

TEST(Utf8Test, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ASCII"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
  EXPECT_TRUE(IsValidUtf8("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(IsValidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(IsValidUtf8(std::string_view("a\0b", 3)));
}

struct BadCase {
  const char* bytes;
  size_t offset;
  const char* reason;
};

TEST(Utf8Test, RejectsIllFormedSequencesAndReportsOffset) {
  const BadCase cases[] = {
      {"ab\xC0\xAF", 2, "overlong"},              // overlong '/'
      {"\xE0\x80\xAF", 0, "overlong"},            // overlong 3-byte
      {"x\xF0\x80\x80\xAF", 1, "overlong"},       // overlong 4-byte
      {"ok \xED\xA0\x80", 3, "surrogate"},        // U+D800
      {"\xED\xBF\xBF", 0, "surrogate"},           // U+DFFF
      {"\xF4\x90\x80\x80", 0, "above U+10FFFF"},  // U+110000
      {"\xF5\x80\x80\x80", 0, "above U+10FFFF"},
      {"a\x80", 1, "continuation"},  // stray continuation byte
      {"\xC3", 0, "truncated"},
      {"\xE2\x82", 0, "truncated"},
      {"\xE2(\xA1", 0, "continuation"},
      {"abc\xFF", 3, "never occurs"},
  };
  for (const BadCase& c : cases) {
    auto error = FindUtf8Error(c.bytes);
    ASSERT_TRUE(error.has_value()) << c.reason;
    EXPECT_EQ(error->offset, c.offset) << c.reason;
    EXPECT_THAT(error->reason, HasSubstr(c.reason));
  }
}

TEST(Utf8Test, ValidateUtf8Message) {
  Status status = ValidateUtf8("abc\xED\xA0\x80");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("byte offset 3"));
  EXPECT_TRUE(ValidateUtf8("fine").ok());
}

TEST(Utf8Test, Blank) {
  EXPECT_TRUE(IsUtf8Blank(""));
  EXPECT_TRUE(IsUtf8Blank(" \t\r\n"));
  EXPECT_TRUE(IsUtf8Blank("\xC2\xA0\xE3\x80\x80\xE2\x80\x8B"));  // NBSP, ideographic space, ZWSP
  EXPECT_FALSE(IsUtf8Blank(" a "));
  EXPECT_FALSE(IsUtf8Blank("\xC3\xA9"));
}

}  // namespace
}  // namespace augsweep

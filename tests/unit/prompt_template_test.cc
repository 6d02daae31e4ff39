#include "worker/executors/prompt_template.h"

#include <gtest/gtest.h>

namespace augsweep {
namespace {

TEST(PromptTemplateTest, RendersThemeAndExamplesAsListItems) {
  const std::string tpl = "Comments about {theme}:\n{examples}\n-\n";
  EXPECT_EQ(RenderPrompt(tpl, "workload", {"too many shifts", " short\nstaffed "}),
            "Comments about workload:\n- too many shifts\n- short staffed\n-");
  EXPECT_EQ(RenderPrompt("{theme} {theme}", "a", {}), "a a");
  EXPECT_EQ(RenderPrompt("x\r\n", "t", {}), "x");
}

TEST(PromptTemplateTest, BracesInsideValuesAreNotExpanded) {
  EXPECT_EQ(RenderPrompt("{theme}: {examples}", "{examples}", {"{theme}"}),
            "{examples}: - {theme}");
}

TEST(PromptTemplateTest, FirstItemCutsAtTheBoundary) {
  EXPECT_EQ(FirstItem(" the ward is short of nurses\n- another"), "the ward is short of nurses");
  EXPECT_EQ(FirstItem("\n\n  leading blank lines\nsecond"), "leading blank lines");
  EXPECT_EQ(FirstItem("- a dash item\n"), "a dash item");
  EXPECT_EQ(FirstItem("answer ### Instruction: more"), "answer");
  EXPECT_EQ(FirstItem("no boundary yet"), "no boundary yet");
  EXPECT_EQ(FirstItem("   \n  "), "");
  EXPECT_FALSE(HasItemBoundary("  \n half an item"));
  EXPECT_TRUE(HasItemBoundary("  \n a whole item\n"));
  EXPECT_FALSE(HasItemBoundary("\n\n"));
}

TEST(PromptTemplateTest, CutAtStopKeepsWhatPrecedesTheEarliestStop) {
  const std::vector<std::string> stops = {"END", "<|eot|>"};
  EXPECT_EQ(CutAtStop("a comment<|eot|> and more END", stops), "a comment");
  EXPECT_EQ(CutAtStop("first END then <|eot|>", stops), "first ");
  EXPECT_EQ(CutAtStop("no stop here", stops), "no stop here");
  EXPECT_EQ(CutAtStop("ENDING at once", stops), "");
  EXPECT_EQ(CutAtStop("anything", {}), "anything");
  EXPECT_TRUE(HasStop("x<|eot|>", stops));
  EXPECT_FALSE(HasStop("x<|eo", stops)) << "half a stop string is not a stop";
  // Decoded text is matched as a whole, so a stop string that tokens split is found once
  // its last piece arrives.
  std::string decoded;
  for (const char* piece : {"ok <|", "eo", "t|>"}) {
    decoded += piece;
    EXPECT_EQ(HasStop(decoded, stops), decoded == "ok <|eot|>") << decoded;
  }
}

}  // namespace
TEST(PromptTemplateTest, CleanChatReplyDropsWhatIsNotTheText) {
  const std::vector<std::string> all = {"quotes", "list_markers", "preamble"};
  EXPECT_EQ(CleanChatReply("Sure! Here is a comment:\n\n\"The ward is short-staffed.\"", all),
            "The ward is short-staffed.");
  EXPECT_EQ(CleanChatReply("Here's one:\n- Night shifts are long.\n- Another", all),
            "Night shifts are long.");
  EXPECT_EQ(CleanChatReply("  1. \u201cBreaks are rare.\u201d  ", all), "Breaks are rare.");
  EXPECT_EQ(CleanChatReply("Staff feel unheard.", all), "Staff feel unheard.");
  EXPECT_EQ(CleanChatReply("\n\n", all), "");
  // A one-line reply is kept even when it looks like a preamble: there is nothing else.
  EXPECT_EQ(CleanChatReply("Sure, the rota works.", all), "Sure, the rota works.");
  // Rules switched off keep the reply's first line as it is.
  EXPECT_EQ(CleanChatReply("Sure! Here is a comment:\n\"x\"", {}), "Sure! Here is a comment:");
  EXPECT_EQ(CleanChatReply("- \"x\"", {"list_markers"}), "\"x\"");
}

}  // namespace augsweep

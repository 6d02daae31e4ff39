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

}  // namespace
}  // namespace augsweep

#include "common/cli_flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace augsweep {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A subcommand's flags with non-trivial defaults, so that a test can tell "untouched" from "set".
struct StatusFlags {
  std::string coordinator = "localhost:50051";
  int64_t jobs = 4;
  double threshold = 0.5;
  bool watch = false;
  bool color = true;
  FlagSet flags{"augsweep status [SWEEP] [flags]", "Shows the progress of a sweep."};

  StatusFlags() {
    flags.String("coordinator", &coordinator, "address of the coordinator");
    flags.Int("jobs", &jobs, "parallel jobs");
    flags.Double("threshold", &threshold, "decision threshold");
    flags.Bool("watch", &watch, "redraw until the sweep ends");
    flags.Bool("color", &color, "colour the output");
  }
};

TEST(FlagSetTest, NoArgumentsKeepsDefaults) {
  StatusFlags f;
  auto positional = f.flags.Parse({});
  ASSERT_TRUE(positional.ok()) << positional.status().ToString();
  EXPECT_THAT(*positional, IsEmpty());
  EXPECT_FALSE(f.flags.help_requested());
  EXPECT_EQ(f.coordinator, "localhost:50051");
  EXPECT_EQ(f.jobs, 4);
  EXPECT_EQ(f.threshold, 0.5);
  EXPECT_FALSE(f.watch);
  EXPECT_TRUE(f.color);
}

TEST(FlagSetTest, StringListsRepeatAndReplaceTheirDefault) {
  std::vector<std::string> stops = {"default"};
  FlagSet flags("augsweep generate [flags]", "");
  flags.StringList("stop", &stops, "stop strings");
  EXPECT_THAT(flags.Help(), HasSubstr("--stop STRING"));
  EXPECT_THAT(flags.Help(), HasSubstr("(repeatable)"));
  ASSERT_TRUE(flags.Parse({}).ok());
  EXPECT_THAT(stops, ElementsAre("default"));
  ASSERT_TRUE(flags.Parse({"--stop", "a", "--stop=b", "--stop", ""}).ok());
  EXPECT_THAT(stops, ElementsAre("a", "b", ""));
  EXPECT_FALSE(flags.Parse({"--stop", "c", "--nope"}).ok());
  EXPECT_THAT(stops, ElementsAre("a", "b", "")) << "a failed parse changes nothing";
}

TEST(FlagSetTest, SpaceAndEqualsFormsAndPositionalsInOrder) {
  StatusFlags f;
  auto positional = f.flags.Parse({"sweep-1", "--coordinator", "host:1", "--jobs=12", "extra",
                                   "--threshold", "2e-1", "--watch", "--no-color"});
  ASSERT_TRUE(positional.ok()) << positional.status().ToString();
  EXPECT_THAT(*positional, ElementsAre("sweep-1", "extra"));
  EXPECT_EQ(f.coordinator, "host:1");
  EXPECT_EQ(f.jobs, 12);
  EXPECT_DOUBLE_EQ(f.threshold, 0.2);
  EXPECT_TRUE(f.watch);
  EXPECT_FALSE(f.color);
}

TEST(FlagSetTest, OneLetterFlagsTakeOneDash) {
  std::string output = "default.html";
  bool verbose = false;
  FlagSet flags("augsweep report SWEEP -o FILE", "Writes a report.");
  flags.String("o", &output, "the file");
  flags.Bool("v", &verbose, "say more");
  auto positional = flags.Parse({"-o", "a.html", "sweep", "-v", "--", "-o"});
  ASSERT_TRUE(positional.ok()) << positional.status().ToString();
  EXPECT_EQ(output, "a.html");
  EXPECT_TRUE(verbose);
  EXPECT_THAT(*positional, ElementsAre("sweep", "-o")) << "after --, -o is positional";
  ASSERT_TRUE(flags.Parse({"-o=b.html"}).ok());
  EXPECT_EQ(output, "b.html");
  // Only registered one-letter flags: "-x" and "-out" stay unknown.
  EXPECT_THAT(flags.Parse({"-x", "1"}).status().message(), HasSubstr("-x"));
  EXPECT_FALSE(flags.Parse({"-out", "c.html"}).ok());
  EXPECT_EQ(output, "b.html");
}

TEST(FlagSetTest, EqualsFormKeepsEverythingAfterTheFirstEquals) {
  StatusFlags f;
  ASSERT_TRUE(f.flags.Parse({"--coordinator=a=b", "--jobs", "-3"}).ok());
  EXPECT_EQ(f.coordinator, "a=b");
  EXPECT_EQ(f.jobs, -3);  // a value after a flag may start with one dash
  ASSERT_TRUE(f.flags.Parse({"--coordinator="}).ok());
  EXPECT_EQ(f.coordinator, "");
}

TEST(FlagSetTest, BoolForms) {
  StatusFlags f;
  ASSERT_TRUE(f.flags.Parse({"--watch=true", "--color=false"}).ok());
  EXPECT_TRUE(f.watch);
  EXPECT_FALSE(f.color);
  ASSERT_TRUE(f.flags.Parse({"--watch=false", "--color"}).ok());
  EXPECT_FALSE(f.watch);
  EXPECT_TRUE(f.color);
  ASSERT_TRUE(f.flags.Parse({"--no-color", "--color=1", "--no-watch"}).ok());
  EXPECT_TRUE(f.color);  // the last occurrence wins
  EXPECT_FALSE(f.watch);

  // A boolean never takes the next argument as its value.
  auto positional = f.flags.Parse({"--watch", "false"});
  ASSERT_TRUE(positional.ok());
  EXPECT_TRUE(f.watch);
  EXPECT_THAT(*positional, ElementsAre("false"));
}

TEST(FlagSetTest, BadBoolValues) {
  StatusFlags f;
  Status s = f.flags.Parse({"--watch=yes please"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "--watch: expected true or false, got \"yes please\"");
  s = f.flags.Parse({"--no-watch=false"}).status();
  EXPECT_EQ(s.message(), "--no-watch takes no value; write --watch=false instead");
  s = f.flags.Parse({"--no-jobs"}).status();
  EXPECT_EQ(s.message(), "--no-jobs: --jobs is not a boolean flag; write --jobs VALUE");
}

TEST(FlagSetTest, DoubleDashEndsFlags) {
  StatusFlags f;
  auto positional = f.flags.Parse({"--jobs=2", "--", "--watch", "-h", "--unknown", "-"});
  ASSERT_TRUE(positional.ok()) << positional.status().ToString();
  EXPECT_THAT(*positional, ElementsAre("--watch", "-h", "--unknown", "-"));
  EXPECT_EQ(f.jobs, 2);
  EXPECT_FALSE(f.watch);
  EXPECT_FALSE(f.flags.help_requested());
}

TEST(FlagSetTest, LoneDashIsPositional) {
  StatusFlags f;
  auto positional = f.flags.Parse({"-", "x"});
  ASSERT_TRUE(positional.ok());
  EXPECT_THAT(*positional, ElementsAre("-", "x"));
}

TEST(FlagSetTest, UnknownFlagSuggestsTheClosestOne) {
  StatusFlags f;
  Status s = f.flags.Parse({"--coordinatr", "x"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "unknown flag --coordinatr (did you mean --coordinator?)");

  s = f.flags.Parse({"--Jobs=3"}).status();
  EXPECT_EQ(s.message(), "unknown flag --Jobs (did you mean --jobs?)");  // value not echoed

  s = f.flags.Parse({"--no-wach"}).status();
  EXPECT_EQ(s.message(), "unknown flag --no-wach (did you mean --no-watch?)");

  s = f.flags.Parse({"--verbose"}).status();
  EXPECT_EQ(s.message(), "unknown flag --verbose");  // nothing close: no hint
}

TEST(FlagSetTest, SingleDashFlagsAreUnknownWithAHint) {
  StatusFlags f;
  Status s = f.flags.Parse({"-jobs", "3"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "unknown flag -jobs (did you mean --jobs?)");
  s = f.flags.Parse({"-watch=true"}).status();
  EXPECT_EQ(s.message(), "unknown flag -watch (did you mean --watch?)");
}

TEST(FlagSetTest, MissingValue) {
  StatusFlags f;
  Status s = f.flags.Parse({"sweep", "--coordinator"}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "--coordinator needs a value (--coordinator VALUE or --coordinator=VALUE)");
  // The next argument is a flag: more likely a forgotten value than a value.
  s = f.flags.Parse({"--coordinator", "--watch"}).status();
  EXPECT_EQ(s.message(),
            "--coordinator needs a value (--coordinator VALUE or --coordinator=VALUE)");
  ASSERT_TRUE(f.flags.Parse({"--coordinator=--watch"}).ok());
  EXPECT_EQ(f.coordinator, "--watch");
}

TEST(FlagSetTest, StrictIntegers) {
  for (const char* bad : {"", "12abc", "1.5", " 3", "3 ", "0x10", "+3", "four"}) {
    StatusFlags f;
    Status s = f.flags.Parse({std::string("--jobs=") + bad}).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(s.message(), "--jobs: expected an integer, got \"" + std::string(bad) + "\"");
    EXPECT_EQ(f.jobs, 4);
  }
  StatusFlags f;
  Status s = f.flags.Parse({"--jobs", "99999999999999999999"}).status();
  EXPECT_EQ(s.message(), "--jobs: \"99999999999999999999\" is out of range for a 64-bit integer");
  ASSERT_TRUE(f.flags.Parse({"--jobs", "9223372036854775807"}).ok());
  EXPECT_EQ(f.jobs, INT64_MAX);
}

TEST(FlagSetTest, StrictDoubles) {
  for (const char* bad : {"", "0.5x", "inf", "nan", "1e999", "abc", " 1"}) {
    StatusFlags f;
    Status s = f.flags.Parse({"--threshold", bad}).status();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("--threshold: expected a finite number, got \"")) << bad;
    EXPECT_EQ(f.threshold, 0.5);
  }
  StatusFlags f;
  ASSERT_TRUE(f.flags.Parse({"--threshold=-1.25"}).ok());
  EXPECT_EQ(f.threshold, -1.25);
}

TEST(FlagSetTest, AFailedParseLeavesEveryDefault) {
  StatusFlags f;
  EXPECT_FALSE(f.flags.Parse({"--jobs=9", "--watch", "--coordinator=x", "--bogus"}).ok());
  EXPECT_EQ(f.jobs, 4);
  EXPECT_FALSE(f.watch);
  EXPECT_EQ(f.coordinator, "localhost:50051");
}

TEST(FlagSetTest, HelpWinsOverOtherErrors) {
  for (const char* help : {"--help", "-h"}) {
    StatusFlags f;
    auto positional = f.flags.Parse({"--bogus", "--jobs=x", help});
    ASSERT_TRUE(positional.ok()) << help;
    EXPECT_TRUE(f.flags.help_requested());
    EXPECT_EQ(f.jobs, 4);
    // The next Parse starts afresh.
    ASSERT_TRUE(f.flags.Parse({"--jobs=5"}).ok());
    EXPECT_FALSE(f.flags.help_requested());
    EXPECT_EQ(f.jobs, 5);
  }
}

TEST(FlagSetTest, HelpAsAFlagValueIsAValue) {
  StatusFlags f;
  auto positional = f.flags.Parse({"--coordinator", "-h"});
  ASSERT_TRUE(positional.ok());
  EXPECT_FALSE(f.flags.help_requested());
  EXPECT_EQ(f.coordinator, "-h");
}

TEST(FlagSetTest, HelpListsEveryFlagWithItsRegistrationTimeDefault) {
  StatusFlags f;
  f.jobs = 100;  // changed after registration: Help still shows the default
  EXPECT_EQ(f.flags.Help(),
            "usage: augsweep status [SWEEP] [flags]\n"
            "\n"
            "Shows the progress of a sweep.\n"
            "\n"
            "flags:\n"
            "  --coordinator STRING  address of the coordinator (default \"localhost:50051\")\n"
            "  --jobs INT            parallel jobs (default 4)\n"
            "  --threshold NUMBER    decision threshold (default 0.5)\n"
            "  --watch               redraw until the sweep ends (default false)\n"
            "  --[no-]color          colour the output (default true)\n"
            "  -h, --help            show this help\n");
}

TEST(FlagSetTest, HelpPutsALongFlagsHelpOnTheNextLine) {
  std::string path;
  int64_t n = 0;
  FlagSet flags("augsweep x", "");
  flags.Int("n", &n, "count");
  flags.String("a-very-long-flag-name-indeed", &path, "where");
  EXPECT_EQ(flags.Help(),
            "usage: augsweep x\n"
            "\n"
            "flags:\n"
            "  --n INT     count (default 0)\n"
            "  --a-very-long-flag-name-indeed STRING\n"
            "              where (default \"\")\n"
            "  -h, --help  show this help\n");
}

}  // namespace
}  // namespace augsweep

// The Jinja subset against Jinja2 itself: tests/fixtures/jinja/cases.json (small templates
// rendered by Debian's python3-jinja2 in transformers' environment) and the chat templates of
// real instruct models (tests/fixtures/chat-templates, rendered by the same recipe), compared
// byte for byte. Llama's templates are read from ../shared/fixtures/chat-templates (Llama
// licence: never copied here) and skipped when absent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/jinja/template.h"
#include "common/jinja/value_from_json.h"
#include "common/tokenizers/chat_template.h"

namespace augsweep {
namespace {

namespace fs = std::filesystem;
using jinja::Template;
using jinja::Value;
using ::testing::HasSubstr;
using Json = nlohmann::ordered_json;

Json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

Value ToValue(const Json& j) { return *jinja::ValueFromJson(j.dump()); }

jinja::ValuePairs Variables(const Json& vars) {
  jinja::ValuePairs out;
  for (const auto& [key, value] : vars.items()) out.emplace_back(key, ToValue(value));
  out.emplace_back("raise_exception", Value::Func("raise_exception", [](jinja::CallArgs& args) {
                     return StatusOr<Value>(InvalidArgumentError(args.positional[0].Str()));
                   }));
  return out;
}

TEST(JinjaTest, MatchesJinja2OnEveryCase) {
  const Json cases = ReadJson(fs::path(AUGSWEEP_FIXTURES_DIR) / "jinja/cases.json")["cases"];
  ASSERT_GT(cases.size(), 80u);
  for (const Json& c : cases) {
    const std::string source = c["template"].get<std::string>();
    SCOPED_TRACE(source);
    StatusOr<Template> t = Template::Parse(source, "case");
    StatusOr<std::string> out =
        t.ok() ? t->Render(Variables(c["variables"])) : StatusOr<std::string>(t.status());
    if (c.contains("error")) {
      EXPECT_FALSE(out.ok()) << "Jinja2 raised " << c["error"] << ", augsweep printed "
                             << (out.ok() ? *out : "");
    } else {
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ(*out, c["output"].get<std::string>());
    }
  }
}

TEST(JinjaTest, ErrorsNameTheLineAndTheConstruct) {
  const struct {
    const char* source;
    const char* message;
  } kCases[] = {
      {"a\n{% include 'x' %}", "t line 2: the 'include' tag is not supported"},
      {"a\nb\n{{ x|groupby('a') }}", "t line 3: the filter 'groupby' is not supported"},
      {"{{ x|nosuchfilter }}", "t line 1: no filter named 'nosuchfilter'"},
      {"{% if x %}\nopen",
       "t line 2: unexpected end of template, expected 'elif' or 'else' or "
       "'endif'"},
      {"{{ 'unclosed }}", "t line 1: string literal not closed"},
      {"{% for x in y %}{% endif %}", "the 'endif' tag is not inside the block it closes"},
      {"{{ x is nosuchtest }}", "no test named 'nosuchtest'"},
      {"{% for x in y recursive %}{% endfor %}", "recursive loops are not supported"},
  };
  for (const auto& c : kCases) {
    StatusOr<Template> t = Template::Parse(c.source, "t");
    ASSERT_FALSE(t.ok()) << c.source;
    EXPECT_NE(t.status().message().find(c.message), std::string::npos)
        << t.status().message() << "\nexpected: " << c.message;
  }
  // Run-time errors name the line too, and never the values involved (texts may be private).
  StatusOr<Template> t = Template::Parse("ok\n{{ secret + 1 }}", "t");
  ASSERT_TRUE(t.ok());
  StatusOr<std::string> out = t->Render({{"secret", Value::String("patient name")}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "t line 2: can only concatenate str (not \"int\") to str");
}

// What would hang or crash the process is an error naming the line instead (template.h's
// limits); each input is also a regression input of chat_template_fuzz.
TEST(JinjaTest, TemplatesThatWouldNeverEndOrOverflowAreRefused) {
  const std::string deep_parens =
      "{{ " + std::string(200, '(') + "1" + std::string(200, ')') + " }}";
  std::string long_chain = "{{ 1";
  for (int i = 0; i < 5000; ++i) long_chain += " + 1";
  long_chain += " }}";
  std::string deep_blocks;
  for (int i = 0; i < 150; ++i) deep_blocks += "{% if true %}";
  for (int i = 0; i < 150; ++i) deep_blocks += "{% endif %}";
  for (const std::string& source : {deep_parens, long_chain, deep_blocks}) {
    StatusOr<Template> t = Template::Parse(source, "t");
    ASSERT_FALSE(t.ok()) << source.substr(0, 40);
    EXPECT_THAT(t.status().message(), HasSubstr("nested more than 100 deep"));
  }
  // Found by chat_template_fuzz: an empty string times a billion looped a billion times.
  StatusOr<Template> empty = Template::Parse("{{ '' * 999999998 }}{{ [] * 999999998 }}x", "t");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty->Render({}), "[]x");
  // Just inside the limit parses and renders as Python would.
  StatusOr<Template> ok =
      Template::Parse("{{ " + std::string(40, '(') + "1 + 2" + std::string(40, ')') + " }}", "t");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok->Render({}), "3");

  const struct {
    const char* source;
    const char* message;
  } kRenderCases[] = {
      {"{% for a in range(100000) %}\n{% for b in range(100000) %}x{% endfor %}{% endfor %}",
       "t line 2: rendering takes more than 200000 steps"},
      {"{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}", "macro 'f' called more than 100 deep"},
      {"{{ 'x' * 10000000000 }}", "t line 1: a string repeated 10000000000 times"},
      {"{{ [1] * 10000000 }}", "t line 1: a list repeated 10000000 times"},
      {"{% set ns = namespace(x=1) %}{% for i in range(200) %}{% set ns.x = [ns.x] %}"
       "{% endfor %}",
       "t line 1: a list or dict nested more than 100 deep"},
      {"{% set ns = namespace(x=1) %}\n{% set ns.x = [ns] %}",
       "t line 2: a namespace attribute cannot hold a namespace"},
      {"{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
       "{% endfor %}",
       "a string longer than 8388608 bytes"},
      {"{{ 'a'|indent(10000000000) }}", "indent: width must be 0 to 8388608"},
      {"{{ ('x' * 8000000)|replace('x', 'yy') }}", "replace: the result passes 8388608 bytes"},
      {"{{ (['x' * 1000000] * 10)|join }}", "join: the result passes 8388608 bytes"},
      {"{{ [1]|tojson(indent=100000) }}", "tojson: indent must be at most 1000"},
      // Found by chat_template_fuzz: 64-bit overflow was undefined behaviour, and a huge
      // exponent a loop that did not end.
      {"{{ 33333333333333333 * 33333333333333333 }}", "integer overflow in '*' (past 64 bits)"},
      {"{{ 3 ** 333333333333333333 }}", "integer overflow in '**' (past 64 bits)"},
      {"{{ 9223372036854775807 + 1 }}", "integer overflow in '+' (past 64 bits)"},
      {"{{ -9223372036854775807 - 2 }}", "integer overflow in '-' (past 64 bits)"},
      {"{{ (-9223372036854775807 - 1) // -1 }}", "integer overflow in '//' (past 64 bits)"},
      {"{{ -(-9223372036854775807 - 1) }}", "integer overflow in unary '-'"},
      {"{{ (-9223372036854775807 - 1)|abs }}", "integer overflow in abs()"},
      {"{{ [9223372036854775807, 1]|sum }}", "integer overflow in '+'"},
  };
  for (const auto& c : kRenderCases) {
    StatusOr<Template> t = Template::Parse(c.source, "t");
    ASSERT_TRUE(t.ok()) << c.source << ": " << t.status().ToString();
    StatusOr<std::string> out = t->Render({});
    ASSERT_FALSE(out.ok()) << c.source;
    EXPECT_THAT(out.status().message(), HasSubstr(c.message)) << c.source;
  }
}

TEST(JinjaTest, NothingAVariableHoldsIsChanged) {
  StatusOr<Template> t = Template::Parse(
      "{% set m = messages %}{% set messages = messages[1:] %}{{ m|length }}{{ messages|length }}",
      "t");
  ASSERT_TRUE(t.ok());
  const Value messages = Value::List({Value::String("a"), Value::String("b")});
  StatusOr<std::string> out = t->Render({{"messages", messages}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "21");
  EXPECT_EQ(messages.list().size(), 2u);
}

// Every family folder: tokenizer_config.json + golden.json over conversations.json.
void CheckFamily(const fs::path& dir, const Json& conversations) {
  SCOPED_TRACE(dir.string());
  StatusOr<ChatTemplate> chat = ChatTemplate::Load(dir.string());
  ASSERT_TRUE(chat.ok()) << chat.status().ToString();
  chat->set_now(1721995200);  // 2024-07-26 noon UTC: the date make_goldens.py freezes
  const Json golden = ReadJson(dir / "golden.json");
  int checked = 0;
  for (const Json& c : golden["cases"]) {
    const std::string name = c["conversation"].get<std::string>();
    const bool add_generation_prompt = c["add_generation_prompt"].get<bool>();
    SCOPED_TRACE(name + (add_generation_prompt ? " +generation prompt" : ""));
    StatusOr<std::string> out = chat->Apply(ToValue(conversations[name]), add_generation_prompt);
    if (c.contains("error")) {
      ASSERT_FALSE(out.ok());
      EXPECT_NE(out.status().message().find(c["error"].get<std::string>()), std::string::npos)
          << out.status().message();
    } else {
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      EXPECT_EQ(*out, c["output"].get<std::string>());
    }
    ++checked;
  }
  EXPECT_EQ(checked, 2 * static_cast<int>(conversations.size()));
}

TEST(ChatTemplateTest, RendersRealTemplatesByteForByte) {
  const fs::path root = fs::path(AUGSWEEP_FIXTURES_DIR) / "chat-templates";
  const Json conversations = ReadJson(root / "conversations.json");
  int families = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!fs::exists(entry.path() / "golden.json")) continue;
    CheckFamily(entry.path(), conversations);
    ++families;
  }
  EXPECT_GE(families, 4);
}

TEST(ChatTemplateTest, RendersLlamaTemplatesWhenSharedFixturesHaveThem) {
  // AUGSWEEP_LLAMA_CHAT_TEMPLATES may point elsewhere (a folder of family folders).
  const char* env = std::getenv("AUGSWEEP_LLAMA_CHAT_TEMPLATES");
  const fs::path root = env != nullptr
                            ? fs::path(env)
                            : fs::path(AUGSWEEP_SOURCE_DIR) / "../shared/fixtures/chat-templates";
  if (!fs::is_directory(root)) {
    GTEST_SKIP() << "Llama chat templates absent (" << root.string()
                 << "): Llama 3.x templates are not checked; they are not stored in this "
                    "repository because of the Llama licence";
  }
  const Json conversations =
      ReadJson(fs::path(AUGSWEEP_FIXTURES_DIR) / "chat-templates/conversations.json");
  int families = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!fs::exists(entry.path() / "golden.json")) continue;
    CheckFamily(entry.path(), conversations);
    ++families;
  }
  EXPECT_GE(families, 1);
}

TEST(ChatTemplateTest, LoadsFromEachPlaceTransformersReads) {
  const fs::path dir = fs::path(testing::TempDir()) / "chat_template_places";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream(dir / name) << text;
  };
  EXPECT_EQ(ChatTemplate::Load(dir.string()).status().code(), StatusCode::kNotFound);
  write("tokenizer_config.json",
        R"({"bos_token": {"__type": "AddedToken", "content": "<s>"}, "eos_token": "</s>",
            "chat_template": [{"name": "tool_use", "template": "T"},
                              {"name": "default", "template": "{{ bos_token }}D{{ eos_token }}"}]})");
  const Value none = Value::List({});
  EXPECT_EQ(*ChatTemplate::Load(dir.string())->Apply(none, false), "<s>D</s>");
  write("special_tokens_map.json", R"({"eos_token": "<|end|>"})");
  EXPECT_EQ(*ChatTemplate::Load(dir.string())->Apply(none, false), "<s>D<|end|>");
  write("chat_template.json", R"({"chat_template": "J"})");
  EXPECT_EQ(*ChatTemplate::Load(dir.string())->Apply(none, false), "J");
  write("chat_template.jinja", "{{ 'jinja' }}\n");
  EXPECT_EQ(*ChatTemplate::Load(dir.string())->Apply(none, false), "jinja");
  write("chat_template.jinja", "line 1\n{% filter upper %}x{% endfilter %}");
  const Status bad = ChatTemplate::Load(dir.string()).status();
  EXPECT_NE(bad.message().find("chat_template.jinja line 2: the 'filter' tag is not supported"),
            std::string::npos)
      << bad.message();
}

TEST(ChatTemplateTest, MessagesFileErrorsNameTheElement) {
  const fs::path path = fs::path(testing::TempDir()) / "messages.json";
  std::ofstream(path) << R"([{"role": "user", "content": "hi"}, {"content": "no role"}])";
  const Status s = ReadChatMessagesFile(path.string()).status();
  EXPECT_NE(s.message().find("message 1: expected an object with a string \"role\""),
            std::string::npos)
      << s.message();
  std::ofstream(path) << R"([{"role": "user", "content": "secret text)";
  const Status bad_json = ReadChatMessagesFile(path.string()).status();
  EXPECT_NE(bad_json.message().find("not valid JSON"), std::string::npos);
  EXPECT_EQ(bad_json.message().find("secret"), std::string::npos) << bad_json.message();
}

}  // namespace
}  // namespace augsweep

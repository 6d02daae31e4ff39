// Few-shot prompts from a template and the post-processing of completions, for LLM generators.
// Pure functions: see examples/templates/README.md for the template format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace augsweep {

// Replaces {theme} and {examples} (one "- text" line per example, newlines inside a text turned
// into spaces so one example stays one item). One trailing newline of the template is dropped.
std::string RenderPrompt(std::string_view prompt_template, std::string_view theme,
                         const std::vector<std::string>& examples);

// The first item of a completion: up to the first newline (or "###", where instruction formats
// start a new section), stripped of surrounding whitespace and a leading "- ".
std::string FirstItem(std::string_view completion);

// Whether the completion already holds a whole item, so generation can stop early.
bool HasItemBoundary(std::string_view completion);

// The completion up to the earliest occurrence of any of `stops` (the stop string itself left
// out), or all of it when none occurs. Matched on the decoded text, so a stop string split
// across tokens is found too.
std::string_view CutAtStop(std::string_view completion, const std::vector<std::string>& stops);

// A chat model's reply made into one synthetic text. `rules` (any of "preamble",
// "list_markers", "quotes") first drop a leading line that introduces the answer ("Sure! Here is
// a comment:"), then a list marker ("- ", "* ", "1. ") and quotes around the text; the result is
// the first non-empty line, stripped.
std::string CleanChatReply(std::string_view reply, const std::vector<std::string>& rules);

// Whether any of `stops` occurs in the completion.
bool HasStop(std::string_view completion, const std::vector<std::string>& stops);

}  // namespace augsweep

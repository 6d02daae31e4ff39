#include "cli/text_listing.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/text_fields.h"

namespace augsweep::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Indented(const std::string& label, const std::string& text) {
  std::string out = "      " + label + ":\n        ";
  for (char c : text) {
    out += c == '\n' ? std::string("\n        ") : std::string(1, c == '\r' ? ' ' : c);
  }
  return out + "\n";
}

// "any" for a generator that ignores temperature: its one job serves them all.
std::string JobTemperature(const v1::GenerateJobTexts& job) {
  return job.temperature_ignored() ? "any" : RoundTrip(job.temperature());
}

std::string JobHeading(const v1::GenerateJobTexts& job) {
  char seconds[32] = "";
  if (job.state() == "ok") std::snprintf(seconds, sizeof(seconds), ", %.1f s", job.wall_seconds());
  return OneLine(job.generator()) + "  T=" + JobTemperature(job) +
         (job.filter().empty() ? "" : "  filter " + OneLine(job.filter())) + "  repeat " +
         std::to_string(job.repeat()) + " fold " + std::to_string(job.fold()) + "  (" +
         job.state() + seconds + ")  job " + job.job_key().substr(0, 12);
}

// Two lines on the kept texts: their measures and the privacy audit's summary.
std::string MeasureLines(const v1::GenerateJobTexts& job) {
  if (!job.has_measures()) return "";
  const v1::SetMeasures& m = job.measures();
  std::string out =
      "  measures: distinct-1 " + FormatNumber(m.distinct_1(), "%.2f") + ", distinct-2 " +
      FormatNumber(m.distinct_2(), "%.2f") + ", pairwise Jaccard " +
      FormatNumber(m.mean_pairwise_jaccard(), "%.2f") + ", length " +
      FormatNumber(m.length_mean(), "%.1f") + " ± " + FormatNumber(m.length_sd(), "%.1f") +
      " words, nearest real text (Jaccard) mean " + FormatNumber(m.nearest_real_mean(), "%.2f") +
      " p90 " + FormatNumber(m.nearest_real_p90(), "%.2f") + " max " +
      FormatNumber(m.nearest_real_max(), "%.2f") + "\n";
  if (job.has_audit()) {
    const v1::PrivacyAudit& a = job.audit();
    out += "  audit: longest span shared with a real text " +
           std::to_string(a.longest_span_words()) + " words, " +
           FormatNumber(100 * a.share_with_long_span(), "%.1f") + "% of texts share " +
           std::to_string(a.span_threshold()) + "+, " + std::to_string(a.texts_with_rare_tokens()) +
           " repeat words of only one real text\n";
  }
  return out;
}

// "sanity 3, duplicates 1": a filtered set's drops per check.
std::string CheckDropsText(const v1::ThemeGeneration& t) {
  std::string out;
  for (const v1::CheckDrops& d : t.check_drops())
    out += (out.empty() ? "" : ", ") + d.check() + " " + std::to_string(d.dropped());
  return out;
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ";") + item;
  return out;
}

std::string FormatTable(const v1::GetTextsResponse& texts, bool full) {
  std::string out;
  for (const v1::GenerateJobTexts& job : texts.jobs()) {
    out += (out.empty() ? "" : "\n") + JobHeading(job) + "\n";
    for (const v1::ThemeGeneration& t : job.themes()) {
      out += "  " + OneLine(t.theme()) + ": kept " + std::to_string(t.kept()) + "/" +
             std::to_string(t.wanted()) + ", dropped " + std::to_string(t.dropped()) +
             (t.check_drops().empty() ? "" : " (" + CheckDropsText(t) + ")") +
             (t.relabelled() > 0 ? ", relabelled " + std::to_string(t.relabelled()) : "") +
             (t.shortfall() > 0 ? ", short by " + std::to_string(t.shortfall()) : "") +
             (t.cut() > 0 ? ", " + std::to_string(t.cut()) + " kept cut at max_new_tokens" : "") +
             "\n";
    }
    auto list = [&](const v1::TextView& text) {
      const std::string by = text.dropped_by().empty() ? "" : text.dropped_by() + ": ";
      out += "    [" + OneLine(text.theme()) + "] " +
             (text.dropped_because().empty() ? "" : "(" + by + text.dropped_because() + ") ") +
             (text.labels().empty() ? "" : "(relabelled " + OneLine(Joined(text.labels())) + ") ") +
             (text.cut() ? "(cut) " : "") + OneLine(text.text()) + "\n";
      if (!full) return;
      if (!text.prompt().empty()) out += Indented("prompt", text.prompt());
      if (!text.raw_completion().empty()) out += Indented("raw completion", text.raw_completion());
    };
    out += MeasureLines(job);
    if (!job.audit_findings().empty()) out += "  worst by the audit:\n";
    for (const v1::AuditView& f : job.audit_findings()) {
      out += "    [" + OneLine(f.theme()) + "] span " + std::to_string(f.longest_span_words()) +
             ": \"" + OneLine(f.span()) + "\"";
      std::string rare;
      for (const std::string& t : f.rare_tokens()) rare += (rare.empty() ? "" : ", ") + t;
      if (!rare.empty()) out += "; rare: " + OneLine(rare);
      out += "\n      " + OneLine(f.text()) + "\n";
    }
    if (!job.texts().empty()) out += "  kept:\n";
    for (const v1::TextView& text : job.texts()) list(text);
    if (!job.dropped().empty()) out += "  dropped:\n";
    for (const v1::TextView& text : job.dropped()) list(text);
  }
  if (texts.jobs().empty()) out += "no generate or filter jobs match\n";
  if (texts.truncated())
    out += "\n(truncated: the reply reached its size cap; narrow the request or lower --limit)\n";
  return out;
}

std::string FormatCsv(const v1::GetTextsResponse& texts) {
  std::string out =
      "job_key,generator,temperature,repeat,fold,theme,kept,dropped_because,cut,text,prompt,"
      "raw_completion,filter,dropped_by,labels\r\n";
  for (const v1::GenerateJobTexts& job : texts.jobs()) {
    auto record = [&](const v1::TextView& text) {
      const std::string fields[] = {job.job_key(),
                                    job.generator(),
                                    job.temperature_ignored() ? "" : RoundTrip(job.temperature()),
                                    std::to_string(job.repeat()),
                                    std::to_string(job.fold()),
                                    text.theme(),
                                    text.dropped_because().empty() ? "true" : "false",
                                    text.dropped_because(),
                                    text.cut() ? "true" : "false",
                                    text.text(),
                                    text.prompt(),
                                    text.raw_completion(),
                                    job.filter(),
                                    text.dropped_by(),
                                    Joined(text.labels())};
      for (size_t i = 0; i < std::size(fields); ++i) out += (i ? "," : "") + CsvField(fields[i]);
      out += "\r\n";
    };
    for (const v1::TextView& text : job.texts()) record(text);
    for (const v1::TextView& text : job.dropped()) record(text);
  }
  return out;
}

std::string FormatJsonl(const v1::GetTextsResponse& texts) {
  std::string out;
  auto line = [&](const Json& j) {
    out += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  };
  for (const v1::GenerateJobTexts& job : texts.jobs()) {
    Json j;
    j["job_key"] = job.job_key();
    j["generator"] = job.generator();
    j["temperature"] = job.temperature_ignored() ? Json(nullptr) : Json(job.temperature());
    j["repeat"] = job.repeat();
    j["fold"] = job.fold();
    j["filter"] = job.filter().empty() ? Json(nullptr) : Json(job.filter());
    j["source_job"] = job.source_job().empty() ? Json(nullptr) : Json(job.source_job());
    j["state"] = job.state();
    j["wall_seconds"] = job.wall_seconds();
    j["themes"] = Json::array();
    for (const v1::ThemeGeneration& t : job.themes()) {
      Json drops = Json::object();
      for (const v1::CheckDrops& d : t.check_drops()) drops[d.check()] = d.dropped();
      j["themes"].push_back({{"theme", t.theme()},
                             {"wanted", t.wanted()},
                             {"kept", t.kept()},
                             {"dropped", t.dropped()},
                             {"shortfall", t.shortfall()},
                             {"cut", t.cut()},
                             {"relabelled", t.relabelled()},
                             {"check_drops", drops}});
    }
    if (job.has_measures()) {
      const v1::SetMeasures& m = job.measures();
      j["measures"] = {{"distinct_1", m.distinct_1()},
                       {"distinct_2", m.distinct_2()},
                       {"mean_pairwise_jaccard", m.mean_pairwise_jaccard()},
                       {"length_mean", m.length_mean()},
                       {"length_sd", m.length_sd()},
                       {"nearest_real_mean", m.nearest_real_mean()},
                       {"nearest_real_p50", m.nearest_real_p50()},
                       {"nearest_real_p90", m.nearest_real_p90()},
                       {"nearest_real_max", m.nearest_real_max()}};
    }
    if (job.has_audit()) {
      const v1::PrivacyAudit& a = job.audit();
      j["audit"] = {{"span_threshold", a.span_threshold()},
                    {"longest_span_words", a.longest_span_words()},
                    {"share_with_long_span", a.share_with_long_span()},
                    {"texts_with_rare_tokens", a.texts_with_rare_tokens()},
                    {"rare_tokens_in_real", a.rare_tokens_in_real()}};
    }
    line({{"job", j}});
    for (const v1::AuditView& f : job.audit_findings()) {
      line({{"audit_finding",
             {{"job_key", job.job_key()},
              {"theme", f.theme()},
              {"text", f.text()},
              {"longest_span_words", f.longest_span_words()},
              {"span", f.span()},
              {"rare_tokens",
               std::vector<std::string>(f.rare_tokens().begin(), f.rare_tokens().end())}}}});
    }
    auto text_line = [&](const v1::TextView& text) {
      Json t;
      t["job_key"] = job.job_key();
      t["theme"] = text.theme();
      t["kept"] = text.dropped_because().empty();
      t["dropped_because"] =
          text.dropped_because().empty() ? Json(nullptr) : Json(text.dropped_because());
      t["dropped_by"] = text.dropped_by().empty() ? Json(nullptr) : Json(text.dropped_by());
      t["labels"] = std::vector<std::string>(text.labels().begin(), text.labels().end());
      t["cut"] = text.cut();
      t["text"] = text.text();
      t["prompt"] = text.prompt();
      t["raw_completion"] = text.raw_completion();
      line({{"text", t}});
    };
    for (const v1::TextView& text : job.texts()) text_line(text);
    for (const v1::TextView& text : job.dropped()) text_line(text);
  }
  if (texts.truncated()) line({{"truncated", true}});
  return out;
}

}  // namespace

StatusOr<TextsFormat> ParseTextsFormat(std::string_view name) {
  if (name == "table") return TextsFormat::kTable;
  if (name == "csv") return TextsFormat::kCsv;
  if (name == "jsonl") return TextsFormat::kJsonl;
  return InvalidArgumentError("unknown format \"" + std::string(name) +
                              "\"; expected one of: table, csv, jsonl");
}

std::string FormatTexts(const v1::GetTextsResponse& texts, TextsFormat format, bool full) {
  switch (format) {
    case TextsFormat::kCsv:
      return FormatCsv(texts);
    case TextsFormat::kJsonl:
      return FormatJsonl(texts);
    case TextsFormat::kTable:
      break;
  }
  return FormatTable(texts, full);
}

}  // namespace augsweep::cli

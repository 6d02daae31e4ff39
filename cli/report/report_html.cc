#include "cli/report/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <vector>

#include "cli/report/svg_charts.h"
#include "cli/result_text.h"
#include "cli/sweep_state.h"
#include "cli/text_fields.h"

namespace augsweep::cli {
namespace {

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #111; line-height: 1.4; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; vertical-align: top; }
th { background: #f2f2f2; }
td { white-space: nowrap; }
td.text, th.text { text-align: left; white-space: normal; }
tr.best td { font-weight: bold; background: #eef4fb; }
pre { background: #f7f7f7; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; }
.note { color: #555; font-size: 0.9em; }
.plots { display: flex; flex-wrap: wrap; gap: 1.5em; }
.warning { color: #8a3b00; }
svg { max-width: 100%; height: auto; }
)";

std::string Td(const std::string& text, bool left = false) {
  return std::string(left ? "<td class=\"text\">" : "<td>") + HtmlEscape(text) + "</td>";
}

std::string Th(const std::string& text, bool left = false) {
  return std::string(left ? "<th class=\"text\">" : "<th>") + HtmlEscape(text) + "</th>";
}

std::string Summary(const ReportInputs& in) {
  const v1::GetResultsResponse& r = in.results;
  std::string out = "<p>State: <b>" + HtmlEscape(SweepStateName(in.status.state())) + "</b>. " +
                    std::to_string(r.rows_size()) + " cells, " +
                    std::to_string(in.description.jobs()) + " jobs. Generated " +
                    HtmlEscape(in.generated_at) + ".";
  if (!r.complete())
    out += " <span class=\"warning\">Partial: some cells have no results yet.</span>";
  out += "</p>\n";
  if (r.has_best_row() && r.best_row() < r.rows_size()) {
    const v1::ResultRow& best = r.rows(r.best_row());
    int tied = 0;
    for (const v1::ResultRow& row : r.rows()) tied += row.tied_with_best();
    out += "<p>Best cell: <b>" + HtmlEscape(CellName(best)) + "</b>, mean macro AUC " +
           AucText(best.mean_auc()) + " (95% CI " +
           IntervalText(best.ci95_low(), best.ci95_high(), false) + "); " + std::to_string(tied) +
           " other cell(s) cannot be told apart from it (paired p ≥ 0.05).</p>\n";
  }
  std::map<std::string, int> verdicts;
  for (const v1::ResultRow& row : r.rows()) {
    if (!row.verdict().empty()) ++verdicts[row.verdict()];
  }
  if (!verdicts.empty()) {
    out += "<p>Against each classifier's baseline, after Holm's correction: ";
    bool first = true;
    for (const char* v : {"helps", "hurts", "no evidence"}) {
      out += std::string(first ? "" : ", ") + std::to_string(verdicts[v]) + " " + v;
      first = false;
    }
    out += ".</p>\n";
  }
  return out;
}

std::string SpecSection(const v1::SweepDescription& d) {
  std::string out = "<h2>Spec</h2>\n<pre id=\"spec\">" + HtmlEscape(d.spec_yaml()) + "</pre>\n";
  for (const std::string& w : d.warnings())
    out += "<p class=\"warning\">Warning: " + HtmlEscape(w) + "</p>\n";
  return out;
}

std::string DatasetSection(const v1::SweepDescription& d) {
  std::string out = "<h2>Dataset</h2>\n<div id=\"dataset\">\n<p>" + std::to_string(d.examples()) +
                    " labelled texts, " + std::to_string(d.themes_size()) + " themes.</p>\n";
  out += "<table>\n<tr>" + Th("theme", true) + Th("texts with the theme") + Th("share") + "</tr>\n";
  for (const v1::ThemeCount& t : d.themes()) {
    out += "<tr>" + Td(t.theme(), true) + Td(std::to_string(t.positives())) +
           Td(FormatNumber(d.examples() ? 100.0 * t.positives() / d.examples() : 0, "%.1f%%")) +
           "</tr>\n";
  }
  out +=
      "</table>\n<p>Test part of each fold (texts, and positives per theme):</p>\n<table>\n<tr>" +
      Th("repeat") + Th("fold") + Th("test texts");
  for (const v1::ThemeCount& t : d.themes()) out += Th(t.theme());
  out += "</tr>\n";
  for (const v1::FoldSize& f : d.folds()) {
    out += "<tr>" + Td(std::to_string(f.repeat())) + Td(std::to_string(f.fold())) +
           Td(std::to_string(f.test_examples()));
    for (int p : f.test_positives()) out += Td(std::to_string(p));
    out += "</tr>\n";
  }
  return out + "</table>\n</div>\n";
}

std::string ResultsSection(const v1::GetResultsResponse& r) {
  const bool filters = HasFilterColumn(r);
  std::string out = "<h2>Results</h2>\n<table id=\"results\">\n<tr>" + Th("generator", true) +
                    Th("T") + (filters ? Th("filter", true) : "") + Th("n") +
                    Th("classifier", true) + Th("folds") + Th("mean AUC") + Th("SD") +
                    Th("95% CI") + Th("vs baseline") + Th("Δ 95% CI") + Th("p") + Th("p (Holm)") +
                    Th("verdict", true) + Th("note", true) + "</tr>\n";
  for (int i = 0; i < r.rows_size(); ++i) {
    const v1::ResultRow& row = r.rows(i);
    const bool baseline = IsBaselineRow(row);
    const bool best = r.has_best_row() && r.best_row() == i;
    out += std::string(best ? "<tr class=\"best\">" : "<tr>") +
           Td(baseline ? "(baseline)" : row.generator(), true) +
           Td(baseline ? "-" : TemperatureText(row.temperature())) +
           (filters ? Td(baseline ? "-" : row.filter(), true) : "") +
           Td(std::to_string(row.augment_count())) + Td(row.classifier(), true) +
           Td(FoldsText(row)) + Td(AucText(row.mean_auc())) + Td(AucText(row.sd_auc())) +
           Td(IntervalText(row.ci95_low(), row.ci95_high(), false)) +
           Td(baseline ? "-" : SignedText(row.delta_vs_baseline())) +
           Td(row.has_delta_ci95_low()
                  ? IntervalText(row.delta_ci95_low(), row.delta_ci95_high(), true)
                  : "-") +
           Td(row.has_p_value() ? PValueText(row.p_value()) : "-") +
           Td(row.has_p_holm() ? PValueText(row.p_holm()) : "-") +
           Td(row.verdict().empty() ? "-" : row.verdict(), true) + Td(RowNote(row, best), true) +
           "</tr>\n";
  }
  out +=
      "</table>\n<p class=\"note\">Mean macro AUC over folds × repeats with its 95% CI. "
      "Against the classifier's baseline on the same folds: the mean difference, its "
      "interval by the corrected resampled t-test (Nadeau &amp; Bengio 2003), the p-value of " +
      std::string(r.test() == "wilcoxon" ? "the Wilcoxon signed-rank test" : "that test") +
      ", and Holm's adjusted p over every compared cell; the verdict is \"helps\" or "
      "\"hurts\" when p (Holm) &lt; 0.05. Folds shown as k/m had results for k of m planned "
      "folds.</p>\n";
  return out;
}

std::string AucPlots(const v1::GetResultsResponse& r) {
  std::vector<std::string> classifiers;
  for (const v1::ResultRow& row : r.rows()) {
    if (std::find(classifiers.begin(), classifiers.end(), row.classifier()) == classifiers.end())
      classifiers.push_back(row.classifier());
  }
  std::string out = "<h2>AUC against the number of synthetic texts</h2>\n<div class=\"plots\">\n";
  for (size_t k = 0; k < classifiers.size(); ++k) {
    LineChart chart;
    chart.id = "auc-plot-" + std::to_string(k);
    chart.title = "classifier " + classifiers[k];
    chart.x_label = "synthetic texts per theme (n)";
    chart.y_label = "mean macro AUC (95% CI)";
    std::set<int> counts;
    for (const v1::ResultRow& row : r.rows()) {
      if (row.classifier() == classifiers[k] && !IsBaselineRow(row) && row.folds() > 0)
        counts.insert(row.augment_count());
    }
    std::vector<int> xs(counts.begin(), counts.end());
    for (int n : xs) chart.x_labels.push_back(std::to_string(n));
    std::map<std::string, size_t> series_of;
    for (const v1::ResultRow& row : r.rows()) {
      if (row.classifier() != classifiers[k] || row.folds() == 0) continue;
      if (IsBaselineRow(row)) {
        chart.reference = row.mean_auc();
        chart.reference_low = row.ci95_low();
        chart.reference_high = row.ci95_high();
        chart.reference_name = "baseline (no synthetic texts), band: its 95% CI";
        continue;
      }
      const std::string name = row.generator() + ", T = " + TemperatureText(row.temperature()) +
                               (row.filter().empty() ? "" : ", filter " + row.filter());
      auto [it, inserted] = series_of.try_emplace(name, chart.series.size());
      if (inserted) chart.series.push_back({name, {}});
      const int x =
          static_cast<int>(std::find(xs.begin(), xs.end(), row.augment_count()) - xs.begin());
      chart.series[it->second].points.push_back(
          {x, row.mean_auc(), row.ci95_low(), row.ci95_high()});
    }
    out += RenderLineChart(chart);
  }
  return out + "</div>\n";
}

std::string ThemeGain(const v1::GetResultsResponse& r) {
  Heatmap map;
  map.id = "theme-gain";
  map.title = "Gain over the baseline per theme (mean AUC difference)";
  map.value_label = "AUC minus baseline:";
  for (const std::string& t : r.themes()) map.column_labels.push_back(t);
  for (const v1::ResultRow& row : r.rows()) {
    if (IsBaselineRow(row)) continue;
    map.row_labels.push_back(CellName(row));
    std::vector<std::optional<double>> values;
    for (const v1::ThemeResult& t : row.per_theme()) {
      values.push_back(t.has_delta_vs_baseline() ? std::optional<double>(t.delta_vs_baseline())
                                                 : std::nullopt);
    }
    map.values.push_back(std::move(values));
  }
  return "<h2>Per-theme gain</h2>\n" + RenderHeatmap(map) +
         "<p class=\"note\">Per theme, the mean AUC over the folds whose test part has both "
         "classes, minus the baseline's; purple: better than the baseline, orange: worse.</p>\n";
}

// The kept texts' diversity and closeness to the real data (cells of the generation table):
// distinct-2, the mean Jaccard with each text's nearest real text, the longest run of words
// shared verbatim with a real text and the share of texts sharing 8+ words. "-" for sets made
// before they were measured.
std::string MeasureCells(const v1::GenerateJobTexts& job) {
  if (!job.has_measures() || !job.has_audit()) return Td("-") + Td("-") + Td("-") + Td("-");
  return Td(FormatNumber(job.measures().distinct_2(), "%.2f")) +
         Td(FormatNumber(job.measures().nearest_real_mean(), "%.2f")) +
         Td(std::to_string(job.audit().longest_span_words())) +
         Td(FormatNumber(100 * job.audit().share_with_long_span(), "%.0f") + "%");
}

std::string GenerationSection(const v1::GetTextsResponse& g) {
  std::vector<std::string> themes;
  std::map<std::string, std::vector<double>> totals;  // theme -> kept, dropped, shortfall
  bool filters = false;
  for (const v1::GenerateJobTexts& job : g.jobs()) {
    filters |= !job.filter().empty();
    if (!job.filter().empty()) continue;  // its texts are a generate job's, counted there
    for (const v1::ThemeGeneration& t : job.themes()) {
      auto [it, inserted] = totals.try_emplace(t.theme(), std::vector<double>(3, 0.0));
      if (inserted) themes.push_back(t.theme());
      it->second[0] += t.kept();
      it->second[1] += t.dropped();
      it->second[2] += t.shortfall();
    }
  }
  StackedBars bars;
  bars.id = "generation";
  bars.title = "Synthetic texts per theme, over every generate job";
  bars.value_label = "texts (kept, dropped as empty, duplicate or over quota, and missing)";
  bars.parts = {"kept", "dropped", "shortfall"};
  for (const std::string& t : themes) {
    bars.categories.push_back(t);
    bars.values.push_back(totals[t]);
  }
  std::string out = "<h2>Generation</h2>\n" + RenderStackedBars(bars);
  out += "<table>\n<tr>" + Th("generator", true) + Th("T") + (filters ? Th("filter", true) : "") +
         Th("repeat") + Th("fold") + Th("state", true) + Th("seconds") + Th("kept") + Th("wanted") +
         Th("dropped") + Th("shortfall") + Th("kept but cut") + Th("distinct-2") +
         Th("nearest real") + Th("longest copy") + Th("copies 8+") + "</tr>\n";
  for (const v1::GenerateJobTexts& job : g.jobs()) {
    int kept = 0, wanted = 0, dropped = 0, shortfall = 0, cut = 0;
    for (const v1::ThemeGeneration& t : job.themes()) {
      cut += t.cut();
      kept += t.kept();
      wanted += t.wanted();
      dropped += t.dropped();
      shortfall += t.shortfall();
    }
    out += "<tr>" + Td(job.generator(), true) +
           Td(job.temperature_ignored() ? "any" : TemperatureText(job.temperature())) +
           (filters ? Td(job.filter().empty() ? "(generated)" : job.filter(), true) : "") +
           Td(std::to_string(job.repeat())) + Td(std::to_string(job.fold())) +
           Td(job.state(), true) + Td(FormatNumber(job.wall_seconds(), "%.1f")) +
           Td(std::to_string(kept)) + Td(std::to_string(wanted)) + Td(std::to_string(dropped)) +
           Td(std::to_string(shortfall)) + Td(std::to_string(cut)) + MeasureCells(job) + "</tr>\n";
  }
  return out +
         "</table>\n<p class=\"note\">Of each job's kept texts: distinct-2 (distinct word pairs "
         "over word pairs), the mean Jaccard similarity of each text's words with its nearest "
         "real training text, the longest run of words shared verbatim with a real training "
         "text, and the share of texts sharing 8 or more (the privacy audit; "
         "<code>augsweep texts SWEEP --audit</code> lists the worst). A filter job's dropped "
         "are its checks' drops.</p>\n";
}

std::string SamplesSection(const v1::GetTextsResponse& s) {
  std::string out =
      "<h2>Sample of synthetic texts</h2>\n<p class=\"note\">The first kept texts of each theme "
      "from the generate jobs of repeat 0, fold 0 (what the train jobs use first). They may "
      "echo the real texts: share this report only as you would share the data.</p>\n"
      "<table id=\"samples\">\n<tr>" +
      Th("theme", true) + Th("generator", true) + Th("T") + Th("text", true) + "</tr>\n";
  std::map<std::string, std::vector<std::string>> by_theme;
  std::vector<std::string> order;
  for (const v1::GenerateJobTexts& job : s.jobs()) {
    for (const v1::TextView& t : job.texts()) {
      auto [it, inserted] = by_theme.try_emplace(t.theme());
      if (inserted) order.push_back(t.theme());
      it->second.push_back(
          "<tr>" + Td(t.theme(), true) + Td(job.generator(), true) +
          Td(job.temperature_ignored() ? "any" : TemperatureText(job.temperature())) +
          Td(t.text(), true) + "</tr>\n");
    }
  }
  for (const std::string& theme : order) {
    for (const std::string& row : by_theme[theme]) out += row;
  }
  return out + "</table>\n";
}

}  // namespace

std::string RenderReportHtml(const ReportInputs& in) {
  const std::string title =
      "augsweep report: " + in.description.name() + " (" + in.description.sweep_id() + ")";
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
      "<title>" +
      HtmlEscape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<h1>" +
      HtmlEscape(title) + "</h1>\n";
  out += Summary(in);
  out += ResultsSection(in.results);
  out += AucPlots(in.results);
  out += ThemeGain(in.results);
  out += GenerationSection(in.generation);
  out += SamplesSection(in.samples);
  out += DatasetSection(in.description);
  out += SpecSection(in.description);
  out +=
      "<p class=\"note\">Made by augsweep. The reference study is Ehrett et al., JMIR Med "
      "Educ 2024;10:e51433.</p>\n</body>\n</html>\n";
  return out;
}

}  // namespace augsweep::cli
